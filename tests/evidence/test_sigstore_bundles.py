"""Real Sigstore bundles (production and staging) verified offline; tampering and wrong signers fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_mlaudit, shared_fixture

WHL_IDENTITY = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
WHL_ISSUER = "https://token.actions.githubusercontent.com"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    src = shared_fixture("sigstore", "bundle_v3_github.whl")
    shutil.copy(src, tmp_path / src.name)
    shutil.copy(src.with_name(src.name + ".sigstore"), tmp_path / (src.name + ".sigstore"))
    return tmp_path / src.name


def test_production_bundle_verifies_offline(wheel: Path) -> None:
    proc = run_mlaudit("verify", str(wheel), "--identity", WHL_IDENTITY, "--issuer", WHL_ISSUER, "--offline")
    assert proc.returncode == 0, proc.stderr
    assert f"by {WHL_IDENTITY} ({WHL_ISSUER})" in proc.stdout


def test_flipped_byte_fails(wheel: Path) -> None:
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))
    proc = run_mlaudit("verify", str(wheel), "--identity", WHL_IDENTITY, "--issuer", WHL_ISSUER, "--offline")
    assert proc.returncode == 1
    assert "does not verify" in proc.stderr


def test_wrong_identity_fails(wheel: Path) -> None:
    proc = run_mlaudit("verify", str(wheel), "--identity", "https://github.com/evil/repo", "--issuer", WHL_ISSUER,
                       "--offline")
    assert proc.returncode == 1
    assert "https://github.com/evil/repo" in proc.stderr


def test_staging_bundle_needs_the_staging_root(tmp_path: Path) -> None:
    src = shared_fixture("sigstore", "staging_email.txt")
    args = [str(src), "--signature", str(src.with_name(src.name + ".sigstore")), "--identity",
            "william@yossarian.net", "--issuer", "https://github.com/login/oauth", "--offline"]
    proc = run_mlaudit("verify", *args, "--staging")
    assert proc.returncode == 0, proc.stderr
    assert "william@yossarian.net" in proc.stdout
    # against the production trust root the staging certificate chain is not trusted
    assert run_mlaudit("verify", *args).returncode == 1
    tampered = tmp_path / src.name
    tampered.write_bytes(src.read_bytes() + b"!")
    args[0] = str(tampered)
    assert run_mlaudit("verify", *args, "--staging").returncode == 1
