"""The audited checkout's own Git configuration never runs a command (issue 15, case 7).

A hostile ``.git/config`` (and a file it includes) names commands in every key
Git would run on a plain read: ``core.fsmonitor``, a ``clean``/``smudge``/``process``
filter selected by ``.gitattributes``, a ``textconv`` driver, ``gpg.program`` (asked by
``git log %G?``), hooks. Each writes a marker file; no mlaudit entry point may write one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real tools (zizmor, check-jsonschema, git) in subprocesses (the edit loop is `-m 'not slow'`)

HOSTILE_KEYS = {
    "core.fsmonitor": "fsmonitor",
    "filter.evil.clean": "clean",
    "filter.evil.smudge": "smudge",
    "filter.evil.process": "process",
    "diff.evil.textconv": "textconv",
    "diff.evil.command": "diffcommand",
    "gpg.program": "gpg",
    "gpg.ssh.program": "gpgssh",
    "core.sshCommand": "ssh",
    "core.pager": "pager",
    "core.editor": "editor",
    "diff.external": "external",
    "uploadpack.packObjectsHook": "packobjects",
}


def _command(marker: Path) -> str:
    return f"touch '{marker}'; cat"


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose .git/config runs a marker-writing command in every key Git could run: (repo, markers)."""
    repo = init_repo(tmp_path / "repo")
    markers = tmp_path / "markers"
    markers.mkdir()
    (repo / ".gitattributes").write_text("*.safetensors filter=evil diff=evil\n* diff=evil\n")
    (repo / "model.safetensors").write_bytes(b"weights-v1" * 1000)
    (repo / "README.md").write_text("---\nlicense: apache-2.0\n---\n# model\n")
    assert run_mlaudit("hash", str(repo), "--update").returncode == 0
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "model")
    # Arm the checkout after committing (the test's own git calls must not trip the markers).
    for key, name in HOSTILE_KEYS.items():
        git(repo, "config", key, _command(markers / name))
    git(repo, "config", "filter.evil.required", "true")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc"):
        script = hooks / hook
        script.write_text(f"#!/bin/sh\ntouch '{markers / hook}'\n")
        script.chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    included = tmp_path / "included.cfg"  # an include.path can carry the same keys
    included.write_text(f"[credential]\n\thelper = !touch '{markers / 'credential'}'\n"
                        f"[core]\n\talternateRefsCommand = {_command(markers / 'alternates')}\n")
    git(repo, "config", "include.path", str(included))
    # A stat change with the same content: Git must re-read the file, through the clean filter.
    later = time.time() + 5
    os.utime(repo / "model.safetensors", (later, later))
    return repo, markers


def _assert_no_marker(markers: Path) -> None:
    assert sorted(p.name for p in markers.iterdir()) == []


def test_the_fixture_would_run_commands_with_plain_git(hostile: tuple[Path, Path]) -> None:
    """Proves the fixture: an unhardened ``git status`` runs the checkout's commands."""
    repo, markers = hostile
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, check=False)
    assert (markers / "fsmonitor").exists()


def test_cli_hash_and_audit_run_no_command(hostile: tuple[Path, Path]) -> None:
    repo, markers = hostile
    for args in (("hash", str(repo), "--check"), ("hash", str(repo)),
                 ("audit", str(repo), "--offline", "--only", "weights,serialization,provenance")):
        proc = run_mlaudit(*args)
        assert "Traceback" not in proc.stderr, proc.stderr
        _assert_no_marker(markers)
    assert run_mlaudit("hash", str(repo), "--check").returncode == 0


@pytest.mark.slow
def test_a_full_audit_runs_no_command(hostile: tuple[Path, Path]) -> None:
    repo, markers = hostile
    proc = run_mlaudit("audit", str(repo), "--offline")  # every check, licences' scancode included
    assert "Traceback" not in proc.stderr, proc.stderr
    _assert_no_marker(markers)


