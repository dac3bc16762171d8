"""Verify an OMS signature (``model.sig``) and compare what it lists with the files on disk.

Two steps, both on ``model_signing``'s own formats and hashing:

1. the signature: a key-based bundle is checked with the public key by
   ``model_signing``'s elliptic-key verifier; a keyless (Sigstore) bundle is
   checked by sigstore-python against the trust root bundled with it
   (``Verifier.production(offline=True)``) and an identity policy. We do not use
   ``model_signing``'s Sigstore verifier because it refreshes the TUF trust root
   over the network first, which fails offline (air-gapped runners, tests);
2. the files: the model directory is hashed with the serialization settings the
   signature records (method, hash, ignore paths) and every difference is named
   (changed, missing, extra), not just "mismatch".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlaudit.errors import MlauditError, UsageError
from mlaudit.formats.bounded_json import loads_json
from mlaudit.signing.model_files import compare_files, hash_like_signature

MAX_SIGNATURE_BYTES = 64 * 1024 * 1024
"""A bundle lists one digest per file: even a million-file model stays far below this."""


class SignatureInvalid(MlauditError):
    """The signature does not hold: bad signature, wrong signer, or files that differ (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class ExpectedSigner:
    """Whom a signature must come from: a public key, or identities and issuers (keyless)."""

    public_key: Path | None = None
    identities: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    instance: Literal["production", "staging"] = "production"
    offline: bool = True


@dataclass(frozen=True)
class SignedManifest:
    """What a verified signature vouches for."""

    model_name: str
    root_digest: str
    resources: dict[str, str]
    """Resource identifier (file name, or ``name:start:end`` for shards) -> hex digest."""
    serialization: dict[str, Any]
    signer: str
    """Who signed: ``identity (issuer)`` for keyless, ``public key sha256:<hint>`` for keys."""


def bundle_kind(sig_path: Path) -> str:
    """``key`` or ``keyless``: how the bundle at ``sig_path`` says it was signed."""
    try:
        size = sig_path.stat().st_size
        if size > MAX_SIGNATURE_BYTES:
            raise SignatureInvalid(f"{sig_path}: {size} bytes, too large for a signature bundle")
        data = loads_json(sig_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SignatureInvalid(f"{sig_path}: signature not found (sign with `mlaudit sign`)") from None
    except (OSError, ValueError) as exc:
        raise SignatureInvalid(f"{sig_path}: not a readable Sigstore bundle ({exc})") from None
    material = data.get("verificationMaterial") if isinstance(data, dict) else None
    if not isinstance(material, dict) or "dsseEnvelope" not in data:
        raise SignatureInvalid(f"{sig_path}: not an OMS signature (no DSSE envelope / verification material)")
    if "publicKey" in material:
        return "key"
    if "certificate" in material or "x509CertificateChain" in material:
        return "keyless"
    raise SignatureInvalid(f"{sig_path}: unknown verification material {sorted(material)}")


def identity_policy(expected: ExpectedSigner) -> Any:
    """The sigstore policy accepting any expected identity with any expected issuer."""
    from sigstore.verify import policy

    if not expected.identities or not expected.issuers:
        raise UsageError(
            "a keyless signature needs the expected signer: give --identity and --issuer "
            "(or set identities and issuers in [tool.mlaudit.signing])"
        )
    pairs: list[policy.VerificationPolicy] = [
        policy.Identity(identity=i, issuer=s) for i in expected.identities for s in expected.issuers
    ]
    return pairs[0] if len(pairs) == 1 else policy.AnyOf(pairs)


def sigstore_verifier(expected: ExpectedSigner) -> Any:
    """A sigstore verifier on the bundled trust root (``offline``) or a refreshed one."""
    from sigstore.verify import Verifier

    factory = Verifier.staging if expected.instance == "staging" else Verifier.production
    return factory(offline=expected.offline)


def verify_signature(sig_path: Path, expected: ExpectedSigner) -> SignedManifest:
    """Check the signature's cryptography and signer; return the manifest it vouches for."""
    kind = bundle_kind(sig_path)
    try:
        if kind == "key":
            from model_signing._signing import sign_ec_key, sign_sigstore_pb

            if expected.public_key is None:
                raise UsageError(f"{sig_path} was signed with a key: give --public-key (or signing.public_key)")
            if not expected.public_key.is_file():
                raise UsageError(f"{expected.public_key}: public key not found")
            bundle: Any = sign_sigstore_pb.Signature.read(sig_path)
            verifier: Any = sign_ec_key.Verifier(expected.public_key)
            hint = bundle.bundle.verification_material.public_key.hint or "unknown"
            signer = f"public key sha256:{hint}"
        else:
            from model_signing._signing import sign_sigstore

            if expected.public_key is not None and not expected.identities:
                raise SignatureInvalid(
                    f"{sig_path} is a keyless (Sigstore) signature, not one made with {expected.public_key}; "
                    "verify it with --identity and --issuer"
                )
            bundle = sign_sigstore.Signature.read(sig_path)
            verifier = _OfflineSigstoreVerifier(sigstore_verifier(expected), identity_policy(expected))
            signer = certificate_identity(bundle.bundle)
        manifest = verifier.verify(bundle)
    except MlauditError:
        raise
    except Exception as exc:  # noqa: BLE001 - sigstore, cryptography and protobuf raise many types
        raise SignatureInvalid(f"{sig_path}: signature verification failed: {failure_reason(exc)}") from None
    resources = {str(rd.identifier): rd.digest.digest_hex for rd in manifest.resource_descriptors()}
    from model_signing._hashing import memory

    hasher = memory.SHA256()
    for rd in manifest.resource_descriptors():
        hasher.update(rd.digest.digest_value)
    return SignedManifest(
        model_name=manifest.model_name,
        root_digest=hasher.compute().digest_hex,
        resources=resources,
        serialization=dict(manifest.serialization_type),
        signer=signer,
    )


def failure_reason(exc: Exception) -> str:
    """A human reason for a verification exception."""
    text = str(exc) or type(exc).__name__
    if type(exc).__name__ == "InvalidSignature":
        return "the signature does not match the signed content or the public key"
    return text


def certificate_identity(bundle: Any) -> str:
    """``identity (issuer)`` read from a keyless bundle's signing certificate."""
    from cryptography import x509

    cert = bundle.signing_certificate
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(v) for v in san.get_values_for_type(x509.RFC822Name)]
        names += [str(v) for v in san.get_values_for_type(x509.UniformResourceIdentifier)]
    except x509.ExtensionNotFound:
        names = []
    issuer_oid = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
    try:
        issuer = cert.extensions.get_extension_for_oid(issuer_oid).value.value.decode()
    except (x509.ExtensionNotFound, AttributeError, UnicodeDecodeError):
        issuer = "?"
    return f"{', '.join(names) or '?'} ({issuer})"


class _OfflineSigstoreVerifier:
    """``model_signing``'s verifier contract on a sigstore verifier we configured (offline)."""

    def __init__(self, verifier: Any, identity_policy: Any) -> None:
        from model_signing._signing import signing as oms

        class _Impl(oms.Verifier):
            def _verify_signed_content(self, signature: Any) -> tuple[str, bytes]:
                result: tuple[str, bytes] = verifier.verify_dsse(bundle=signature.bundle, policy=identity_policy)
                return result

        self._impl = _Impl()

    def verify(self, signature: Any) -> Any:
        """Verify and expand to a ``model_signing`` manifest."""
        return self._impl.verify(signature)


def verify_model(model_dir: Path, sig_path: Path, expected: ExpectedSigner, *,
                 ignore_paths: Sequence[str] = (), ignore_git_paths: bool = True) -> SignedManifest:
    """Verify the signature and the files; raises ``SignatureInvalid`` naming every difference."""
    if not model_dir.is_dir():
        raise UsageError(f"{model_dir}: not a directory")
    signed = verify_signature(sig_path, expected)
    own = _relative_inside(sig_path, model_dir)
    on_disk = hash_like_signature(model_dir, signed, ignore_paths=[*ignore_paths, *own],
                                  ignore_git_paths=ignore_git_paths)
    differences = compare_files(signed, on_disk)
    if differences:
        lines = differences.describe()
        raise SignatureInvalid(
            f"{model_dir}: the files differ from the signature ({len(lines)} difference(s)):\n  "
            + "\n  ".join(lines)
        )
    return signed


def _relative_inside(path: Path, root: Path) -> list[str]:
    try:
        return [path.resolve().relative_to(root.resolve()).as_posix()]
    except ValueError:
        return []
