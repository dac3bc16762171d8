"""``[tool.mlaudit.vulns]``: the service, the cache, the severity, and ignores with their reasons."""

from __future__ import annotations

from dataclasses import dataclass

from mlaudit.model import Severity

PUBLIC_OSV_URL = "https://api.osv.dev/v1/query"


@dataclass(frozen=True)
class IgnoredVulnerability:
    """One ``[[tool.mlaudit.vulns.ignore]]`` entry: an advisory id (or alias) and why it is accepted."""

    id: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("an ignore entry needs an 'id' (PYSEC-..., GHSA-..., CVE-...)")
        if not self.reason.strip():
            raise ValueError(f"ignoring {self.id} needs a 'reason' (why the vulnerability is accepted)")


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