def test_weight_hashes_hook_runs_no_command(hostile: tuple[Path, Path]) -> None:
    repo, markers = hostile
    hook = shutil.which("mlaudit-weight-hashes") or str(Path(sys.executable).parent / "mlaudit-weight-hashes")
    proc = subprocess.run([hook, "model.safetensors"], cwd=repo, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _assert_no_marker(markers)


def test_provenance_history_runs_no_command(hostile: tuple[Path, Path]) -> None:
    from mlaudit.provenance.git_history import read_history

    repo, markers = hostile
    history = read_history(repo, ["model.safetensors"])
    assert len(history.of("model.safetensors")) == 1
    _assert_no_marker(markers)


def test_base_worktree_of_a_pull_request_runs_no_command(hostile: tuple[Path, Path]) -> None:
    from mlaudit.github.base_audit import audit_in_worktree
    from mlaudit.github.git_history import commits_touching, merge_base
    from mlaudit.model import Report, Severity, Status

    repo, markers = hostile
    seen: list[bytes] = []

    def audit(tree: Path) -> Report:
        seen.append((tree / "model.safetensors").read_bytes())
        return Report(tool_version="t", root=str(tree), status=Status.PASS, fail_on=Severity.HIGH, checks=(),
                      generated_at="now")

    audit_in_worktree(repo, "HEAD", audit)
    assert seen == [b"weights-v1" * 1000]
    head = git(repo, "rev-parse", "HEAD").strip()
    assert merge_base(repo, head, head) == head
    assert len(commits_touching(repo, head + "~0", head, ["model.safetensors"])["model.safetensors"]) == 0
    _assert_no_marker(markers)


def test_git_safe_blanks_every_command_key(hostile: tuple[Path, Path]) -> None:
    from mlaudit.git_safe import local_command_keys

    repo, _markers = hostile
    blanked = dict(local_command_keys(repo))
    for key in HOSTILE_KEYS:
        assert key.lower() in {k.lower() for k in blanked}, key
    assert blanked["core.fsmonitor"] == "false"
    assert blanked["filter.evil.required"] == "false"
    assert blanked["credential.helper"] == ""


def test_a_local_core_worktree_never_points_git_elsewhere(tmp_path: Path) -> None:
    from mlaudit.git_safe import open_repo, run_git
    from mlaudit.repo_files import list_repo_files

    repo = init_repo(tmp_path / "repo")
    (repo / "model.safetensors").write_bytes(b"w" * 100)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "model")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.bin").write_bytes(b"not the repository's")
    git(repo, "config", "core.worktree", str(elsewhere))
    assert list_repo_files(repo) == ("model.safetensors",)
    assert "secret.bin" not in (run_git(repo, "ls-files", "--others") or "")
    opened = open_repo(repo)
    assert Path(opened.working_tree_dir).resolve() == repo.resolve()
    assert "secret.bin" not in opened.git.ls_files("--others")
    assert opened.git.ls_files() == "model.safetensors"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to hand the checkout to another user")
def test_safe_directory_vouches_for_the_audited_checkout_only(tmp_path: Path) -> None:
    from mlaudit.git_safe import git_env, run_git

    repo = init_repo(tmp_path / "repo")
    (repo / "a.txt").write_text("a")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a")
    other = init_repo(tmp_path / "other")
    git(other, "commit", "-q", "--allow-empty", "-m", "o")
    for path in (repo, other):
        for dirpath, _dirs, files in os.walk(path):
            os.chown(dirpath, 4242, 4242)
            for name in files:
                os.chown(os.path.join(dirpath, name), 4242, 4242)
    plain = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                           env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}, check=False)
    assert plain.returncode != 0 and "dubious ownership" in plain.stderr  # proves the set-up
    assert run_git(repo, "rev-parse", "HEAD")
    env_of_repo = subprocess.run(["git", "-C", str(other), "rev-parse", "--git-dir"], capture_output=True,
                                 text=True, env=git_env(repo), check=False)
    assert env_of_repo.returncode != 0  # the environment made for one checkout vouches for no other
