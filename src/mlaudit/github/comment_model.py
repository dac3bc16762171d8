"""What the pull-request comment says, computed from the head and base reports.

Pure functions over ``Report``: the pillar table, new / fixed / unchanged
findings, weight files whose digest changed between base and head, and licence
changes. Rendering lives in ``pr_comment``; Git history in ``weight_history``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlaudit.config_change_rules import show
from mlaudit.config_diff import ConfigChange
from mlaudit.model import AcceptedFinding, CheckResult, Finding, Pillar, Report, ReportDiff, Severity, Status

PILLAR_TITLES = {
    Pillar.SECURITY: "Security",
    Pillar.COMPLIANCE: "Compliance",
    Pillar.PERFORMANCE: "Performance",
    Pillar.BIAS_SAFETY: "Bias & safety",
}

# Worst first: the status a pillar shows is the worst of its checks.
_STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN, Status.PASS, Status.SKIPPED)


@dataclass(frozen=True)
class PillarRow:
    """One row of the pillar table."""

    pillar: Pillar
    title: str
    status: Status | None
    """None when no check of this pillar ran in this audit."""
    checks: tuple[str, ...]
    counts: Mapping[str, int]
    new: int

    @property
    def total(self) -> int:
        """Findings of this pillar in the head report."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class WeightCommit:
    """A commit of the pull request that touched a weight file."""

    sha: str
    author: str
    date: str
    subject: str

    def to_json(self) -> dict[str, str]:
        """As stored next to the report artifact."""
        return {"sha": self.sha, "author": self.author, "date": self.date, "subject": self.subject}


@dataclass(frozen=True)
class WeightChange:
    """A weight file added, removed or modified between base and head."""

    path: str
    change: str
    old_digest: str | None
    new_digest: str | None
    old_size: int | None
    new_size: int | None
    commits: tuple[WeightCommit, ...] = ()


@dataclass(frozen=True)
class LicenseChange:
    """A component whose licence appeared, disappeared or changed."""

    component: str
    old: str | None
    new: str | None


MAX_VALUE_CHARS = 300
"""A configuration value longer than this is cut in the comment (the report keeps it whole)."""


@dataclass(frozen=True)
class ConfigChangeRow:
    """One row of "Configuration changed": the key, its values as shown, and the judgement."""

    key: str
    old: str
    new: str
    kind: str
    reason: str


@dataclass(frozen=True)
class ConfigChanges:
    """What the pull request changed in the audit's configuration, from the ``config`` result."""

    rows: tuple[ConfigChangeRow, ...]
    trusted: bool
    base_config: str

    @property
    def loosening(self) -> int:
        """How many changes let more through."""
        return sum(r.kind == "loosening" for r in self.rows)


