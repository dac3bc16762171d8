"""Verify a single file against a Sigstore bundle (``sigstore sign`` output, ``FILE.sigstore``), offline."""

from __future__ import annotations

from pathlib import Path

from mlaudit.errors import MlauditError, UsageError
from mlaudit.signing.oms_verify import (
    ExpectedSigner,
    SignatureInvalid,
    certificate_identity,
    failure_reason,
    identity_policy,
    sigstore_verifier,
)

BUNDLE_SUFFIXES = (".sigstore", ".sigstore.json")


def default_bundle(artifact: Path) -> Path:
    """``FILE.sigstore`` or ``FILE.sigstore.json``, whichever exists (the first otherwise)."""
    for suffix in BUNDLE_SUFFIXES:
        candidate = artifact.with_name(artifact.name + suffix)
        if candidate.exists():
            return candidate
    return artifact.with_name(artifact.name + BUNDLE_SUFFIXES[0])


def verify_blob(artifact: Path, bundle_path: Path, expected: ExpectedSigner) -> str:
    """Verify ``artifact`` against its bundle and the expected signer; returns who signed it."""
    from sigstore.models import Bundle

    if not artifact.is_file():
        raise UsageError(f"{artifact}: file not found")
    try:
        bundle = Bundle.from_json(bundle_path.read_bytes())
    except FileNotFoundError:
        raise UsageError(f"{bundle_path}: bundle not found") from None
    except Exception as exc:  # noqa: BLE001 - malformed bundles raise many types
        raise SignatureInvalid(f"{bundle_path}: not a readable Sigstore bundle ({failure_reason(exc)})") from None
    try:
        sigstore_verifier(expected).verify_artifact(artifact.read_bytes(), bundle, identity_policy(expected))
    except MlauditError:
        raise
    except Exception as exc:  # noqa: BLE001 - sigstore raises VerificationError and lower-level errors
        raise SignatureInvalid(f"{artifact}: does not verify against {bundle_path}: {failure_reason(exc)}") from None
    return certificate_identity(bundle)
