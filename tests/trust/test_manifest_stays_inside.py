"""Issue 15 cases 3 and 4 for the weight manifest: it is written and read only inside the repository."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

HOOK = str(Path(sys.executable).parent / "mlaudit-weight-hashes")


def _hook(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOOK, *args], cwd=repo, capture_output=True, text=True, timeout=120, check=False)


def _repo_with_weights(repo: Path, manifest: str) -> None:
    (repo / "mlaudit.toml").write_text(f"[weights]\nmanifest = {json.dumps(manifest)}\n", encoding="utf-8")
    (repo / "w$(touch${IFS}X).bin").write_bytes(os.urandom(4096))
    git(repo, "add", "-A")


@pytest.mark.parametrize("where", ["relative", "absolute", "symlink", "symlinked-folder"])
def test_update_and_fix_never_write_outside(repo: Path, tmp_path: Path, where: str) -> None:
    outside = tmp_path / "home" / ".bashrc"
    outside.parent.mkdir()
    outside.write_text("# the user's shell start-up file\n", encoding="utf-8")
    os.chmod(outside, 0o644)
    before = outside.read_bytes()
    if where == "relative":
        name = os.path.relpath(outside, repo)
        assert name.startswith("../")
    elif where == "absolute":
        name = str(outside)
    elif where == "symlink":
        (repo / "weights.lock.json").symlink_to(outside)
        name = "weights.lock.json"
    else:
        (repo / "meta").symlink_to(outside.parent)
        name = "meta/.bashrc"
    _repo_with_weights(repo, name)
    update = run_mlaudit("hash", str(repo), "--update")
    fix = _hook(repo, "--fix", "w$(touch${IFS}X).bin")
    check = run_mlaudit("hash", str(repo), "--check")
    audit = run_mlaudit("audit", str(repo), "--only", "weights")
    for proc in (update, fix, check, audit):
        assert proc.returncode == 2, (proc.args, proc.stdout, proc.stderr)
        assert "manifest" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert outside.read_bytes() == before
    assert oct(outside.stat().st_mode & 0o777) == "0o644"
    assert not (repo / "X").exists() and not (tmp_path / "X").exists()


def test_manifest_entry_through_a_symlinked_folder_is_a_finding_never_read(repo: Path, tmp_path: Path) -> None:
    (repo / "linked").mkdir()
    (repo / "linked" / "secret.bin").write_bytes(b"w" * 3000)
    (repo / "model.bin").write_bytes(b"m" * 2048)
    assert run_mlaudit("hash", str(repo), "--update").returncode == 0
    # The recorded folder becomes a symlink to someone else's files.
    secret = tmp_path / "elsewhere" / "secret.bin"
    secret.parent.mkdir()
    secret.write_bytes(os.urandom(3100))
    secret_digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    for child in (repo / "linked").iterdir():
        child.unlink()
    (repo / "linked").rmdir()
    (repo / "linked").symlink_to(secret.parent)
    git(repo, "add", "-A")
    check = run_mlaudit("hash", str(repo), "--check")
    audit = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    out = check.stdout + check.stderr + audit.stdout + audit.stderr
    assert check.returncode == 1 and audit.returncode == 1, out
    assert secret_digest[:12] not in out and "3100" not in out
    findings = json.loads(audit.stdout)["checks"][0]["findings"]
    assert {f["path"]: f["rule"] for f in findings} == {"linked/secret.bin": "weights.symlink-outside"}
    update = run_mlaudit("hash", str(repo), "--update")
    assert update.returncode == 1 and secret_digest not in (repo / "weights.lock.json").read_text()


@pytest.mark.parametrize("signature", ["../outside/profile", "ABSOLUTE"])
def test_sign_never_writes_the_signature_outside(tmp_path: Path, signature: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    outside = tmp_path / "outside" / "profile"
    outside.parent.mkdir()
    outside.write_text("# start-up file\n", encoding="utf-8")
    before = outside.read_bytes()
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden": 4}', encoding="utf-8")
    name = str(outside) if signature == "ABSOLUTE" else signature
    (model / "mlaudit.toml").write_text(f"[signing]\nsignature = {json.dumps(name)}\n", encoding="utf-8")
    private = tmp_path / "signing.key"
    private.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    proc = run_mlaudit("sign", str(model), "--key", str(private))
    assert proc.returncode == 2, proc.stderr
    assert "[signing] signature" in proc.stderr
    assert outside.read_bytes() == before
