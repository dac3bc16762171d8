"""The settings of a scan, and what the format and container scans need of the scanner that calls them.

A leaf below ``scanner``: ``format_scans`` and ``container_scans`` are handed
the scanner (a ``StreamScanner``) and never import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Protocol

from mlaudit.formats.archive_limits import AuditBudget, ExpansionBudget, ZipLimits
from mlaudit.formats.pickle_scan import PickleLimits
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.policy import ImportPolicy


class ScanSettings:
    """Policy, severities and limits of a scan (a plain class: it is on the scan's start-up path)."""

    def __init__(
        self,
        policy: ImportPolicy | None = None,
        *,
        mislabelled_severity: Severity = Severity.MEDIUM,
        unscanned_severity: Severity = Severity.HIGH,
        max_depth: int = 3,
        max_expanded_bytes: int = 16 << 30,
        expansion_ratio: int = 1000,
        max_seconds: float = 300.0,
        audit_budget: AuditBudget | None = None,
        zip_limits: ZipLimits | None = None,
        pickle_limits: PickleLimits | None = None,
    ) -> None:
        self.policy = policy or ImportPolicy()
        self.mislabelled_severity = mislabelled_severity
        self.unscanned_severity = unscanned_severity
        self.max_depth = max_depth
        self.max_expanded_bytes = max_expanded_bytes
        self.expansion_ratio = expansion_ratio
        self.max_seconds = max_seconds
        self.audit_budget = audit_budget
        self.zip_limits = zip_limits or ZipLimits()
        self.pickle_limits = pickle_limits or PickleLimits()


class StreamScanner(Protocol):
    """The scanner as the per-format scans see it: its settings, the file's expansion budget, recursion."""

    settings: ScanSettings
    budget: ExpansionBudget

    def scan_stream(self, report: FileReport, fh: IO[bytes], size: int | None, *, name: str, member: str,
                    depth: int, head: bytes, folder: Path | None = None, fmt: str | None = None,
                    sniffed: bool = False) -> None:
        """Scan ``fh`` (positioned at its start) whose content begins with ``head``."""
