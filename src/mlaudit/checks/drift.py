"""The ``drift`` check: per-feature data drift between a reference and a current dataset."""

from __future__ import annotations

from typing import Any

from mlaudit.behaviour import inside_root, require_configuration
from mlaudit.behaviour.options import DriftOptions
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.model import Finding, Pillar, Severity

CHART_FEATURES = 30


class DriftCheck(Check[DriftOptions]):
    """PSI and KS (numeric), PSI and chi-square (categorical), missing values and new categories."""

    id = "drift"
    title = "Data drift"
    pillar = Pillar.PERFORMANCE
    options_type = DriftOptions

    def run(self, ctx: AuditContext, options: DriftOptions) -> Outcome:
        from mlaudit.behaviour.drift_statistics import DriftThresholds, feature_drift
        from mlaudit.behaviour.tabular_data import load_table, require_columns

        require_configuration(ctx, "drift", bool(options.reference and options.current), "reference and current")
        reference = load_table(inside_root(ctx.root, options.reference, "drift.reference"),
                               label=options.reference, columns=options.features or None)
        current = load_table(inside_root(ctx.root, options.current, "drift.current"),
                             label=options.current, columns=None)
        findings: list[Finding] = []
        features = list(options.features) or [str(c) for c in reference.columns if c not in options.ignore]
        absent = [f for f in features if f not in current.columns]
        for name in absent:
            findings.append(Finding(
                rule="drift.missing-feature", severity=Severity.HIGH, path=options.current, key=name,
                message=f"feature '{name}' of the reference is absent from the current dataset",
                remediation="restore the column, or list the features to compare in drift.features",
            ))
        features = [f for f in features if f not in absent]
        require_columns(reference, features, label=options.reference)
        limits = DriftThresholds(psi=options.psi_threshold, ks_statistic=options.ks_threshold,
                                 chi2_alpha=options.chi2_alpha, bins=options.bins, min_rows=options.min_rows)
        results = feature_drift(reference, current, features, set(options.categorical), limits)
        for result in results:
            findings.extend(_findings_for(result, options))
        judged = [r for r in results if r.verdict != "no-verdict"]
        drifted = [r.feature for r in results if r.verdict == "drifted"]
        evidence: dict[str, Any] = {
            "reference": {"path": options.reference, "rows": len(reference)},
            "current": {"path": options.current, "rows": len(current)},
            "thresholds": {"psi": options.psi_threshold, "ks_statistic": options.ks_threshold,
                           "chi2_alpha": options.chi2_alpha, "min_rows": options.min_rows},
            "features": [r.to_json() for r in results],
            # The chart shows at most CHART_FEATURES bars: the most drifted ones when there are more.
            "chart_features": [r.feature for r in sorted(results, key=lambda r: -(r.psi or 0.0))][:CHART_FEATURES]
            if len(results) > CHART_FEATURES else [r.feature for r in results],
        }
        summary = f"{len(drifted)} of {len(judged)} feature(s) drifted"
        if drifted:
            summary += f": {', '.join(drifted[:8])}" + (" …" if len(drifted) > 8 else "")
        incomplete: tuple[str, ...] = ()
        if features and not judged:
            incomplete = (f"no feature had enough rows for a verdict (min_rows = {options.min_rows})",)
        elif not features:
            incomplete = ("no feature to compare",)
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence, incomplete=incomplete)


def _findings_for(result: Any, options: DriftOptions) -> list[Finding]:
    name = result.feature
    out = []
    if result.verdict == "drifted":
        out.append(Finding(
            rule="drift.feature-drift", severity=options.severity, path=options.current, key=name,
            message=f"feature '{name}' drifted from the reference: {'; '.join(result.reasons)}",
            remediation="investigate the data source; retrain or refresh the reference if the shift is expected",
            details=result.to_json(),
        ))
    elif result.verdict == "no-verdict":
        out.append(Finding(
            rule="drift.too-few-rows", severity=Severity.INFO, path=options.current, key=name,
            message=f"feature '{name}': {result.reasons[0]}",
            remediation="use larger samples or lower drift.min_rows",
        ))
    increase = result.current_missing - result.reference_missing
    if increase > options.max_missing_increase:
        out.append(Finding(
            rule="drift.missing-values", severity=Severity.MEDIUM, path=options.current, key=name,
            message=(f"feature '{name}' is missing in {result.current_missing:.1%} of current rows "
                     f"(reference {result.reference_missing:.1%})"),
            remediation="check the pipeline that fills this feature",
        ))
    if result.new_categories:
        shown = ", ".join(f"{k!r} ({v})" for k, v in list(result.new_categories.items())[:5])
        out.append(Finding(
            rule="drift.new-category", severity=Severity.MEDIUM, path=options.current, key=name,
            message=(f"feature '{name}' has {result.new_category_count} categor(y/ies) "
                     f"unseen in the reference: {shown}"),
            remediation="make sure the model handles these values; refresh the reference if they are legitimate",
            details={"new_categories": dict(result.new_categories)},
        ))
    return out
