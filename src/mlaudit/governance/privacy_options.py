"""``[tool.mlaudit.privacy]`` and the loosely typed ``[[tool.mlaudit.data_sources]]`` entries (cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PrivacyOptions:
    """``[tool.mlaudit.privacy]``."""

    register: str = ""
    """The data-source register file; default ``data-sources.yaml`` beside the model card (when present)."""
    scan: bool = True
    """Scan sample data files in the repository for personal data and secrets."""
    include: tuple[str, ...] = ()
    """Extra globs of files to scan (besides CSV, TSV, JSON, JSONL, text and Parquet files)."""
    exclude: tuple[str, ...] = ()
    """Globs of files never scanned."""
    max_file_mb: float = 64.0
    """Work budget per file: text past it is not scanned, and the file is reported as partly scanned (medium)."""
    kinds: tuple[str, ...] = ("email", "phone", "payment-card", "national-id", "ip-address", "secret")
    """What to look for."""
    phone_region: str = "US"
    """Region for phone numbers written without a country code (ISO 3166 alpha-2)."""

    def __post_init__(self) -> None:
        known = {"email", "phone", "payment-card", "national-id", "ip-address", "secret"}
        unknown = sorted(set(self.kinds) - known)
        if unknown:
            raise ValueError(f"unknown kind(s) {', '.join(unknown)} in 'kinds' (known: {', '.join(sorted(known))})")
        if self.max_file_mb <= 0:
            raise ValueError("'max_file_mb' must be positive")


@dataclass(frozen=True)
class DataSourceEntry:
    """One ``[[tool.mlaudit.data_sources]]`` table as written.

    Every field is ``Any`` on purpose: the ``privacy`` check checks the values and
    reports a wrong one as a finding naming the file and the key, as it does
    for ``data-sources.yaml``, instead of stopping the audit.
    """

    name: Any = None
    """Name of the data source (required)."""
    location: Any = None
    """Where the data lives: a URL, or a repository path or glob."""
    dataset: Any = None
    """The model card's ``datasets:`` id this source corresponds to."""
    files: Any = None
    """Repository files (globs) that hold this source's records; the personal-data scan reports them as declared."""
    personal_data: Any = None
    """Whether the source holds personal data (true or false; required)."""
    categories: Any = None
    """Categories of personal data (contact, opinions, ...)."""
    special_categories: Any = None
    """GDPR Art. 9 special categories (health, biometric, ...); they need a ``dpia``."""
    jurisdictions: Any = None
    """Where the data subjects are: EU/EEA/UK or member-state codes (GDPR), US-CA or US (CCPA/CPRA)."""
    lawful_basis: Any = None
    """GDPR Art. 6 basis: consent, contract, legal-obligation, vital-interests, public-task, legitimate-interests."""
    retention: Any = None
    """How long the records are kept, and what happens after."""
    ccpa_sale_or_share: Any = None
    """Whether Californians' data is sold or shared (true or false)."""
    ccpa_opt_out: Any = None
    """The opt-out statement or link; required when the data is sold or shared."""
    dpia: Any = None
    """Reference of the data protection impact assessment; required with special categories."""
