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
    location: Any = None
    dataset: Any = None
    files: Any = None
    personal_data: Any = None
    categories: Any = None
    special_categories: Any = None
    jurisdictions: Any = None
    lawful_basis: Any = None
    retention: Any = None
    ccpa_sale_or_share: Any = None
    ccpa_opt_out: Any = None
    dpia: Any = None
