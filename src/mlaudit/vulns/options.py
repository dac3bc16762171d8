"""``[tool.mlaudit.vulns]``: the service, the cache, the severity, and ignores with their reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mlaudit.model import Severity

PUBLIC_OSV_URL = "https://api.osv.dev/v1/query"


@dataclass(frozen=True)
class IgnoredVulnerability:
    """One ``[[tool.mlaudit.vulns.ignore]]`` entry: an advisory id (or alias) and why it is accepted."""

    id: str = ""
    """Advisory id or alias (PYSEC, GHSA, CVE) to ignore."""
    reason: str = ""
    """Why it does not apply (required)."""
    owner: str = ""
    """Who answers for the exception (optional; shown in the report)."""
    expires: Any = None
    """Last day the exception holds (TOML date or "YYYY-MM-DD"; optional): after it the advisory counts again."""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("an ignore entry needs an 'id' (PYSEC-..., GHSA-..., CVE-...)")
        if not self.reason.strip():
            raise ValueError(f"ignoring {self.id} needs a 'reason' (why the vulnerability is accepted)")
        object.__setattr__(self, "expires", _as_date(self.expires, self.id))

    def expired(self, today: dt.date) -> bool:
        """True when the entry has an expiry date before ``today``."""
        return isinstance(self.expires, dt.date) and self.expires < today


def _as_date(value: Any, vuln_id: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"ignoring {vuln_id}: 'expires' must be a date like 2026-06-30, got {value!r}")


@dataclass(frozen=True)
class VulnsOptions:
    """``[tool.mlaudit.vulns]``."""

    osv_url: str = PUBLIC_OSV_URL
    """OSV ``/v1/query`` endpoint used when no local ``advisory_db`` is given."""
    timeout: int = 30
    """Seconds pip-audit waits for each answer."""
    cache_hours: float = 24.0
    """How long answers of a public service are reused (a local snapshot's answers never expire)."""
    severity: Severity = Severity.HIGH
    """Severity of a known vulnerability (advisories carry no common severity)."""
    ignore: tuple[IgnoredVulnerability, ...] = ()
    """Accepted vulnerabilities: ``{ id = "PYSEC-...", reason = "..." }``."""

    def ignored(self, ids: tuple[str, ...]) -> IgnoredVulnerability | None:
        """The ignore entry matching any of ``ids`` (the advisory id and its aliases)."""
        wanted = {i.upper() for i in ids}
        return next((e for e in self.ignore if e.id.strip().upper() in wanted), None)
