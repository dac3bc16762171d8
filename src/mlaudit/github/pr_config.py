"""Which configuration audits a pull request, what the pull request changed in it, and the ``config`` result.

The base branch's configuration (and its waivers) governs unless it says
``trust_pr_config = true``. Either way every key the pull request changes is
listed; while the base does not trust pull requests, each loosening is a
``config.loosened`` finding that fails the policy. Commands, credentials and
state locations (``config_key_rules.BASE_ONLY_KEYS``) always stay the base's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.config import Config, GeneralOptions, load_config
from mlaudit.config_diff import ConfigChange, diff_configs, loosenings
from mlaudit.config_key_rules import BASE_ONLY_KEYS
from mlaudit.errors import ConfigError
from mlaudit.github.base_config import BaseCommitUnavailable, TrustedConfig, base_branch_config, config_label
from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.waivers import SECTION as WAIVERS
from mlaudit.waivers import WaiverOptions, apply_waivers

CHECK_ID = "config"
TRUST_HINT = "set trust_pr_config = true on the base branch to let pull requests configure their own audit"


@dataclass(frozen=True)
class PullRequestConfig:
    """The configuration the head is audited with, the base's, and the pull request's changes."""

    effective: Config
    base: Config
    changes: tuple[ConfigChange, ...] = ()
    trusted: bool = False
    base_commit: str = ""
    base_label: str | None = None
    head_label: str | None = None
    problems: tuple[Finding, ...] = ()
    """Findings when a side could not be read (``config.base-unavailable``, ``config.invalid``)."""


def pin_base_keys(head: Config, base: Config) -> Config:
    """``head`` with every base-only key (commands, credentials, state) taken from ``base``."""
    general_keys = {k for k in BASE_ONLY_KEYS if "." not in k}
    general = dataclasses.replace(head.general, **{k: getattr(base.general, k) for k in general_keys})
    tables: dict[str, Any] = dict(head.tables)
    for key in (k for k in BASE_ONLY_KEYS if "." in k):
        section, name = key.split(".", 1)
        spellings = (name, name.replace("_", "-"))
        own = tables.get(section)
        table = dict(own) if isinstance(own, Mapping) else {}
        trusted = base.tables.get(section)
        trusted = trusted if isinstance(trusted, Mapping) else {}
        for spelling in spellings:
            table.pop(spelling, None)
            if spelling in trusted:
                table[spelling] = trusted[spelling]
        if table or section in tables:
            tables[section] = table
    return Config(path=head.path, general=general, tables=tables, prefix=head.prefix)


def _problem(rule: str, message: str, remediation: str) -> Finding:
    return Finding(rule=f"{CHECK_ID}.{rule}", severity=Severity.HIGH, message=message, remediation=remediation)


def resolve_pull_request_config(root: Path, base_commit: str, explicit: Path | None = None) -> PullRequestConfig:
    """Read the base's configuration from Git and the head's from the checkout, and compare them."""
    from mlaudit.registry import SECTION_TYPES  # every check: imported only when a pull request is audited

    problems: list[Finding] = []
    try:
        trusted = base_branch_config(root, base_commit, explicit)
    except BaseCommitUnavailable as exc:
        trusted = TrustedConfig(Config(path=None, general=GeneralOptions(), prefix="tool.mlaudit."), None)
        problems.append(_problem(
            "base-unavailable",
            f"the base branch's configuration could not be read ({exc}); the pull request was audited "
            "with mlaudit's defaults, not with its own configuration",
            "check out with `fetch-depth: 0` (or fetch the base commit) so the base branch's configuration governs",
        ))
    base = trusted.config
    try:
        head = load_config(root, explicit)
        head.validate(SECTION_TYPES)
        changes = diff_configs(
            base, head, SECTION_TYPES.tables, SECTION_TYPES.arrays, old_label=trusted.label,
            new_label=config_label(head, root),
        )
    except ConfigError as exc:
        problems.append(_problem(
            "invalid",
            f"the pull request's configuration cannot be used: {exc.diagnostics()}",
            "fix the configuration file; the base branch's configuration audited this pull request",
        ))
        return PullRequestConfig(base, base, (), base.general.trust_pr_config, base_commit, trusted.label,
                                 None, tuple(problems))
    trust = base.general.trust_pr_config and not problems
    effective = pin_base_keys(head, base) if trust else base
    return PullRequestConfig(effective, base, changes, trust, base_commit, trusted.label,
                             config_label(head, root), tuple(problems))


def _loosened(change: ConfigChange, where: str | None) -> Finding:
    return Finding(
        rule=f"{CHECK_ID}.loosened",
        severity=Severity.HIGH,
        path=(where or "").split(" ", 1)[0] or None,
        message=f"the pull request loosens the audit's configuration: {change.summary}",
        remediation=(
            "revert the change, or merge it on its own after review (it governs once it is on the base branch); "
            + TRUST_HINT
        ),
        key=f"{change.key}={json.dumps(change.new, sort_keys=True, default=str)}",
        details={"change": change.to_json()},
    )


def config_check(prc: PullRequestConfig, today: dt.date | None = None) -> CheckResult | None:
    """The ``config`` result for the report (None when nothing changed and both sides were read)."""
    if not prc.changes and not prc.problems:
        return None
    found = list(prc.problems)
    if not prc.trusted:
        found += [_loosened(c, prc.head_label or prc.base_label) for c in loosenings(prc.changes)]
    waived = apply_waivers(CHECK_ID, found, prc.base.entries(WAIVERS, WaiverOptions), today or dt.date.today())
    governed = (
        "trust_pr_config = true on the base branch: the pull request's configuration audited it"
        if prc.trusted
        else "the base branch's configuration audited it"
    )
    summary = (
        f"{len(prc.changes)} configuration change(s), {len(loosenings(prc.changes))} loosening(s); {governed}"
    )
    return CheckResult(
        check_id=CHECK_ID,
        title="Configuration of the pull request",
        pillar=Pillar.SECURITY,
        # A loosening fails whatever the threshold: the threshold is part of what may have been loosened.
        status=Status.FAIL if waived.findings else Status.PASS,
        summary=summary,
        findings=waived.findings,
        duration_s=0.0,
        evidence={
            "changes": [c.to_json() for c in prc.changes],
            "trusted": prc.trusted,
            "base_commit": prc.base_commit,
            "base_config": prc.base_label,
            "head_config": prc.head_label,
        },
        accepted=waived.accepted,
    )


def with_config_check(report: Report, result: CheckResult | None) -> Report:
    """``report`` with the ``config`` result added (and failing when it fails)."""
    if result is None:
        return report
    status = Status.FAIL if result.status is Status.FAIL else report.status
    return dataclasses.replace(report, checks=(*report.checks, result), status=status)
