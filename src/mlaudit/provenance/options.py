"""``[tool.mlaudit.provenance]``: which commits count as signed, and what the provenance check requires."""

from __future__ import annotations

from dataclasses import dataclass

from mlaudit.model import Severity


@dataclass(frozen=True)
class ProvenanceOptions:
    """``[tool.mlaudit.provenance]``."""

    require_signed_commits: bool = True
    """Report weight files changed by commits without a trusted signature."""
    trusted_signatures: tuple[str, ...] = ("G", "U")
    """git ``%G?`` verdicts that count as signed: G good, U good with unknown validity (add E to accept
    signatures this machine cannot check)."""
    unsigned_severity: Severity = Severity.MEDIUM
    """Severity of ``provenance.unsigned-commit`` (bad signatures are always high)."""
    only_pull_request: bool = True
    """In a pull request, judge only its commits (the history before it was judged when it merged)."""
    require_codeowners: bool = True
    """Report weight files no CODEOWNERS rule gives an owner."""
    require_model_card: bool = True
    """Report a missing model card (README.md front matter); off, a README without front matter is no finding
    (a card whose front matter is broken still is)."""
    card_keys: tuple[str, ...] = ("license", "base_model")
    """Model card keys that must be present (``base_model`` does not apply to models trained from scratch)."""
    base_ref: str | None = None
    """The pull request's base branch (default: ``$GITHUB_BASE_REF``)."""
