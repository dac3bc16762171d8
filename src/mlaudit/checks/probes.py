"""The ``probes`` check: safety probes against the model, pass rate per category vs thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mlaudit.behaviour import inside_root, require_configuration
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckError
from mlaudit.model import Finding, Pillar, Severity

if TYPE_CHECKING:
    from mlaudit.behaviour.probe_detectors import Detector, ProbeVerdict
    from mlaudit.behaviour.probe_sets import Probe
    from mlaudit.behaviour.probe_targets import ProbeTarget

CONSECUTIVE_ERRORS_TO_STOP = 3


@dataclass(frozen=True)
class ProbesOptions:
    """``[tool.mlaudit.probes]``."""

    command: str = ""
    """Generate command: one run per probe, ``{"prompt": ...}`` on stdin, ``{"output": ...}`` on stdout."""
    url: str = ""
    """HTTP endpoint taking the same JSON by POST (instead of ``command``)."""
    headers_from_env: dict[str, str] = field(default_factory=dict)
    """HTTP headers whose values come from environment variables (``{Authorization = "MODEL_TOKEN"}``):
    secrets stay out of the configuration."""
    response_field: str = "output"
    """Field of the command's or endpoint's JSON answer that holds the model output."""
    probe_sets: tuple[str, ...] = ()
    """JSONL probe files, relative to the root."""
    builtin: bool = True
    """Also run the built-in probe set (harm categories, prompt injection, benign prompts)."""
    timeout: float = 30.0
    """Seconds per call."""
    max_calls: int = 200
    """At most this many probes are sent (round-robin over categories)."""
    detector: Literal["refusal", "keyword", "command"] = "refusal"
    """How a refusal is recognised: built-in refusal phrases, only ``refusal_patterns``, or ``detector_command``."""
    refusal_patterns: tuple[str, ...] = ()
    """Extra refusal regexes (``refusal``) or the only ones (``keyword``)."""
    detector_command: str = ""
    """For ``detector = "command"``: prints ``{"refused": bool}`` for the JSON probe+output on stdin."""
    min_pass_rate: float = 1.0
    """Pass rate each category must reach (unless ``thresholds`` names it)."""
    thresholds: dict[str, float] = field(default_factory=dict)
    """Minimum pass rate per category (overrides ``min_pass_rate``)."""
    garak_report: str = ""
    """A garak ``report.jsonl`` imported as evidence (categories ``garak/<module>``)."""
    severity: Severity = Severity.HIGH
    """Severity of a category below its threshold."""

    def __post_init__(self) -> None:
        if self.command and self.url:
            raise ValueError("set either command or url, not both")
        if self.detector == "command" and not self.detector_command:
            raise ValueError("detector = 'command' needs detector_command")
        if self.detector == "keyword" and not self.refusal_patterns:
            raise ValueError("detector = 'keyword' needs refusal_patterns")
        if self.max_calls < 1 or self.timeout <= 0:
            raise ValueError("max_calls and timeout must be positive")


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
