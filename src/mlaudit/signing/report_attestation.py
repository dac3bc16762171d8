"""The signed audit report: an in-toto attestation whose subject is the model's root digest.

The subject is the weight manifest's root digest (the same digest OMS puts in
``model.sig``), so the attestation binds "these weights" to "this audit, with
this status". A release gate verifies the signature and signer, recomputes the
root digest from the weights on disk and requires the status it wants.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.errors import UsageError
from mlaudit.signing.oms_sign import SigningKey, make_signer
from mlaudit.signing.oms_verify import ExpectedSigner, SignatureInvalid

PREDICATE_TYPE = "https://mlaudit.dev/attestation/audit-report/v1"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"


@dataclass(frozen=True)
class AuditAttestation:
    """What a verified attestation says."""

    subject_name: str
    subject_digest: str
    status: str
    report_sha256: str
    report: dict[str, Any]
    signer: str


def canonical_report(report_json: dict[str, Any]) -> str:
    """The report's canonical JSON text (sorted keys, no spaces)."""
    return json.dumps(report_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def report_digest(report_json: dict[str, Any]) -> str:
    """SHA-256 of the report's canonical JSON."""
    return hashlib.sha256(canonical_report(report_json).encode("utf-8")).hexdigest()


class _StatementPayload:
    """Quacks like ``model_signing``'s ``Payload``: its signers read ``payload.statement.pb``."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement


def build_statement(report_json: dict[str, Any], subject_name: str, root_digest: str) -> Any:
    """The in-toto statement over the model digest, the report in its predicate.

    The report travels as its canonical JSON text: the statement is a protobuf
    ``Struct`` on the way to the signer, which would turn every integer into a
    float and change the report's digest.
    """
    from in_toto_attestation.v1 import statement  # type: ignore[import-untyped]

    subject = statement.ResourceDescriptor(name=subject_name, digest={"sha256": root_digest}).pb
    predicate = {
        "status": report_json["status"],
        "reportSha256": report_digest(report_json),
        "tool": report_json["tool"],
        "report": canonical_report(report_json),
    }
    return statement.Statement(subjects=[subject], predicate_type=PREDICATE_TYPE, predicate=predicate)


def sign_report(report_json: dict[str, Any], subject_name: str, root_digest: str, key: SigningKey,
                out: Path) -> Path:
    """Sign the report as an attestation (Sigstore bundle with a DSSE envelope) into ``out``."""
    signature = make_signer(key).sign(_StatementPayload(build_statement(report_json, subject_name, root_digest)))
    out.parent.mkdir(parents=True, exist_ok=True)
    signature.write(out)
    return out


def verify_attestation(path: Path, expected: ExpectedSigner) -> AuditAttestation:
    """Check the attestation's signature and signer; return what it attests."""
    payload_type, payload, signer = _verified_payload(path, expected)
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise SignatureInvalid(f"{path}: payload type {payload_type!r} is not an in-toto statement")
    try:
        data = json.loads(payload)
        if data.get("predicateType") != PREDICATE_TYPE:
            raise SignatureInvalid(f"{path}: not an mlaudit audit attestation ({data.get('predicateType')!r})")
        subject = data["subject"][0]
        predicate = data["predicate"]
        report = json.loads(predicate["report"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise SignatureInvalid(f"{path}: malformed attestation statement ({exc})") from None
    if report_digest(report) != predicate.get("reportSha256") or report.get("status") != predicate.get("status"):
        raise SignatureInvalid(f"{path}: the embedded report does not match its recorded digest or status")
    return AuditAttestation(
        subject_name=str(subject.get("name", "")),
        subject_digest=str(subject.get("digest", {}).get("sha256", "")),
        status=str(predicate["status"]),
        report_sha256=str(predicate["reportSha256"]),
        report=report,
        signer=signer,
    )


def _verified_payload(path: Path, expected: ExpectedSigner) -> tuple[str, bytes, str]:
    from mlaudit.signing import oms_verify

    kind = oms_verify.bundle_kind(path)
    try:
        if kind == "key":
            from model_signing._signing import sign_ec_key, sign_sigstore_pb

            if expected.public_key is None:
                raise UsageError(f"{path} was signed with a key: give --public-key")
            bundle: Any = sign_sigstore_pb.Signature.read(path)
            payload_type, payload = sign_ec_key.Verifier(expected.public_key)._verify_signed_content(bundle)
            return payload_type, payload, f"public key sha256:{bundle.bundle.verification_material.public_key.hint}"
        from model_signing._signing import sign_sigstore

        sig = sign_sigstore.Signature.read(path)
        verifier = oms_verify.sigstore_verifier(expected)
        payload_type, payload = verifier.verify_dsse(bundle=sig.bundle, policy=oms_verify.identity_policy(expected))
        return payload_type, payload, oms_verify.certificate_identity(sig.bundle)
    except (UsageError, SignatureInvalid):
        raise
    except Exception as exc:  # noqa: BLE001 - sigstore, cryptography and protobuf raise many types
        raise SignatureInvalid(f"{path}: attestation verification failed: {oms_verify.failure_reason(exc)}") from None
