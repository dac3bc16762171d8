"""The ``probes`` check: safety probes against the model, pass rate per category vs thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlaudit.behaviour import inside_root, require_configuration
from mlaudit.behaviour.options import ProbesOptions
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckError
from mlaudit.model import Finding, Pillar

if TYPE_CHECKING:
    from mlaudit.behaviour.probe_detectors import Detector, ProbeVerdict
    from mlaudit.behaviour.probe_sets import Probe
    from mlaudit.behaviour.probe_targets import ProbeTarget

CONSECUTIVE_ERRORS_TO_STOP = 3


class ProbesCheck(Check[ProbesOptions]):
    """Runs probe sets through the model (or imports garak) and compares pass rates with thresholds."""

    id = "probes"
    title = "Safety probes"
    pillar = Pillar.BIAS_SAFETY
    options_type = ProbesOptions

    def run(self, ctx: AuditContext, options: ProbesOptions) -> Outcome:
        from mlaudit.behaviour.garak_report import read_garak_report

        require_configuration(ctx, "probes", bool(options.command or options.url or options.garak_report),
                              "command, url or garak_report")
        tallies: dict[str, list[int]] = {}  # category -> [passed, total]
        evidence: dict[str, Any] = {}
        failed_ids: dict[str, list[str]] = {}
        incomplete: tuple[str, ...] = ()
        if options.command or options.url:
            verdicts, incomplete, sent, planned = _run_probes(ctx, options)
            for verdict in verdicts:
                tally = tallies.setdefault(verdict.probe.category, [0, 0])
                tally[0] += verdict.passed
                tally[1] += 1
                if not verdict.passed:
                    failed_ids.setdefault(verdict.probe.category, []).append(verdict.probe.id)
            evidence["target"] = options.command or options.url
            evidence["calls"] = sent
            evidence["probes_available"] = planned
            evidence["probes"] = [v.to_json() for v in verdicts]
        if options.garak_report:
            evals, version = read_garak_report(inside_root(ctx.root, options.garak_report, "probes.garak_report"),
                                               label=options.garak_report)
            for row in evals:
                tally = tallies.setdefault(f"garak/{row.category}", [0, 0])
                tally[0] += row.passed
                tally[1] += row.total
            evidence["garak"] = {"report": options.garak_report, "version": version, "evals": len(evals)}
        categories = []
        findings = []
        for category, (passed, total) in sorted(tallies.items()):
            threshold = options.thresholds.get(category, options.min_pass_rate)
            rate = passed / total if total else 0.0
            categories.append({"category": category, "passed": passed, "total": total,
                               "pass_rate": round(rate, 4), "threshold": threshold})
            if total and rate < threshold:
                ids = failed_ids.get(category, [])
                shown = f" (failed: {', '.join(ids[:6])}{' …' if len(ids) > 6 else ''})" if ids else ""
                findings.append(Finding(
                    rule="probes.below-threshold", severity=options.severity, key=category,
                    path=options.garak_report if category.startswith("garak/") else None,
                    message=(f"probe category '{category}' passed {passed}/{total} ({rate:.0%}) "
                             f"< {threshold:.0%}{shown}"),
                    remediation="make the model refuse (or answer) as expected, or justify a lower threshold",
                    details={"category": category, "passed": passed, "total": total, "failed": ids},
                ))
        evidence["categories"] = categories
        total_passed = sum(t[0] for t in tallies.values())
        total_all = sum(t[1] for t in tallies.values())
        summary = f"{total_passed}/{total_all} probe(s) passed in {len(tallies)} categor(y/ies)"
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence, incomplete=incomplete)


def _run_probes(ctx: AuditContext, options: ProbesOptions) -> tuple[list[ProbeVerdict], tuple[str, ...], int, int]:
    from mlaudit.behaviour.command_runner import CommandFailed
    from mlaudit.behaviour.probe_detectors import judge
    from mlaudit.behaviour.probe_sets import builtin_probes, cap_probes, load_probe_file

    probes: list[Probe] = builtin_probes() if options.builtin else []
    for rel in options.probe_sets:
        probes.extend(load_probe_file(inside_root(ctx.root, rel, "probes.probe_sets"), label=rel))
    if not probes:
        raise CheckError("no probes: builtin = false and no probe_sets")
    planned = len(probes)
    selected = cap_probes(probes, options.max_calls)
    target = _target(ctx, options)
    detector = _detector(ctx, options)
    verdicts: list[ProbeVerdict] = []
    errors: list[str] = []
    consecutive = 0
    sent = 0
    for probe in selected:
        sent += 1
        try:
            verdicts.append(judge(probe, target.generate(probe), detector))
            consecutive = 0
        except CommandFailed as exc:
            errors.append(f"probe {probe.id}: {exc.diagnostics()}")
            consecutive += 1
            if consecutive >= CONSECUTIVE_ERRORS_TO_STOP:
                break
    incomplete: tuple[str, ...] = ()
    if errors:
        gave_up = consecutive >= CONSECUTIVE_ERRORS_TO_STOP
        stopped = f"stopped after {consecutive} failed calls in a row, " if gave_up else ""
        incomplete = (f"{stopped}{len(errors)} problem(s) calling the model; first: {errors[0]}",)
    return verdicts, incomplete, sent, planned


def _target(ctx: AuditContext, options: ProbesOptions) -> ProbeTarget:
    from mlaudit.behaviour.probe_targets import CommandTarget, HttpTarget

    if options.command:
        return CommandTarget(options.command, cwd=ctx.root, timeout=options.timeout,
                             response_field=options.response_field)
    if ctx.offline and not _is_loopback(options.url):
        raise CheckError(f"offline: not calling the probe endpoint {options.url}")
    import os

    headers = {}
    for header, variable in options.headers_from_env.items():
        value = os.environ.get(variable)
        if value is None:
            raise CheckError(f"probes.headers_from_env: environment variable {variable} (for {header}) is not set")
        headers[header] = value
    return HttpTarget(options.url, timeout=options.timeout, response_field=options.response_field, headers=headers)


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _detector(ctx: AuditContext, options: ProbesOptions) -> Detector:
    from mlaudit.behaviour.probe_detectors import CommandDetector, PatternDetector, refusal_detector

    if options.detector == "command":
        return CommandDetector(options.detector_command, cwd=ctx.root, timeout=options.timeout)
    if options.detector == "keyword":
        return PatternDetector(options.refusal_patterns)
    return refusal_detector(options.refusal_patterns)
