"""Real Sigstore bundles (production and staging) verified offline; tampering and wrong signers fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import fixture_path, run_mlaudit

WHL_IDENTITY = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
WHL_ISSUER = "https://token.actions.githubusercontent.com"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    src = fixture_path("sigstore", "bundle_v3_github.whl")
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
    from mlaudit.signing.blob_verify import verify_blob
    from mlaudit.signing.oms_verify import ExpectedSigner, SignatureInvalid

    src = fixture_path("sigstore", "staging_email.txt")
    bundle = src.with_name(src.name + ".sigstore")
    proc = run_mlaudit("verify", str(src), "--signature", str(bundle), "--identity", "william@yossarian.net",
                       "--issuer", "https://github.com/login/oauth", "--offline", "--staging")
    assert proc.returncode == 0, proc.stderr
    assert "william@yossarian.net" in proc.stdout
    staging = ExpectedSigner(identities=("william@yossarian.net",), issuers=("https://github.com/login/oauth",),
                             instance="staging", offline=True)
    # against the production trust root the staging certificate chain is not trusted
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_blob(src, bundle, ExpectedSigner(identities=staging.identities, issuers=staging.issuers))
    tampered = tmp_path / src.name
    tampered.write_bytes(src.read_bytes() + b"!")
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_blob(tampered, bundle, staging)
