"""The audit engine: run the selected checks, apply the policy, build the report."""

from __future__ import annotations

import datetime as dt
import functools
import time
import traceback
from collections.abc import Sequence
from typing import Any

from mlaudit import __version__
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckError, CheckSkipped, ConfigError, UsageError
from mlaudit.model import AcceptedFinding, CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.registry import REGISTRY, SECTION_TYPES
from mlaudit.waivers import waive

FILES_CHANGED_RULE = "snapshot.files-changed"
"""A file a check read changed before the audit ended (critical: the checks judged different content)."""


def select_checks(ctx: AuditContext, only: Sequence[str] | None) -> list[str]:
    """The check ids to run: ``only`` if given (validated), else all not disabled."""
    if only:
        unknown = [c for c in only if c not in REGISTRY]
        if unknown:
            known = ", ".join(REGISTRY)
            raise UsageError(f"unknown check id(s): {', '.join(unknown)} (known: {known})")
        return [c for c in REGISTRY if c in only]
    return [c for c in REGISTRY if c not in ctx.config.general.disable]


def status_for(findings: Sequence[Finding], incomplete: Sequence[str], fail_on: Severity) -> Status:
    """The policy: could not finish -> error; any finding at ``fail_on`` -> fail; others -> warn."""
    if incomplete:
        return Status.ERROR
    if any(f.severity.at_least(fail_on) for f in findings):
        return Status.FAIL
    return Status.WARN if findings else Status.PASS


def run_check(check_cls: type[Check[Any]], ctx: AuditContext, fail_on: Severity) -> CheckResult:
    """Run one check; whatever happens inside it becomes a result, never a crash."""
    started = time.perf_counter()
    evidence: dict[str, Any] = {}
    try:
        options = ctx.section(check_cls.id, check_cls.options_type)
        outcome: Outcome = check_cls().run(ctx, options)
    except ConfigError:
        raise
    except CheckSkipped as exc:
        return _result(check_cls, Status.SKIPPED, str(exc), started)
    except CheckError as exc:
        return _result(check_cls, Status.ERROR, exc.diagnostics(), started)
    except Exception as exc:  # noqa: BLE001 - a broken check must not stop the audit
        evidence["traceback"] = traceback.format_exc(limit=20)
        message = (
            f"internal error in check '{check_cls.id}': {type(exc).__name__}: {exc} "
            "(please report this to the mlaudit maintainers with the traceback from the JSON report)"
        )
        return _result(check_cls, Status.ERROR, message, started, evidence=evidence)
    waived = waive(ctx, check_cls.id, outcome.findings)  # before the policy: accepted findings never count
    status = status_for(waived.findings, outcome.incomplete, fail_on)
    summary = outcome.summary
    if outcome.incomplete:
        summary = "could not finish: " + "; ".join(outcome.incomplete) + (f" ({summary})" if summary else "")
    return _result(
        check_cls, status, summary, started, findings=waived.findings, evidence=dict(outcome.evidence),
        accepted=waived.accepted,
    )


def _result(
    check_cls: type[Check[Any]],
    status: Status,
    summary: str,
    started: float,
    *,
    findings: tuple[Finding, ...] = (),
    evidence: dict[str, Any] | None = None,
    accepted: tuple[AcceptedFinding, ...] = (),
) -> CheckResult:
    return CheckResult(
        check_id=check_cls.id,
        title=check_cls.title,
        pillar=check_cls.pillar,
        status=status,
        summary=summary,
        findings=tuple(sorted(findings, key=_finding_order)),
        duration_s=time.perf_counter() - started,
        evidence=evidence or {},
        accepted=accepted,
    )


def _finding_order(f: Finding) -> tuple[int, str, int, str]:
    return (-f.severity.rank, f.path or "", f.line or 0, f.rule)


def files_changed_result(changed: dict[str, str]) -> CheckResult:
    """The result saying the checks did not all see the same files (the verdict cannot stand)."""
    findings = tuple(
        Finding(
            rule=FILES_CHANGED_RULE,
            severity=Severity.CRITICAL,
            path=rel,
            message=f"files changed during the audit: {rel} was {how} after a check read it, "
                    "so the checks did not judge the same content",
            remediation="make sure nothing writes to the repository while it is audited, then audit again",
        )
        for rel, how in changed.items()
    )
    return CheckResult(check_id="snapshot", title="Files unchanged during the audit", pillar=Pillar.SECURITY,
                       status=Status.FAIL, summary=f"{len(findings)} file(s) changed during the audit",
                       findings=findings, evidence={"changed": dict(changed)})


def run_checks(ids: Sequence[str], ctx: AuditContext, fail_on: Severity) -> list[CheckResult]:
    """Run the checks ``ids``, results in that order.

    A check marked ``runs_apart`` (CPU-heavy) starts first in a forked process
    when there are others to run meanwhile (``check_apart``); the rest run here
    one after another. The report is the same as running them in turn.
    """
    apart_ids = [c for c in ids if REGISTRY[c].runs_apart]
    if not apart_ids or len(ids) == len(apart_ids):
        return [run_check(REGISTRY[c], ctx, fail_on) for c in ids]
    from mlaudit.check_apart import CheckApart, can_fork

    if not can_fork():
        return [run_check(REGISTRY[c], ctx, fail_on) for c in ids]
    ctx.files  # noqa: B018 - listed once, before the fork: every check judges the same listing
    apart: dict[str, CheckApart] = {}
    try:
        for c in apart_ids:
            check_cls = REGISTRY[c]
            apart[c] = CheckApart(c, functools.partial(run_check, check_cls, ctx, fail_on), ctx)
        here = {c: run_check(REGISTRY[c], ctx, fail_on) for c in ids if c not in apart}
        for c, started in apart.items():
            here[c] = started.result(functools.partial(_crashed, REGISTRY[c]))
    finally:
        for started in apart.values():
            started.stop()
    return [here[c] for c in ids]


def _crashed(check_cls: type[Check[Any]], message: str) -> CheckResult:
    return _result(check_cls, Status.ERROR, f"internal error in check '{check_cls.id}': {message}",
                   time.perf_counter())


def report_status(results: Sequence[CheckResult], errors_fail: bool) -> Status:
    """The report fails when a check fails, or errs while errors count as failures."""
    for r in results:
        if r.status is Status.FAIL or (r.status is Status.ERROR and errors_fail):
            return Status.FAIL
    return Status.PASS


def run_audit(
    ctx: AuditContext, *, only: Sequence[str] | None = None, fail_on: Severity | None = None
) -> Report:
    """Audit the repository of ``ctx`` and return the report (the policy applied)."""
    ctx.config.validate(SECTION_TYPES)
    threshold = fail_on or ctx.config.general.fail_on
    results = run_checks(select_checks(ctx, only), ctx, threshold)
    changed = ctx.changed_reads()
    if changed:
        results.append(files_changed_result(changed))
    return Report(
        tool_version=__version__,
        root=str(ctx.root),
        status=report_status(results, ctx.config.general.errors == "fail"),
        fail_on=threshold,
        checks=tuple(results),
        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        config_path=str(ctx.config.path) if ctx.config.path else None,
    )
