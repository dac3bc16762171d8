"""The weight manifest is never thrown away: unusable manifests stop --update/--fix, writers merge under a lock."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import git, run_mlaudit
from robustness_helpers import hook, no_traceback, weights_repo

from mlaudit.weights.manifest import ManifestEntry, ManifestError, parse_manifest, read_manifest, render_manifest

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

A = "a" * 64


def _recorded(repo: Path) -> dict[str, str]:
    data = json.loads((repo / "weights.lock.json").read_text())
    return {r["name"]: r["digest"] for r in data["resources"]}


@pytest.fixture
def recorded_repo(tmp_path: Path) -> Path:
    """A repository with two weight files recorded by `mlaudit hash --update`."""
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 4096, "b.safetensors": b"B" * 4096})
    proc = run_mlaudit("hash", "--update", str(repo))
    assert proc.returncode == 0, proc.stderr
    return repo


def _conflicted(text: str) -> str:
    lines = text.splitlines(keepends=True)
    cut = len(lines) // 2
    return "".join(lines[:cut]) + "<<<<<<< HEAD\n" + lines[cut] + "=======\n" + lines[cut] + ">>>>>>> branch\n" \
        + "".join(lines[cut + 1:])


@pytest.mark.parametrize("damage", ["conflict", "invalid-json", "directory", "nul-name"])
def test_update_refuses_an_unusable_manifest_and_writes_nothing(recorded_repo: Path, damage: str) -> None:
    manifest = recorded_repo / "weights.lock.json"
    original = manifest.read_text()
    if damage == "conflict":
        manifest.write_text(_conflicted(original))
    elif damage == "invalid-json":
        manifest.write_text(original[:-10])
    elif damage == "directory":
        manifest.unlink()
        manifest.mkdir()
    else:
        manifest.write_text(original.replace('"a.safetensors"', '"a.safe\\u0000tensors"'))
    before = manifest.read_text() if manifest.is_file() else None
    # The attacker swaps a weight: the old code rebuilt the manifest and recorded it as "added".
    (recorded_repo / "a.safetensors").write_bytes(b"EVIL" * 1024)
    proc = run_mlaudit("hash", "--update", str(recorded_repo))
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "nothing was written" in proc.stderr
    assert "added" not in proc.stdout and "Fixing" not in proc.stdout
    if before is not None:
        assert manifest.read_text() == before
    else:
        assert manifest.is_dir()
    hook_proc = hook("mlaudit-weight-hashes", "--fix", "a.safetensors", cwd=recorded_repo)
    no_traceback(hook_proc)
    assert hook_proc.returncode == 2, hook_proc.stdout + hook_proc.stderr
    if before is not None:
        assert manifest.read_text() == before


def test_conflict_markers_are_named_with_their_line(recorded_repo: Path) -> None:
    manifest = recorded_repo / "weights.lock.json"
    manifest.write_text(_conflicted(manifest.read_text()))
    proc = run_mlaudit("hash", "--check", str(recorded_repo))
    assert proc.returncode == 1
    assert "merge-conflict markers" in proc.stdout
    assert "weights.lock.json:5:" in proc.stdout  # the "<<<<<<<" line (the cut is after line 4 of 8)


def test_update_keeps_the_manifest_mode(recorded_repo: Path) -> None:
    manifest = recorded_repo / "weights.lock.json"
    manifest.chmod(0o644)
    (recorded_repo / "c.safetensors").write_bytes(b"C" * 4096)
    assert run_mlaudit("hash", "--update", str(recorded_repo)).returncode == 0
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o644
    manifest.chmod(0o664)
    (recorded_repo / "c.safetensors").write_bytes(b"D" * 4096)
    assert run_mlaudit("hash", "--update", str(recorded_repo)).returncode == 0
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o664


def test_a_new_manifest_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 4096})
    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    assert stat.S_IMODE((repo / "weights.lock.json").stat().st_mode) & 0o044 == 0o044


def test_concurrent_fixes_serialise_and_keep_every_entry(tmp_path: Path) -> None:
    names = [f"w{i}.safetensors" for i in range(8)]
    repo = weights_repo(tmp_path / "repo", {n: n.encode() * 2000 for n in names})
    for attempt in range(3):
        (repo / "weights.lock.json").unlink(missing_ok=True)
        procs = [
            subprocess.Popen(_hook_argv("--fix", name), cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for name in names
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert "Traceback" not in err, err
            assert p.returncode == 1, out + err  # fixed: the commit stops so the manifest can be staged
        assert sorted(_recorded(repo)) == names, f"attempt {attempt}: entries lost"
        assert not (repo / ".weights.lock.json.lock").exists()


def _hook_argv(*args: str) -> list[str]:
    import shutil
    import sys

    return [shutil.which("mlaudit-weight-hashes") or str(Path(sys.executable).parent / "mlaudit-weight-hashes"),
            *args]


def test_fifo_as_manifest_is_refused_without_hanging(recorded_repo: Path) -> None:
    manifest = recorded_repo / "weights.lock.json"
    manifest.unlink()
    os.mkfifo(manifest)
    check = run_mlaudit("hash", "--check", str(recorded_repo), timeout=60)
    no_traceback(check)
    assert check.returncode == 1
    assert "not a regular file (a FIFO)" in check.stdout
    update = run_mlaudit("hash", "--update", str(recorded_repo), timeout=60)
    assert update.returncode == 2, update.stderr
    assert stat.S_ISFIFO(manifest.lstat().st_mode)


def test_deep_manifest_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.lock.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ManifestError, match="nested too deeply"):
        read_manifest(path)
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 4096})
    (repo / "weights.lock.json").write_text("{" + '"x":{' * 100_000 + "}" * 100_001)
    proc = run_mlaudit("hash", "--check", str(repo))
    no_traceback(proc)
    assert proc.returncode == 1 and "nested" in proc.stdout


def test_nul_in_a_name_is_a_clear_error() -> None:
    text = render_manifest([ManifestEntry("a\x00b", 1, A)])
    with pytest.raises(ManifestError, match="NUL"):
        parse_manifest(text)


def test_line_numbers_of_every_entry_in_one_pass() -> None:
    entries = [ManifestEntry(f"dir/{i:05}.bin", i, A) for i in range(2000)]
    manifest = parse_manifest(render_manifest(entries))
    assert [manifest.entries[e.name].line for e in entries] == list(range(6, 2006))


def test_non_utf8_file_names_are_recorded_and_checked(tmp_path: Path) -> None:
    repo = weights_repo(tmp_path / "repo", {"ok.safetensors": b"A" * 4096})
    odd = os.fsencode(str(repo)) + b"/caf\xe9\n::error title=FORGED::x.safetensors"
    with open(odd, "wb") as fh:
        fh.write(b"B" * 4096)
    git(repo, "add", "-A")
    listing = run_mlaudit("hash", str(repo))
    no_traceback(listing)
    assert listing.returncode == 0, listing.stderr
    assert "caf\\xe9\\n::error" in listing.stdout
    assert not any(line.lstrip().startswith("::") for line in listing.stdout.splitlines())
    update = run_mlaudit("hash", "--update", str(repo))
    no_traceback(update)
    assert update.returncode == 0, update.stderr
    assert not any(line.lstrip().startswith("::") for line in update.stdout.splitlines())
    check = run_mlaudit("hash", "--check", str(repo))
    assert check.returncode == 0, check.stdout + check.stderr
    with open(odd, "wb") as fh:
        fh.write(b"C" * 4096)
    check = run_mlaudit("hash", "--check", str(repo))
    assert check.returncode == 1
    assert "caf\\xe9\\n::error" in check.stdout
    assert not any(line.lstrip().startswith("::") for line in check.stdout.splitlines())


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a character device"), ("/tmp", "a directory")])
def test_devices_and_directories_are_refused_before_reading(path: str, kind: str) -> None:
    with pytest.raises(ManifestError, match=f"not a regular file \\({kind}\\)"):
        read_manifest(Path(path))
