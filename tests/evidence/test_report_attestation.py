"""`mlaudit audit --sign` attests the report about the weights; `mlaudit verify --attestation` is the gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


def _key_pair(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / "audit.key", directory / "audit.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A model with a manifest, signed (model.sig), audited and attested: (model, attestation, public key, private key)."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights-v1" * 1000)
    assert run_mlaudit("hash", str(model), "--update").returncode == 0
    private, public = _key_pair(tmp_path)
    signed = run_mlaudit("sign", str(model), "--key", str(private))
    assert signed.returncode == 0, signed.stderr
    attestation = tmp_path / "out" / "attestation.json"
    proc = run_mlaudit("audit", str(model), "--only", "weights", "--format", "json", "--output",
                       str(tmp_path / "out" / "report.json"), "--sign", "--key", str(private),
                       "--attestation", str(attestation))
    assert proc.returncode == 0, proc.stderr
    assert "signed report attestation for weights sha256:" in proc.stderr
    return model, attestation, public, private


def test_attestation_is_an_in_toto_statement_about_the_root_digest(audited: tuple[Path, Path, Path, Path]) -> None:
    import base64

    model, attestation, _public, _private = audited
    bundle = json.loads(attestation.read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    manifest = json.loads((model / "weights.lock.json").read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"][0]["digest"]["sha256"] == manifest["root_digest"]["sha256"]
    assert statement["predicate"]["status"] == "pass"
    report = json.loads((attestation.parent / "report.json").read_text())
    assert json.loads(statement["predicate"]["report"]) == report


def test_gate_accepts_the_audited_weights(audited: tuple[Path, Path, Path, Path]) -> None:
    model, attestation, public, _private = audited
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public))
    assert proc.returncode == 0, proc.stderr
    assert "audit pass of model" in proc.stdout
    assert "model.sig: OK" in proc.stdout
    assert "model signature verified" in proc.stdout


def test_gate_refuses_a_missing_model_signature(audited: tuple[Path, Path, Path, Path]) -> None:
    model, attestation, public, _private = audited
    (model / "model.sig").unlink()
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public))
    assert proc.returncode == 1
    assert "model signature is missing" in proc.stderr
    assert "OK" not in proc.stdout


def test_gate_without_signature_only_when_asked_and_says_so(audited: tuple[Path, Path, Path, Path]) -> None:
    model, attestation, public, _private = audited
    (model / "model.sig").unlink()
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public),
                       "--no-signature")
    assert proc.returncode == 0, proc.stderr
    assert "model signature not checked (--no-signature)" in proc.stdout
    assert "WARNING" in proc.stdout


def test_gate_with_no_signature_still_checks_a_present_signature(audited: tuple[Path, Path, Path, Path]) -> None:
    model, attestation, public, _private = audited
    _other_private, _other_public = _key_pair(model.parent / "other")
    assert run_mlaudit("sign", str(model), "--key", str(_other_private)).returncode == 0  # a stranger's signature
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public),
                       "--no-signature")
    assert proc.returncode == 1
    assert "audit pass" not in proc.stdout


def test_gate_refuses_changed_weights(audited: tuple[Path, Path, Path, Path]) -> None:
    model, attestation, public, _private = audited
    (model / "model.safetensors").write_bytes(b"weights-v2" * 1000)
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public))
    assert proc.returncode == 1  # the model signature no longer holds
    (model / "model.sig").unlink()
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(public),
                       "--no-signature")
    assert proc.returncode == 1
    assert "the weights on disk have root digest" in proc.stderr


def test_gate_refuses_a_failed_audit(audited: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    model, _attestation, public, private = audited
    (model / "extra.safetensors").write_bytes(b"unrecorded")
    failed = tmp_path / "failed.json"
    proc = run_mlaudit("audit", str(model), "--only", "weights", "--sign", "--key", str(private),
                       "--attestation", str(failed))
    assert proc.returncode == 1
    proc = run_mlaudit("verify", str(model), "--attestation", str(failed), "--public-key", str(public),
                       "--no-signature", "--ignore", "extra.safetensors")
    assert proc.returncode == 1
    assert "status 'fail'" in proc.stderr


def test_gate_refuses_an_edited_attestation_and_a_wrong_key(audited: tuple[Path, Path, Path, Path],
                                                            tmp_path: Path) -> None:
    import base64

    model, attestation, public, _private = audited
    bundle = json.loads(attestation.read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    statement["predicate"]["status"] = "pass"
    statement["predicate"]["report"] = statement["predicate"]["report"].replace('"fail"', '"pass"')
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(bundle))
    proc = run_mlaudit("verify", str(model), "--attestation", str(edited), "--public-key", str(public))
    assert proc.returncode == 1
    assert "verification failed" in proc.stderr
    _other_private, other_public = _key_pair(tmp_path)
    proc = run_mlaudit("verify", str(model), "--attestation", str(attestation), "--public-key", str(other_public))
    assert proc.returncode == 1


def test_no_attestation_for_weights_changed_after_the_audit(tmp_path: Path) -> None:
    """The weights are read again when signing and must be what the audit's weights check judged."""
    from mlaudit.config import load_config
    from mlaudit.context import AuditContext
    from mlaudit.engine import run_audit
    from mlaudit.signing.gate import attest_audit
    from mlaudit.signing.oms_sign import SigningKey
    from mlaudit.signing.oms_verify import SignatureInvalid

    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights-v1" * 1000)
    assert run_mlaudit("hash", str(model), "--update").returncode == 0
    private, _public = _key_pair(tmp_path)
    config = load_config(model)
    report = run_audit(AuditContext(model, config), only=["weights"])
    assert report.status.value == "pass"
    (model / "model.safetensors").write_bytes(b"weights-XX" * 1000)  # swapped after the audit, before signing
    out = tmp_path / "attestation.json"
    with pytest.raises(SignatureInvalid, match="changed after the audit"):
        attest_audit(report.to_json(), model, config, SigningKey(private_key=private), out)
    assert not out.exists()
    (model / "model.safetensors").write_bytes(b"weights-v1" * 1000)
    assert attest_audit(report.to_json(), model, config, SigningKey(private_key=private), out)
    assert out.exists()
