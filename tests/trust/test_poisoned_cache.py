"""A cache the repository commits never decides the verdict (issue 15, case 2).

The attack: the repository's config says ``cache_dir = ".mlaudit-cache"`` and
commits a content cache mapping the blob id of swapped weights (same size) to the
digest the manifest records. Every gate must still see the swapped weights.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit

from mlaudit.store.hash_cache import ContentDigests, content_cache_file

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

ORIGINAL = b"weights-v1" * 1000
SWAPPED = b"weights-XX" * 1000  # same size: only the digest tells them apart
NOT_CI = {"CI": "", "GITHUB_ACTIONS": ""}


def _key_pair(directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / "audit.key", directory / "audit.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _poison(cache_dir: Path, blob: str) -> None:
    """Teach a content cache that ``blob`` (the swapped weights) has the recorded digest, through the real API."""
    cache = ContentDigests(content_cache_file(cache_dir))
    cache.put(blob, len(SWAPPED), hashlib.sha256(ORIGINAL).hexdigest())
    cache.save()


@pytest.fixture
def poisoned(tmp_path: Path) -> dict[str, Path]:
    """A repository with an attested audit of ORIGINAL, then SWAPPED weights committed with a poisoned cache."""
    repo = init_repo(tmp_path / "repo")
    (repo / "model.safetensors").write_bytes(ORIGINAL)
    (repo / "mlaudit.toml").write_text('cache_dir = ".mlaudit-cache"\n')
    assert run_mlaudit("hash", str(repo), "--update", env=NOT_CI).returncode == 0
    private, public = _key_pair(tmp_path)
    attestation = tmp_path / "attestation.json"
    proc = run_mlaudit("audit", str(repo), "--only", "weights", "--sign", "--key", str(private),
                       "--attestation", str(attestation), env=NOT_CI)
    assert proc.returncode == 0, proc.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "model")
    (repo / "model.safetensors").write_bytes(SWAPPED)
    git(repo, "add", "model.safetensors")
    blob = git(repo, "rev-parse", ":model.safetensors").strip()
    _poison(repo / ".mlaudit-cache", blob)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "swap weights, commit a cache")
    return {"repo": repo, "public": public, "attestation": attestation, "blob_cache": repo / ".mlaudit-cache"}


@pytest.mark.parametrize("ci", [False, True], ids=["developer", "ci"])
@pytest.mark.parametrize("user_env", [False, True], ids=["no-env", "env-cache"])
def test_every_gate_fails_on_swapped_weights(poisoned: dict[str, Path], tmp_path: Path, ci: bool,
                                              user_env: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = poisoned["repo"]
    env = {"CI": "true" if ci else "", "GITHUB_ACTIONS": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    if not user_env:
        monkeypatch.delenv("MLAUDIT_CACHE_DIR")
    # Run from the repository's root, as a workflow does (the config's relative cache_dir then lands in it).
    audit = run_mlaudit("audit", ".", "--only", "weights", "--format", "json", env=env, cwd=repo)
    assert audit.returncode == 1, audit.stdout
    assert "weights.digest-mismatch" in audit.stdout or "mismatch" in audit.stdout
    check = run_mlaudit("hash", ".", "--check", env=env, cwd=repo)
    assert check.returncode == 1, check.stdout + check.stderr
    gate = run_mlaudit("verify", ".", "--attestation", str(poisoned["attestation"]),
                       "--public-key", str(poisoned["public"]), "--no-signature", env=env, cwd=repo)
    assert gate.returncode == 1, gate.stdout
    assert "the weights on disk have root digest" in gate.stderr
    notes = audit.stderr + check.stderr
    if ci or not user_env:  # with $MLAUDIT_CACHE_DIR on a developer's machine, the config is never consulted
        assert "cache_dir = '.mlaudit-cache'" in notes or "inside the audited repository" in notes, notes


def test_repository_cache_dir_is_named_and_refused(poisoned: dict[str, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLAUDIT_CACHE_DIR")
    env = {**NOT_CI, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = run_mlaudit("hash", str(poisoned["repo"]), "--check", env=env)
    assert "is inside the audited repository and is refused" in proc.stderr
    proc = run_mlaudit("hash", str(poisoned["repo"]), "--check", env={**env, "CI": "true"})
    assert "ignored in CI" in proc.stderr
    # The user's choice is refused too when it points into the repository.
    proc = run_mlaudit("hash", str(poisoned["repo"]), "--check", "--cache-dir", str(poisoned["blob_cache"]), env=env)
    assert proc.returncode == 1
    assert "--cache-dir" in proc.stderr and "refused" in proc.stderr


def test_a_trusted_poisoned_cache_still_never_passes_the_gates_in_ci(poisoned: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    """Even the user's own cache (here poisoned) is not evidence: CI's hash --check and the gate re-read content."""
    outside = tmp_path / "user-cache"
    shutil.copytree(poisoned["blob_cache"], outside)
    # Proves the poison works where a cache is trusted (a developer's `hash --check`): the attack is real.
    local = run_mlaudit("hash", str(poisoned["repo"]), "--check", "--cache-dir", str(outside), env=NOT_CI)
    assert local.returncode == 0, local.stdout
    ci = run_mlaudit("hash", str(poisoned["repo"]), "--check", "--cache-dir", str(outside), env={"CI": "true"})
    assert ci.returncode == 1
    gate = run_mlaudit("verify", str(poisoned["repo"]), "--attestation", str(poisoned["attestation"]),
                       "--public-key", str(poisoned["public"]), "--no-signature",
                       env={**NOT_CI, "MLAUDIT_CACHE_DIR": str(outside)})
    assert gate.returncode == 1
    assert os.path.exists(outside)
