"""The one report model every check fills and every renderer reads.

``Report`` -> ``CheckResult`` -> ``Finding``, all frozen. A finding's fingerprint
is stable across runs (it does not depend on line numbers or message wording), so
reports can be diffed (new / fixed / unchanged) and findings can be waived.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


class Severity(str, enum.Enum):
    """How bad a finding is; ordered from most to least severe."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is as bad as ``other`` or worse."""
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Status(str, enum.Enum):
    """Outcome of one check. ``skipped`` and ``error`` are never a pass."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIPPED = "skipped"
    ERROR = "error"


class Pillar(str, enum.Enum):
    """The four pillars of the audit (DESIGN.md); used to group checks in reports."""

    SECURITY = "security"
    COMPLIANCE = "compliance"
    PERFORMANCE = "performance"
    BIAS_SAFETY = "bias-safety"


def make_fingerprint(rule: str, path: str | None, key: str) -> str:
    """Stable identity of a finding: rule, path and a check-chosen key, never the line."""
    import hashlib  # here, not at module level: hooks and `mlaudit scan` start faster without OpenSSL

    raw = "\0".join((rule, path or "", key))
    # surrogateescape: a file name that is not UTF-8 keeps its own bytes (and its own fingerprint)
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """One problem a check found.

    ``key`` distinguishes findings of the same rule in the same file (a package
    name, an import) and feeds the fingerprint; ``details`` carries structured
    facts for renderers (old/new digest, advisory ids) and must be JSON-safe.
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    remediation: str = ""
    key: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    fingerprint: str = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", make_fingerprint(self.rule, self.path, self.key))

    @property
    def check_id(self) -> str:
        """The check this finding belongs to (rule ids start with it)."""
        return self.rule.split(".", 1)[0]

    def to_json(self) -> dict[str, Any]:
        """The finding as the JSON contract spells it."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "remediation": self.remediation,
            "fingerprint": self.fingerprint,
        }
        if self.details:
            data["details"] = dict(self.details)
        return data


@dataclass(frozen=True)
class AcceptedFinding:
    """A finding a live waiver accepts: listed in reports, never counted by the policy."""

    finding: Finding
    waiver: Mapping[str, Any]
    """The waiver that accepts it: how it matched, ``reason``, ``owner``, ``expires``."""

    def to_json(self) -> dict[str, Any]:
        """The finding as the JSON contract spells it, plus its ``waiver``."""
        return {**self.finding.to_json(), "waiver": dict(self.waiver)}


@dataclass(frozen=True)
class CheckResult:
    """What one check returned, with the status the policy gave it."""

    check_id: str
    title: str
    pillar: Pillar
    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()
    duration_s: float = 0.0
    evidence: Mapping[str, Any] = field(default_factory=dict)
    accepted: tuple[AcceptedFinding, ...] = ()
    """Findings accepted by a waiver (``[[tool.mlaudit.waivers]]``); not in ``findings``."""

    @property
    def ran(self) -> bool:
        """False when the check could not run (skipped or error)."""
        return self.status not in (Status.SKIPPED, Status.ERROR)

    def to_json(self) -> dict[str, Any]:
        """The check as the JSON contract spells it (``accepted`` only when a waiver accepted something)."""
        data = {
            "id": self.check_id,
            "title": self.title,
            "pillar": self.pillar.value,
            "status": self.status.value,
            "summary": self.summary,
            "duration_s": round(self.duration_s, 4),
            "findings": [f.to_json() for f in self.findings],
            "evidence": dict(self.evidence),
        }
        if self.accepted:
            data["accepted"] = [a.to_json() for a in self.accepted]
        return data


@dataclass(frozen=True)
class ReportDiff:
    """Findings of a head report compared with a base report, by fingerprint."""

    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]


@dataclass(frozen=True)
class Report:
    """The whole audit: one result per check that was asked for."""

    tool_version: str
    root: str
    status: Status
    fail_on: Severity
    checks: tuple[CheckResult, ...]
    generated_at: str = ""
    config_path: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every check, in check order."""
        return tuple(f for c in self.checks for f in c.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (0 if none)."""
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def check(self, check_id: str) -> CheckResult | None:
        """The result of one check, or None when it was not run."""
        return next((c for c in self.checks if c.check_id == check_id), None)

    def diff(self, base: Report | Iterable[Finding]) -> ReportDiff:
        """New, fixed and unchanged findings of this report against ``base``."""
        base_findings = base.findings if isinstance(base, Report) else tuple(base)
        base_by_fp = {f.fingerprint: f for f in base_findings}
        head_by_fp = {f.fingerprint: f for f in self.findings}
        return ReportDiff(
            new=tuple(f for fp, f in head_by_fp.items() if fp not in base_by_fp),
            fixed=tuple(f for fp, f in base_by_fp.items() if fp not in head_by_fp),
            unchanged=tuple(f for fp, f in head_by_fp.items() if fp in base_by_fp),
        )

    def to_json(self) -> dict[str, Any]:
        """The machine contract (README: JSON report) other tools depend on."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mlaudit", "version": self.tool_version},
            "status": self.status.value,
            "root": self.root,
            "generated_at": self.generated_at,
            "config": self.config_path,
            "fail_on": self.fail_on.value,
            "counts": self.counts(),
            "checks": [c.to_json() for c in self.checks],
        }
