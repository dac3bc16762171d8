"""The mlaudit-licenses hook driven by the real pre-commit framework in a temporary repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, git_commit, run_pre_commit, write_pre_commit_config


def test_commit_refused_for_non_commercial_weights_under_commercial_intent(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-licenses", "args": ["--no-resolve"]}])
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\nlicense = "Apache-2.0"\n\n'
        "[tool.mlaudit.licenses]\ncommercial = true\n",
        encoding="utf-8",
    )
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    git(repo, "add", "-A")
    assert git_commit(repo, pre_commit_home, "config").returncode == 0

    # A card under a non-commercial licence is refused, with the reason on one line.
    (repo / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Model\n", encoding="utf-8")
    git(repo, "add", "README.md")
    refused = git_commit(repo, pre_commit_home, "card")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert "README.md: [high] licenses.conflict: CC-BY-NC-4.0 model" in out
    assert "Traceback" not in out

    # A malformed card is reported clearly (not a traceback); medium does not block by default.
    (repo / "README.md").write_text("---\nlicense: [apache-2.0\n---\n", encoding="utf-8")
    git(repo, "add", "README.md")
    proc = run_pre_commit(repo, pre_commit_home, "run", "mlaudit-licenses", "--verbose")
    assert proc.returncode == 0, proc.stdout
    assert "licenses.model-card" in proc.stdout and "malformed YAML" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr

    # A permissive card passes, and the commit goes through.
    (repo / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Model\n", encoding="utf-8")
    git(repo, "add", "README.md")
    accepted = git_commit(repo, pre_commit_home, "card")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_hook_skips_unrelated_files(repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-licenses"}])
    (repo / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n", encoding="utf-8")
    (repo / "mlaudit.toml").write_text("[licenses]\ncommercial = true\n", encoding="utf-8")
    (repo / "train.py").write_text("print('train')\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base", "--no-verify")
    (repo / "train.py").write_text("print('train more')\n", encoding="utf-8")
    git(repo, "add", "train.py")
    proc = run_pre_commit(repo, pre_commit_home, "run", "mlaudit-licenses")
    assert proc.returncode == 0
    assert "no files to check" in proc.stdout.lower()


@pytest.mark.needs_network
def test_staged_requirements_are_resolved_and_judged(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    """pip's dry run resolves the staged requirements (from the package index) in the hook's environment."""
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-licenses"}])
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\nlicense = "MIT"\n')
    (repo / "requirements.txt").write_text("pylint==3.2.7\n", encoding="utf-8")
    git(repo, "add", "-A")
    proc = run_pre_commit(repo, pre_commit_home, "run", "mlaudit-licenses")
    if "could not resolve" in proc.stdout:
        pytest.skip(f"package index not reachable: {proc.stdout[-300:]}")
    assert proc.returncode == 1, proc.stdout
    assert "requirements.txt: [high] licenses.conflict: GPL-2.0-or-later dependency `pylint` in an MIT project" in (
        proc.stdout
    )
    assert "astroid" not in proc.stdout  # LGPL, imported at run time: passes
