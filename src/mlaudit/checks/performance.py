"""The ``performance`` check: metrics of the user's evaluation against the committed baseline."""

from __future__ import annotations

from typing import Any

from mlaudit.behaviour import inside_root, require_configuration
from mlaudit.behaviour.metrics_baseline import MetricRule
from mlaudit.behaviour.options import PerformanceOptions
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.model import Finding, Pillar, Severity

UPDATE_HINT = "run `mlaudit baseline update` and commit {baseline} if the change is intended"


class PerformanceCheck(Check[PerformanceOptions]):
    """Runs the evaluation and compares each metric with the baseline, beyond noise."""

    id = "performance"
    title = "Performance against baseline"
    pillar = Pillar.PERFORMANCE
    options_type = PerformanceOptions

    def run(self, ctx: AuditContext, options: PerformanceOptions) -> Outcome:
        from mlaudit.behaviour.bootstrap import bootstrap_mean
        from mlaudit.behaviour.evaluation import collect_metrics
        from mlaudit.behaviour.metrics_baseline import compare_metric, load_baseline
        from mlaudit.behaviour.sample_files import read_numbers

        require_configuration(ctx, "performance", bool(options.command or options.metrics_file),
                              "command or metrics_file")
        run = collect_metrics(ctx.root, options)
        baseline = load_baseline(inside_root(ctx.root, options.baseline, "performance.baseline"),
                                 label=options.baseline)
        evidence: dict[str, Any] = {
            "source": run.source,
            "baseline": options.baseline,
            "command": run.command,
            "metrics": run.metrics,
        }
        if run.timings_count:
            evidence["latency_requests"] = run.timings_count
        if baseline is None:
            no_baseline = Finding(
                rule="performance.no-baseline", severity=Severity.HIGH, path=options.baseline,
                message=f"no baseline {options.baseline}: {len(run.metrics)} metric(s) cannot be compared",
                remediation=UPDATE_HINT.format(baseline=options.baseline), key="baseline",
            )
            return Outcome(findings=(no_baseline,), summary="no baseline", evidence=evidence)
        evidence["baseline_updated_at"] = baseline.updated_at
        findings: list[Finding] = []
        verdicts = []
        for name, rule in sorted(options.metrics.items()):
            interval = None
            if rule.samples and name in run.metrics:
                samples_path = inside_root(ctx.root, rule.samples, f"performance.metrics.{name}.samples")
                run.require_fresh(samples_path, rule.samples)
                samples = read_numbers(samples_path, rule.samples_field, label=rule.samples)
                interval = bootstrap_mean(samples, resamples=options.bootstrap_resamples,
                                          confidence=options.confidence, seed=options.seed)
            verdict = compare_metric(name, rule, run.metrics.get(name), baseline.metrics.get(name), interval)
            verdicts.append(verdict)
            finding = _finding_for(verdict, rule, options)
            if finding is not None:
                findings.append(finding)
        evidence["verdicts"] = [v.to_json() for v in verdicts]
        regressed = [v.name for v in verdicts if v.verdict == "regressed"]
        noisy = [v.name for v in verdicts if v.verdict == "within-noise"]
        summary = f"{len(verdicts)} metric(s) judged against {options.baseline}"
        if regressed:
            summary += f"; regressed: {', '.join(regressed)}"
        if noisy:
            summary += f"; within noise: {', '.join(noisy)}"
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence)


def _finding_for(verdict: Any, rule: MetricRule, options: PerformanceOptions) -> Finding | None:
    name = verdict.name
    if verdict.verdict == "regressed":
        better = "higher" if rule.direction == "higher" else "lower"
        detail = (f"{verdict.current:.6g} vs baseline {verdict.baseline:.6g} "
                  f"(Δ {verdict.delta:+.6g}, tolerated {verdict.allowed:.6g}; {better} is better)")
        if verdict.interval is not None:
            detail += (f"; {verdict.interval.confidence:.0%} interval "
                       f"[{verdict.interval.low:.6g}, {verdict.interval.high:.6g}] excludes the tolerance")
        return Finding(
            rule="performance.regression", severity=options.severity, path=options.baseline,
            message=f"metric '{name}' regressed: {detail}",
            remediation="fix the regression, or " + UPDATE_HINT.format(baseline=options.baseline),
            key=name, details=verdict.to_json(),
        )
    if verdict.verdict == "missing" and rule.required:
        return Finding(
            rule="performance.missing-metric", severity=Severity.HIGH, path=options.baseline,
            message=f"metric '{name}' has a rule but the evaluation did not produce it",
            remediation="make the evaluation output it, or set required = false", key=name,
        )
    if verdict.verdict == "no-baseline":
        return Finding(
            rule="performance.unbaselined-metric", severity=Severity.MEDIUM, path=options.baseline,
            message=f"metric '{name}' = {verdict.current:.6g} has no baseline value",
            remediation=UPDATE_HINT.format(baseline=options.baseline), key=name,
        )
    return None
