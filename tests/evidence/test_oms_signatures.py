"""OMS signatures: real model_signing bundles verified offline, tampering named, key round trips both ways."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import fixture_path, run_mlaudit

pytestmark = pytest.mark.slow  # real model_signing and sigstore signatures, each command a fresh process

IBM_IDENTITY = "stefanb@us.ibm.com"
IBM_ISSUER = "https://sigstore.verify.ibm.com/oauth2"
MODEL_SIGNING = str(Path(sys.executable).parent / "model_signing")


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return dest


@pytest.fixture
def keyless_model(tmp_path: Path) -> Path:
    return _copy(fixture_path("model-signing", "v1.1.0-sigstore"), tmp_path / "keyless")


@pytest.fixture
def key_model(tmp_path: Path) -> Path:
    return _copy(fixture_path("model-signing", "v1.1.0-elliptic-key"), tmp_path / "keyed")


def _verify_keyless(model: Path, identity: str = IBM_IDENTITY, issuer: str = IBM_ISSUER) -> subprocess.CompletedProcess[str]:
    return run_mlaudit("verify", str(model), "--identity", identity, "--issuer", issuer, "--offline")


def test_keyless_fixture_verifies_offline(keyless_model: Path) -> None:
    proc = _verify_keyless(keyless_model)
    assert proc.returncode == 0, proc.stderr
    assert "2 file(s) of v1.1.0-sigstore match" in proc.stdout
    assert f"signed by {IBM_IDENTITY} ({IBM_ISSUER})" in proc.stdout


def test_keyless_tampered_byte_is_named(keyless_model: Path) -> None:
    target = keyless_model / "signme-1"
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    proc = _verify_keyless(keyless_model)
    assert proc.returncode == 1
    assert "changed: signme-1" in proc.stderr
    assert "signme-2" not in proc.stderr


def test_added_file_is_extra_unless_ignored(keyless_model: Path) -> None:
    (keyless_model / "smuggled.bin").write_bytes(b"payload")
    proc = _verify_keyless(keyless_model)
    assert proc.returncode == 1
    assert "extra: smuggled.bin" in proc.stderr
    # files the signature itself ignored (ignore-me) may change freely
    (keyless_model / "smuggled.bin").unlink()
    (keyless_model / "ignore-me").write_text("anything")
    assert _verify_keyless(keyless_model).returncode == 0


def test_missing_file_is_named(keyless_model: Path) -> None:
    (keyless_model / "signme-2").unlink()
    proc = _verify_keyless(keyless_model)
    assert proc.returncode == 1
    assert "missing: signme-2" in proc.stderr


@pytest.mark.parametrize(
    ("identity", "issuer", "message"),
    [
        ("mallory@example.com", IBM_ISSUER, "SANs do not match mallory@example.com"),
        (IBM_IDENTITY, "https://accounts.google.com", "https://accounts.google.com"),
    ],
)
def test_wrong_identity_or_issuer_fails(keyless_model: Path, identity: str, issuer: str, message: str) -> None:
    proc = _verify_keyless(keyless_model, identity, issuer)
    assert proc.returncode == 1
    assert "signature verification failed" in proc.stderr
    assert message in proc.stderr


def test_identities_from_configuration(keyless_model: Path) -> None:
    (keyless_model / "mlaudit.toml").write_text(
        '[signing]\nidentities = ["someone@else.org", "stefanb@us.ibm.com"]\n'
        'issuers = ["https://sigstore.verify.ibm.com/oauth2"]\nignore_paths = ["mlaudit.toml"]\n'
    )
    proc = run_mlaudit("verify", str(keyless_model), "--offline")
    assert proc.returncode == 0, proc.stderr
    proc = run_mlaudit("verify", str(keyless_model), "--offline", "--identity", "someone@else.org")
    assert proc.returncode == 1


def test_keyless_without_expected_signer_is_a_usage_error(keyless_model: Path) -> None:
    proc = run_mlaudit("verify", str(keyless_model), "--offline")
    assert proc.returncode == 2
    assert "--identity and --issuer" in proc.stderr


def test_key_fixture_verifies_with_public_key(key_model: Path) -> None:
    pem = fixture_path("model-signing", "keys", "certificate", "signing-key-pub.pem")
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(pem))
    assert proc.returncode == 0, proc.stderr
    assert "signed by public key sha256:" in proc.stdout
    (key_model / "signme-2").write_bytes(b"tampered")
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(pem))
    assert proc.returncode == 1
    assert "changed: signme-2" in proc.stderr


def _ec_key_pair(directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = directory / "signing.key"
    public = directory / "signing.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _tiny_model(path: Path) -> Path:
    (path / "weights").mkdir(parents=True)
    (path / "weights" / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      " + bytes(64))
    (path / "config.json").write_text('{"hidden": 4}')
    return path


def test_wrong_public_key_fails_clearly(key_model: Path, tmp_path: Path) -> None:
    _private, public = _ec_key_pair(tmp_path)
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(public))
    assert proc.returncode == 1
    assert "public key" in proc.stderr.lower()


def test_mlaudit_signature_verifies_with_model_signing(tmp_path: Path) -> None:
    private, public = _ec_key_pair(tmp_path)
    model = _tiny_model(tmp_path / "model")
    proc = run_mlaudit("sign", str(model), "--key", str(private))
    assert proc.returncode == 0, proc.stderr
    assert (model / "model.sig").is_file()
    ms = subprocess.run([MODEL_SIGNING, "verify", "key", str(model), "--signature", str(model / "model.sig"),
                         "--public_key", str(public)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert ms.returncode == 0, ms.stdout + ms.stderr
    assert "Verification succeeded" in ms.stdout
    # and model_signing notices tampering of what mlaudit signed
    (model / "config.json").write_text('{"hidden": 5}')
    ms = subprocess.run([MODEL_SIGNING, "verify", "key", str(model), "--signature", str(model / "model.sig"),
                         "--public_key", str(public)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert ms.returncode != 0


def test_model_signing_signature_verifies_with_mlaudit(tmp_path: Path) -> None:
    private, public = _ec_key_pair(tmp_path)
    model = _tiny_model(tmp_path / "model")
    ms = subprocess.run([MODEL_SIGNING, "sign", "key", str(model), "--signature", str(model / "model.sig"),
                         "--private_key", str(private)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert ms.returncode == 0, ms.stdout + ms.stderr
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 0, proc.stderr
    assert "2 file(s) of model match" in proc.stdout
    (model / "weights" / "model.safetensors").write_bytes(b"other weights")
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 1
    assert "changed: weights/model.safetensors" in proc.stderr


def test_keyless_bundle_is_not_accepted_for_a_public_key(keyless_model: Path, tmp_path: Path) -> None:
    _private, public = _ec_key_pair(tmp_path)
    proc = run_mlaudit("verify", str(keyless_model), "--public-key", str(public))
    assert proc.returncode == 1
    assert "keyless (Sigstore) signature" in proc.stderr


def test_garbage_signature_is_a_clear_failure(key_model: Path) -> None:
    (key_model / "model.sig").write_text("{not json")
    pem = fixture_path("model-signing", "keys", "certificate", "signing-key-pub.pem")
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(pem))
    assert proc.returncode == 1
    assert "not a readable Sigstore bundle" in proc.stderr


def test_ignore_paths_follow_the_weight_manifest(tmp_path: Path) -> None:
    from mlaudit.config import load_config
    from mlaudit.signing.policy import ignore_paths_for
    from mlaudit.weights.manifest import ManifestEntry, write_manifest

    private, public = _ec_key_pair(tmp_path)
    model = _tiny_model(tmp_path / "model")
    write_manifest(model / "weights.lock.json",
                   [ManifestEntry(name="weights/model.safetensors", size=80, digest="0" * 64)],
                   ignore_paths=["scratch"])
    (model / "mlaudit.toml").write_text('[signing]\nignore_paths = ["notes.txt"]\n')
    assert ignore_paths_for(model, load_config(model), ["extra"]) == ["extra", "notes.txt", "scratch"]
    assert run_mlaudit("sign", str(model), "--key", str(private)).returncode == 0
    (model / "scratch").mkdir()
    (model / "scratch" / "tmp.bin").write_bytes(b"scratch space")
    (model / "notes.txt").write_text("free to change")
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 0, proc.stderr
    (model / "weights.lock.json").write_text("{}")  # the manifest itself is signed
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 1 and "changed: weights.lock.json" in proc.stderr


def test_missing_or_hostile_signature_fails_verification(key_model: Path) -> None:
    pem = fixture_path("model-signing", "keys", "certificate", "signing-key-pub.pem")
    (key_model / "model.sig").write_text('{"dsseEnvelope": {"payload": "!!", "signatures": []}, '
                                         '"verificationMaterial": {"publicKey": {"hint": "x"}}}')
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(pem))
    assert proc.returncode == 1 and "signature verification failed" in proc.stderr
    assert "Traceback" not in proc.stderr
    (key_model / "model.sig").unlink()
    proc = run_mlaudit("verify", str(key_model), "--public-key", str(pem))
    assert proc.returncode == 1 and "signature not found" in proc.stderr


def test_sharded_signature_from_model_signing_api(tmp_path: Path) -> None:
    """`model_signing` can also hash files in shards; mlaudit re-hashes with the signature's own settings."""
    from model_signing import hashing, signing

    private, public = _ec_key_pair(tmp_path)
    model = _tiny_model(tmp_path / "model")
    (model / "weights" / "big.bin").write_bytes(bytes(range(256)) * 40)  # 10 KiB: several shards
    config = hashing.Config().use_shard_serialization(shard_size=4096)
    config.set_ignored_paths(paths=["model.sig"])
    signing.Config().use_elliptic_key_signer(private_key=private).set_hashing_config(config).sign(
        model, model / "model.sig")
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 0, proc.stderr
    data = bytearray((model / "weights" / "big.bin").read_bytes())
    data[5000] ^= 1
    (model / "weights" / "big.bin").write_bytes(bytes(data))
    proc = run_mlaudit("verify", str(model), "--public-key", str(public))
    assert proc.returncode == 1
    assert "changed: weights/big.bin:4096:8192" in proc.stderr
