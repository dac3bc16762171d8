"""``[tool.mlaudit.signing]``: where the signature lives and whom it must come from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SIGNATURE_FILE = "model.sig"


@dataclass(frozen=True)
class SigningOptions:
    """``[tool.mlaudit.signing]``."""

    signature: str = SIGNATURE_FILE
    """The OMS signature file, relative to the model directory."""
    identities: tuple[str, ...] = ()
    """Signer identities (certificate SAN: e-mail or workflow URL) accepted by ``mlaudit verify``."""
    issuers: tuple[str, ...] = ()
    """OIDC issuers accepted with those identities."""
    public_key: str | None = None
    """PEM public key for key-based signatures (private PKI, air-gapped use)."""
    ignore_paths: tuple[str, ...] = ()
    """Paths (relative to the model directory) left out of the signature, besides the weight manifest's."""
    ignore_git_paths: bool = True
    """Leave ``.git``, ``.github``, ``.gitignore`` and ``.gitattributes`` out, as ``model_signing`` does."""
    instance: Literal["production", "staging"] = "production"
    """The Sigstore instance whose trust root verifies keyless signatures."""
