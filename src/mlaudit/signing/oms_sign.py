"""Sign a model directory into ``model.sig`` in the OMS format, with a key or keyless (Sigstore).

The manifest, the in-toto payload and the bundle are ``model_signing``'s own
(``hashing.Config``, ``signing.Payload``, its elliptic-key signer), so
``model_signing verify`` accepts what we write. Keyless signing builds its
signing context from a trust config we choose: ``model_signing``'s Sigstore
signer always refreshes the TUF root online first, which an air-gapped
verifier cannot follow and tests cannot run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlaudit.errors import MlauditError, UsageError


class SigningFailed(MlauditError):
    """Signing could not complete (bad key, no identity token, Sigstore unreachable)."""


@dataclass(frozen=True)
class SigningKey:
    """How to sign: a local private key, or keyless with an identity token / ambient OIDC."""

    private_key: Path | None = None
    password: str | None = None
    identity_token: str | None = None
    instance: Literal["production", "staging"] = "production"
    offline_trust_root: bool = False
    """Use the trust root bundled with sigstore instead of refreshing it (signing itself still needs Sigstore)."""


@dataclass(frozen=True)
class SignatureWritten:
    """What ``sign_model`` signed."""

    path: Path
    model_name: str
    root_digest: str
    files: int


def _statement_bytes(statement: Any) -> bytes:
    from google.protobuf import json_format  # type: ignore[import-untyped]

    return bytes(json_format.MessageToJson(statement.pb).encode("utf-8"))


class KeylessSigner:
    """Sign an in-toto statement with Sigstore (Fulcio certificate + Rekor entry) into a bundle."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key

    def identity_token(self) -> Any:
        """The explicit identity token, else the ambient one (GitHub Actions OIDC and others)."""
        from sigstore.oidc import IdentityError, IdentityToken, detect_credential

        raw = self._key.identity_token
        if not raw:
            try:
                raw = detect_credential()
            except IdentityError as exc:
                raise SigningFailed(f"could not get an ambient identity token: {exc}") from None
        if not raw:
            raise SigningFailed(
                "keyless signing needs an identity: pass --identity-token, run in GitHub Actions with "
                "`permissions: id-token: write`, or sign with --key"
            )
        try:
            return IdentityToken(raw)
        except IdentityError as exc:
            raise SigningFailed(f"the identity token is not usable: {exc}") from None

    def sign(self, payload: Any) -> Any:
        """Sign ``payload.statement`` (model_signing's ``Payload`` or an attestation) as DSSE."""
        from model_signing._signing import sign_sigstore
        from sigstore import dsse
        from sigstore.models import ClientTrustConfig
        from sigstore.sign import SigningContext

        token = self.identity_token()
        factory = ClientTrustConfig.staging if self._key.instance == "staging" else ClientTrustConfig.production
        try:
            context = SigningContext.from_trust_config(factory(offline=self._key.offline_trust_root))
        except Exception as exc:  # noqa: BLE001 - TUF and network errors come in many types
            raise SigningFailed(f"cannot load the Sigstore trust root: {exc}") from None
        statement = dsse.Statement(_statement_bytes(payload.statement))
        with context.signer(token) as signer:
            bundle = signer.sign_dsse(statement)
        return sign_sigstore.Signature(bundle)


def make_signer(key: SigningKey) -> Any:
    """A ``model_signing``-compatible signer (``sign(payload) -> Signature``)."""
    if key.private_key is None:
        return KeylessSigner(key)
    from model_signing._signing import sign_ec_key

    if not key.private_key.is_file():
        raise UsageError(f"{key.private_key}: private key not found")
    try:
        return sign_ec_key.Signer(key.private_key, key.password)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"{key.private_key}: not a usable EC private key (P-256/384/521 PEM): {exc}"
        ) from None


def sign_model(model_dir: Path, sig_path: Path, key: SigningKey, *, ignore_paths: Sequence[str] = (),
               ignore_git_paths: bool = True) -> SignatureWritten:
    """Hash ``model_dir`` as ``model_signing`` does and write its signature to ``sig_path``."""
    from model_signing import hashing
    from model_signing._signing import signing as oms

    if not model_dir.is_dir():
        raise UsageError(f"{model_dir}: not a directory")
    ignored = [*ignore_paths]
    try:
        ignored.append(sig_path.resolve().relative_to(model_dir.resolve()).as_posix())
    except ValueError:
        pass
    signer = make_signer(key)
    config = hashing.Config()  # type: ignore[no-untyped-call]
    config.set_ignored_paths(paths=sorted(set(ignored)), ignore_git_paths=ignore_git_paths)
    try:
        manifest = config.hash(model_dir)
    except (OSError, ValueError) as exc:
        raise SigningFailed(f"{model_dir}: cannot hash the model: {exc}") from None
    payload = oms.Payload(manifest)
    signature = signer.sign(payload)
    sig_path.parent.mkdir(parents=True, exist_ok=True)
    signature.write(sig_path)
    statement = json.loads(_statement_bytes(payload.statement))
    return SignatureWritten(
        path=sig_path,
        model_name=manifest.model_name,
        root_digest=statement["subject"][0]["digest"]["sha256"],
        files=len(statement["predicate"]["resources"]),
    )
