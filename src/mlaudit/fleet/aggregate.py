"""Stream the fleet's reports into summary tables: states, coverage by tier, pillars, findings by rule, signatures.

Each report is read, folded into the tables and dropped, so memory grows with
the inventory and the number of distinct rules, never with report sizes.

States: ``missing`` (no report: never audited), ``errored`` (unreadable report,
or a check that errored), ``stale`` (older than ``fresh_days``), ``failing``,
``passing``. A repository is *covered* when its audit is fresh and complete
(passing or failing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.fleet.inventory import TIERS, Inventory, RepositoryEntry
from mlaudit.fleet.report_reader import (
    TRACKED_SEVERITIES,
    FindingDigest,
    ReportProblem,
    ReportSummary,
    read_report,
    report_files,
)
from mlaudit.model import Severity, Status

STATES = ("passing", "failing", "errored", "stale", "missing")
COVERED = ("passing", "failing")
RULE_SAMPLE = 10


@dataclass
class RepositoryRow:
    """One repository of the inventory and what its latest report says."""

    entry: RepositoryEntry
    state: str = "missing"
    reason: str = "never audited: no report"
    file: str = ""
    generated_at: dt.datetime | None = None
    status: str = ""
    pillars: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    signed: bool = False
    tracked: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Open findings of tracked severities: fingerprint -> (rule, severity)."""
    drift: tuple[str, ...] = ()
    """Fingerprints of open drift findings."""
    read: bool = False
    """True when a readable report was found (its findings are known)."""


@dataclass
class RuleGroup:
    """Open findings of one rule across the fleet."""

    rule: str
    severity: Severity
    findings: int = 0
    repositories: list[str] = field(default_factory=list)
    repository_count: int = 0
    message: str = ""


@dataclass
class FleetTables:
    """Everything the renderers and the SLOs need, built in one pass over the reports."""

    now: dt.datetime
    fresh_days: int
    rows: dict[str, RepositoryRow]
    rules: dict[str, RuleGroup]
    problems: list[ReportProblem]
    reports_read: int = 0

    def rows_in_order(self) -> list[RepositoryRow]:
        """Rows by tier (high first), then name."""
        order = {t: i for i, t in enumerate(TIERS)}
        return sorted(self.rows.values(), key=lambda r: (order[r.entry.tier], r.entry.name.lower()))

    def coverage(self) -> dict[str, dict[str, int | float | None]]:
        """Per tier and ``all``: total, covered, percent (None for an empty tier), and the count of every state."""
        table: dict[str, dict[str, int | float | None]] = {}
        for tier in (*TIERS, "all"):
            rows = [r for r in self.rows.values() if tier == "all" or r.entry.tier == tier]
            counts = {state: sum(1 for r in rows if r.state == state) for state in STATES}
            covered = sum(counts[s] for s in COVERED)
            percent = round(100.0 * covered / len(rows), 1) if rows else None
            table[tier] = {"total": len(rows), "covered": covered, "percent": percent, **counts}
        return table

    def pillars(self) -> dict[str, dict[str, int]]:
        """Per pillar: how many repositories (with a readable report) are pass/fail/warn/skipped/error."""
        table: dict[str, dict[str, int]] = {}
        for row in self.rows.values():
            for pillar, status in row.pillars.items():
                table.setdefault(pillar, {s.value: 0 for s in Status})[status] += 1
        return dict(sorted(table.items()))

    def top_rules(self, limit: int = 25) -> list[RuleGroup]:
        """The most severe open findings grouped by rule: severity, then repositories reached, then count."""
        ranked = sorted(self.rules.values(), key=lambda g: (-g.severity.rank, -g.repository_count, -g.findings, g.rule))
        return ranked[:limit]

    def unsigned(self) -> list[str]:
        """Repositories with a readable report but no signature next to it."""
        return [r.entry.name for r in self.rows_in_order() if r.read and not r.signed]


def aggregate_reports(inventory: Inventory, reports_dir: Path, *, now: dt.datetime) -> FleetTables:
    """Read every report under ``reports_dir`` once and build the tables."""
    rows = {name: RepositoryRow(entry) for name, entry in inventory.by_name().items()}
    tables = FleetTables(now, inventory.fleet.fresh_days, rows, {}, [])
    for path in report_files(reports_dir):
        display = str(path.relative_to(reports_dir))
        result = read_report(path, display)
        tables.reports_read += 1
        if isinstance(result, ReportProblem):
            tables.problems.append(result)
            row = rows.get((result.repository or "").lower())
            if row is not None and row.state == "missing":
                row.state, row.reason, row.file = "errored", f"report unreadable: {result.message}", display
            continue
        row = rows.get(result.repository.lower())
        if row is None:
            tables.problems.append(ReportProblem(display, f"{result.repository} is not in the inventory; ignored",
                                                 result.repository))
            continue
        if row.read:
            tables.problems.append(ReportProblem(
                display, f"a second report for {row.entry.name} (already read from {row.file}); ignored",
                row.entry.name))
            continue
        _fill_row(row, result, tables)
        if result.signature_problem:
            file, _, message = result.signature_problem.partition(": ")
            tables.problems.append(ReportProblem(file, message, row.entry.name))
    return tables


def _fill_row(row: RepositoryRow, summary: ReportSummary, tables: FleetTables) -> None:
    row.read, row.file, row.generated_at = True, summary.file, summary.generated_at
    row.status, row.pillars, row.counts, row.signed = (
        summary.status.value, summary.pillars, summary.counts, summary.signed)
    row.tracked = {f.fingerprint: (f.rule, f.severity.value) for f in summary.findings
                   if f.severity in TRACKED_SEVERITIES}
    row.drift = tuple(sorted({f.fingerprint for f in summary.findings if f.rule.startswith("drift.")}))
    _fold_rules(tables.rules, row.entry.name, summary.findings)
    age = (tables.now - summary.generated_at).total_seconds() / 86400 if summary.generated_at else None
    if age is None:
        row.state, row.reason = "stale", "the report has no valid generated_at time"
    elif age > tables.fresh_days:
        row.state, row.reason = "stale", f"audited {age:.0f} days ago (fresh means within {tables.fresh_days})"
    elif summary.errored_checks or summary.status is Status.ERROR:
        row.state = "errored"
        row.reason = f"check(s) errored: {', '.join(summary.errored_checks) or 'the audit'}"
    elif summary.status is Status.PASS:
        row.state, row.reason = "passing", "the policy holds"
    else:
        row.state, row.reason = "failing", f"the policy fails ({summary.status.value})"


def _fold_rules(rules: dict[str, RuleGroup], repository: str, findings: tuple[FindingDigest, ...]) -> None:
    seen: set[str] = set()
    for finding in findings:
        group = rules.get(finding.rule)
        if group is None:
            group = rules[finding.rule] = RuleGroup(finding.rule, finding.severity, message=finding.message)
        if finding.severity.rank > group.severity.rank:
            group.severity, group.message = finding.severity, finding.message
        group.findings += 1
        if finding.rule not in seen:
            seen.add(finding.rule)
            group.repository_count += 1
            if len(group.repositories) < RULE_SAMPLE:
                group.repositories.append(repository)