def _shown(value: object) -> str:
    text = show(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def config_changes(head: Report) -> ConfigChanges | None:
    """The ``config`` check's recorded changes (None when the pull request changed no configuration)."""
    check = head.check("config")
    raw = check.evidence.get("changes") if check else None
    if check is None or not isinstance(raw, list) or not raw:
        return None
    changes = [c for c in (ConfigChange.from_json(item) for item in raw) if c is not None]
    rows = tuple(ConfigChangeRow(c.key, _shown(c.old), _shown(c.new), c.kind, c.reason) for c in changes)
    base = check.evidence.get("base_config")
    return ConfigChanges(rows, check.evidence.get("trusted") is True, base if isinstance(base, str) else "")


@dataclass(frozen=True)
class CommentModel:
    """Everything the comment template needs."""

    head: Report
    base: Report | None
    base_note: str
    diff: ReportDiff
    pillars: tuple[PillarRow, ...]
    weight_changes: tuple[WeightChange, ...]
    license_changes: tuple[LicenseChange, ...]
    run_url: str = ""
    artifact_url: str = ""
    head_sha: str = ""
    waived_here: tuple[AcceptedFinding, ...] = ()
    """Findings a waiver accepts on the head but not on the base: a reviewer must see them."""
    waived_before: tuple[AcceptedFinding, ...] = ()
    """Findings already accepted on the base."""
    config: ConfigChanges | None = None
    """Configuration keys the pull request changed (None: none)."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def new_failing(self) -> tuple[Finding, ...]:
        """New findings at or above the policy threshold."""
        return tuple(f for f in self.diff.new if f.severity.at_least(self.head.fail_on))


def pillar_rows(head: Report, diff: ReportDiff) -> tuple[PillarRow, ...]:
    """One row per pillar, in the design's order, from each check's ``pillar``."""
    new_fps = {f.fingerprint for f in diff.new}
    rows = []
    for pillar in Pillar:
        checks = [c for c in head.checks if c.pillar is pillar]
        counts = {s.value: 0 for s in Severity}
        new = 0
        for check in checks:
            for finding in check.findings:
                counts[finding.severity.value] += 1
                new += finding.fingerprint in new_fps
        statuses = {c.status for c in checks}
        status = next((s for s in _STATUS_ORDER if s in statuses), None)
        rows.append(PillarRow(pillar, PILLAR_TITLES[pillar], status, tuple(c.check_id for c in checks), counts, new))
    return tuple(rows)


def _weight_files(report: Report | None) -> dict[str, Mapping[str, Any]] | None:
    """Digests the weights check recorded, or None when it hashed nothing (no manifest, skipped)."""
    check = report.check("weights") if report else None
    files = check.evidence.get("files") if check else None
    if not isinstance(files, Mapping):
        return None
    return {str(k): v for k, v in files.items() if isinstance(v, Mapping)}


def weight_changes(base: Report | None, head: Report) -> tuple[WeightChange, ...]:
    """Weight files whose digest differs between the base's and the head's weights evidence."""
    old, new = _weight_files(base), _weight_files(head)
    if old is None or new is None:
        # One side has no digests (no manifest, check skipped): every file would look added or removed.
        return ()
    changes = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        old_digest = str(before.get("sha256")) if before else None
        new_digest = str(after.get("sha256")) if after else None
        if old_digest == new_digest:
            continue
        kind = "added" if before is None else "removed" if after is None else "modified"
        changes.append(
            WeightChange(
                path,
                kind,
                old_digest,
                new_digest,
                _int(before.get("size")) if before else None,
                _int(after.get("size")) if after else None,
            )
        )
    return tuple(changes)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _license_map(check: CheckResult | None) -> dict[str, str]:
    """``component -> SPDX expression`` from the licenses check's evidence.

    Reads ``project_license`` and the ``components`` rows (``kind``, ``name``,
    ``license``) the licenses check records, and, generously, any other table
    of ``name -> expression`` (or ``{license|expression|spdx: ...}``), keyed
    ``table/name``.
    """
    if check is None:
        return {}
    found: dict[str, str] = {}
    for section, value in check.evidence.items():
        if isinstance(value, str) and section in ("project", "model", "project_license", "model_license"):
            found[section] = value
        elif isinstance(value, list):
            for row in value:
                if (
                    isinstance(row, Mapping)
                    and isinstance(row.get("name"), str)
                    and isinstance(row.get("license"), str)
                ):
                    kind = row.get("kind") if isinstance(row.get("kind"), str) else section
                    found[f"{kind}/{row['name']}"] = row["license"]
        elif isinstance(value, Mapping):
            for name, item in value.items():
                expr = (
                    item
                    if isinstance(item, str)
                    else next(
                        (
                            item[k]
                            for k in ("license", "expression", "spdx")
                            if isinstance(item, Mapping) and isinstance(item.get(k), str)
                        ),
                        None,
                    )
                )
                if isinstance(expr, str):
                    found[f"{section}/{name}"] = expr
    return found


def license_changes(base: Report | None, head: Report) -> tuple[LicenseChange, ...]:
    """Components whose licence changed between base and head (empty without a licenses check)."""
    if base is None:
        return ()
    old, new = _license_map(base.check("licenses")), _license_map(head.check("licenses"))
    return tuple(
        LicenseChange(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    )


def _worst_first(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.rule, f.path or "", f.line or 0)))


def _accepted(report: Report | None) -> tuple[AcceptedFinding, ...]:
    return tuple(a for c in report.checks for a in c.accepted) if report else ()


def build_comment_model(
    head: Report,
    base: Report | None,
    *,
    base_note: str = "",
    commits: Mapping[str, Sequence[WeightCommit]] | None = None,
    run_url: str = "",
    artifact_url: str = "",
    head_sha: str = "",
) -> CommentModel:
    """The comment's content: ``base`` None means every head finding counts as new."""
    raw = head.diff(base) if base is not None else head.diff(())
    diff = ReportDiff(new=_worst_first(raw.new), fixed=_worst_first(raw.fixed), unchanged=_worst_first(raw.unchanged))
    changes = tuple(
        WeightChange(
            c.path,
            c.change,
            c.old_digest,
            c.new_digest,
            c.old_size,
            c.new_size,
            tuple((commits or {}).get(c.path, ())),
        )
        for c in weight_changes(base, head)
    )
    base_waived = {a.finding.fingerprint for a in _accepted(base)}
    waived = _accepted(head)
    return CommentModel(
        # Without a base nothing can be said to be added here: all count as accepted before.
        waived_here=tuple(a for a in waived if base is not None and a.finding.fingerprint not in base_waived),
        waived_before=tuple(a for a in waived if base is None or a.finding.fingerprint in base_waived),
        head=head,
        base=base,
        base_note=base_note,
        diff=diff,
        pillars=pillar_rows(head, diff),
        weight_changes=changes,
        license_changes=license_changes(base, head),
        run_url=run_url,
        artifact_url=artifact_url,
        head_sha=head_sha,
        config=config_changes(head),
    )
