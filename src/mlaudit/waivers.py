"""Waivers: ``[[tool.mlaudit.waivers]]`` accept a finding for a reason, by an owner, until a date.

A waiver matches a finding by its fingerprint, or by rule and (optionally) a
path glob. While it holds, the finding is moved from ``findings`` to
``accepted`` (listed separately, never counted by the policy). Once expired,
the finding counts again and a ``<check>.waiver-expired`` finding says so. A
waiver without a reason, an owner or an expiry date is a configuration error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlaudit.globs import compile_globs
from mlaudit.model import AcceptedFinding, Finding, Severity

if TYPE_CHECKING:
    from mlaudit.context import AuditContext

SECTION = "waivers"


@dataclass(frozen=True)
class WaiverOptions:
    """One ``[[tool.mlaudit.waivers]]`` entry."""

    fingerprint: str | None = None
    """The finding's fingerprint (from the JSON report): waives exactly that finding."""
    rule: str | None = None
    """A rule id (``weights.unrecorded``): waives its findings, optionally only under ``path``."""
    path: str | None = None
    """A glob (POSIX, relative to the root) the finding's path must match; only with ``rule``."""
    reason: str = ""
    """Why the finding is acceptable (required)."""
    owner: str = ""
    """Who answers for it (required)."""
    expires: Any = None
    """The last day the waiver holds: a TOML date (``2026-06-30``) or a ``"YYYY-MM-DD"`` string (required)."""

    def __post_init__(self) -> None:
        if not self.fingerprint and not self.rule:
            raise ValueError("a waiver needs 'fingerprint' or 'rule'")
        if self.fingerprint and (self.rule or self.path):
            raise ValueError("a waiver names either 'fingerprint' or 'rule' (+ 'path'), not both")
        if not self.reason.strip():
            raise ValueError("a waiver needs a 'reason'")
        if not self.owner.strip():
            raise ValueError("a waiver needs an 'owner'")
        object.__setattr__(self, "expires", _as_date(self.expires))

    @property
    def expiry(self) -> dt.date:
        """The expiry date, validated."""
        assert isinstance(self.expires, dt.date)
        return self.expires

    def matches(self, finding: Finding) -> bool:
        """True when this waiver is about ``finding``."""
        if self.fingerprint:
            return finding.fingerprint == self.fingerprint
        if finding.rule != self.rule:
            return False
        if self.path is None:
            return True
        return finding.path is not None and compile_globs([self.path])(finding.path)

    def describe(self) -> dict[str, Any]:
        """The waiver as reports show it (JSON-safe)."""
        match = {"fingerprint": self.fingerprint} if self.fingerprint else {"rule": self.rule, "path": self.path}
        return {**match, "reason": self.reason, "owner": self.owner, "expires": self.expiry.isoformat()}


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if value is None:
        raise ValueError("a waiver needs an 'expires' date (e.g. expires = 2026-06-30)")
    raise ValueError(f"'expires' must be a date like 2026-06-30, got {value!r}")


@dataclass(frozen=True)
class WaivedFindings:
    """A check's findings after waivers: what still counts, and what was accepted."""

    findings: tuple[Finding, ...]
    accepted: tuple[AcceptedFinding, ...]


def apply_waivers(check_id: str, findings: Sequence[Finding], waivers: Sequence[WaiverOptions],
                  today: dt.date) -> WaivedFindings:
    """Accept findings matched by a live waiver; an expired waiver's finding counts and is reported."""
    counting: list[Finding] = []
    accepted: list[AcceptedFinding] = []
    for finding in findings:
        matching = [w for w in waivers if w.matches(finding)]
        live = [w for w in matching if w.expiry >= today]
        if live:
            accepted.append(AcceptedFinding(finding=finding, waiver=live[0].describe()))
            continue
        counting.append(finding)
        for waiver in matching:
            counting.append(_expired(check_id, finding, waiver))
    return WaivedFindings(findings=tuple(counting), accepted=tuple(accepted))


def _expired(check_id: str, finding: Finding, waiver: WaiverOptions) -> Finding:
    return Finding(
        rule=f"{check_id}.waiver-expired",
        severity=Severity.LOW,
        path=finding.path,
        line=finding.line,
        message=(f"the waiver of {finding.rule} (owner {waiver.owner}: {waiver.reason}) expired on "
                 f"{waiver.expiry.isoformat()}; the finding counts again"),
        remediation="fix the finding, or renew the waiver with a new 'expires' date if it still holds",
        key=f"{finding.fingerprint}:{waiver.expiry.isoformat()}",
        details={"waived_fingerprint": finding.fingerprint, "waiver": waiver.describe()},
    )


def configured_waivers(ctx: AuditContext) -> tuple[WaiverOptions, ...]:
    """The validated waivers of the audit's configuration (parsed once per audit)."""
    return ctx.memo("waivers", lambda: ctx.config.entries(SECTION, WaiverOptions))


def waive(ctx: AuditContext, check_id: str, findings: Sequence[Finding],
          today: dt.date | None = None) -> WaivedFindings:
    """Apply the configured waivers to one check's findings."""
    waivers = configured_waivers(ctx)
    if not waivers:
        return WaivedFindings(findings=tuple(findings), accepted=())
    return apply_waivers(check_id, findings, waivers, today or dt.date.today())
