"""The mlaudit-weight-hashes hook driven by the real pre-commit framework in a temporary repository."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, git_commit, run_pre_commit, write_pre_commit_config


def _weights(path: Path, size: int, seed: int) -> None:
    path.write_bytes(bytes((seed + i * 7) % 256 for i in range(size)))


def test_commit_refused_until_fixed_then_tampering_refused(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-weight-hashes", "args": ["--fix"]}])
    proc = run_pre_commit(repo, pre_commit_home, "install")
    assert proc.returncode == 0, proc.stderr
    git(repo, "add", ".pre-commit-config.yaml")
    assert git_commit(repo, pre_commit_home, "config").returncode == 0

    # A commit that adds an unrecorded weight file is refused, and --fix records it.
    _weights(repo / "model.safetensors", 4096, 1)
    git(repo, "add", "model.safetensors")
    refused = git_commit(repo, pre_commit_home, "add weights")
    assert refused.returncode != 0
    assert "Fixing weights.lock.json: model.safetensors" in refused.stdout + refused.stderr
    manifest = json.loads((repo / "weights.lock.json").read_text())
    assert [r["name"] for r in manifest["resources"]] == ["model.safetensors"]
    assert manifest["resources"][0]["size"] == 4096

    # The next commit, with the manifest staged, passes.
    git(repo, "add", "weights.lock.json")
    accepted = git_commit(repo, pre_commit_home, "add weights")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "model.safetensors" in git(repo, "ls-files")


def test_flipped_byte_in_recorded_file_is_refused(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-weight-hashes"}])
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    weights = repo / "w.bin"
    _weights(weights, 10_000, 3)
    git(repo, "add", "-A")
    # Without --fix the hook only reports; record with the CLI, as a user would.
    from conftest import run_mlaudit

    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    git(repo, "add", "-A")
    first = git_commit(repo, pre_commit_home, "weights and manifest")
    assert first.returncode == 0, first.stdout + first.stderr

    data = bytearray(weights.read_bytes())
    data[5000] ^= 0xFF
    weights.write_bytes(bytes(data))
    git(repo, "add", "w.bin")
    refused = git_commit(repo, pre_commit_home, "tamper")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "w.bin: [high] weights.mismatch" in out
    manifest = json.loads((repo / "weights.lock.json").read_text())
    assert manifest["resources"][0]["size"] == 10_000  # reported, never silently rewritten


def test_hook_reports_recorded_file_that_was_deleted(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-weight-hashes"}])
    _weights(repo / "a.pt", 2048, 5)
    from conftest import run_mlaudit

    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "rm", "-q", "a.pt")
    proc = run_pre_commit(repo, pre_commit_home, "run", "mlaudit-weight-hashes")
    assert proc.returncode == 1
    assert "a.pt: [medium] weights.missing" in proc.stdout
