"""The ``fairness`` check: group fairness of a predictions file across sensitive attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlaudit.behaviour import inside_root, require_configuration
from mlaudit.behaviour.options import FairnessOptions
from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckError
from mlaudit.model import Finding, Pillar, Severity

if TYPE_CHECKING:
    import pandas as pd

    from mlaudit.behaviour.bootstrap import Interval
    from mlaudit.behaviour.fairness_metrics import FairnessReport


class FairnessCheck(Check[FairnessOptions]):
    """Per-group rates with Fairlearn, gaps against thresholds."""

    id = "fairness"
    title = "Fairness across groups"
    pillar = Pillar.BIAS_SAFETY
    options_type = FairnessOptions

    def run(self, ctx: AuditContext, options: FairnessOptions) -> Outcome:
        from mlaudit.behaviour.fairness_metrics import fairness_by_group
        from mlaudit.behaviour.tabular_data import load_table, require_columns, table_columns

        require_configuration(ctx, "fairness", bool(options.predictions and options.sensitive),
                              "predictions and sensitive")
        path = inside_root(ctx.root, options.predictions, "fairness.predictions")
        present = table_columns(path, label=options.predictions)
        use_score = options.prediction not in present and bool(options.score)
        needed = list(dict.fromkeys(
            [options.label, options.score if use_score else options.prediction, *options.sensitive]))
        missing = [c for c in needed if c not in present]
        if missing:  # say what is missing and what exists, before reading the whole table
            require_columns(load_table(path, label=options.predictions, columns=None, max_rows=0), needed,
                            label=options.predictions)
        frame = load_table(path, label=options.predictions, columns=needed)  # only the columns used
        y_true, y_pred, dropped = _binary_outcomes(frame, options, use_score)
        kept = frame if not dropped else frame.loc[y_true.index]
        attributes = [[c] for c in options.sensitive]
        if options.intersectional and len(options.sensitive) > 1:
            attributes.append(list(options.sensitive))
        reports = [
            fairness_by_group(
                y_true.to_numpy("int8"), y_pred.to_numpy("int8"), kept[columns],
                min_group_size=options.min_group_size, bootstrap=options.bootstrap,
                confidence=options.confidence, seed=options.seed,
            )
            for columns in attributes
        ]
        findings = [f for report in reports for f in _findings_for(report, options)]
        evidence: dict[str, Any] = {
            "predictions": options.predictions,
            "rows": len(kept),
            "rows_dropped_missing": dropped,
            "thresholds": {
                "max_demographic_parity_difference": options.max_demographic_parity_difference,
                "max_equalized_odds_difference": options.max_equalized_odds_difference,
                "min_disparate_impact_ratio": options.min_disparate_impact_ratio,
                "min_group_size": options.min_group_size,
            },
            "attributes": [r.to_json() for r in reports],
        }
        gaps = ", ".join(f"{r.attribute}: DPD {r.demographic_parity_difference:.3f}" for r in reports)
        incomplete = tuple(
            f"'{r.attribute}' has fewer than two groups of at least {options.min_group_size} rows"
            for r in reports if sum(g.compared for g in r.groups) < 2
        )
        return Outcome(findings=tuple(findings), summary=f"{len(kept)} prediction(s); {gaps}",
                       evidence=evidence, incomplete=incomplete)


def _positive(series: pd.Series, positive_label: str, column: str) -> pd.Series:
    from pandas.api import types

    if types.is_bool_dtype(series):
        return series.astype(bool)
    if types.is_numeric_dtype(series):
        try:
            return series == float(positive_label)
        except ValueError:
            raise CheckError(f"column '{column}' is numeric but positive_label {positive_label!r} is not") from None
    return series.astype("string") == positive_label


def _binary_outcomes(frame: pd.DataFrame, options: FairnessOptions, use_score: bool) -> tuple[Any, Any, int]:
    import pandas as pd

    label = frame[options.label]
    predicted = frame[options.score] if use_score else frame[options.prediction]
    if use_score and not pd.api.types.is_numeric_dtype(predicted):
        raise CheckError(f"{options.predictions}: score column '{options.score}' is not numeric")
    usable = label.notna() & predicted.notna()
    dropped = int((~usable).sum())
    label, predicted = label[usable], predicted[usable]
    y_true = _positive(label, options.positive_label, options.label)
    y_pred = predicted >= options.threshold if use_score else _positive(
        predicted, options.positive_label, options.prediction)
    if len(y_true) == 0:
        raise CheckError(f"{options.predictions}: no rows with both a label and a prediction")
    return y_true.astype("int8"), y_pred.astype("int8"), dropped


def _findings_for(report: FairnessReport, options: FairnessOptions) -> list[Finding]:
    import math

    out = []
    compared = [g for g in report.groups if g.compared]
    if compared:
        low = min(compared, key=lambda g: g.selection_rate)
        high = max(compared, key=lambda g: g.selection_rate)
        spread = f"selection rate {low.group} {low.selection_rate:.3f} vs {high.group} {high.selection_rate:.3f}"
    else:
        spread = ""

    def interval_note(name: str) -> str:
        iv = report.intervals.get(name)
        return f" ({iv.confidence:.0%} interval [{iv.low:.3f}, {iv.high:.3f}])" if iv else ""

    checks = [
        ("fairness.demographic-parity", "demographic_parity_difference", report.demographic_parity_difference,
         report.demographic_parity_difference > options.max_demographic_parity_difference,
         f"> {options.max_demographic_parity_difference:g}", spread),
        ("fairness.equalized-odds", "equalized_odds_difference", report.equalized_odds_difference,
         report.equalized_odds_difference > options.max_equalized_odds_difference,
         f"> {options.max_equalized_odds_difference:g}", "largest TPR/FPR gap between groups"),
        ("fairness.disparate-impact", "disparate_impact_ratio", report.disparate_impact_ratio,
         report.disparate_impact_ratio < options.min_disparate_impact_ratio,
         f"< {options.min_disparate_impact_ratio:g} (four-fifths rule)", spread),
    ]
    for rule, name, value, violated, bound, context in checks:
        if not (math.isfinite(value) and violated):
            continue
        interval = report.intervals.get(name)
        if options.beyond_noise and interval is not None and not _interval_beyond(name, interval, options):
            out.append(Finding(
                rule="fairness.inconclusive", severity=Severity.INFO, path=options.predictions,
                key=f"{report.attribute}:{name}",
                message=(f"{name.replace('_', ' ')} across '{report.attribute}' is {value:.3f} {bound}, but "
                         f"within noise{interval_note(name)}"),
                remediation="collect more predictions to tell a real gap from noise",
            ))
        else:
            out.append(Finding(
                rule=rule, severity=options.severity, path=options.predictions, key=report.attribute,
                message=(f"{name.replace('_', ' ')} across '{report.attribute}' is {value:.3f} {bound}"
                         f"{interval_note(name)}; {context}"),
                remediation="investigate the model's behaviour for the disadvantaged group(s) before release",
                details={"attribute": report.attribute, "metric": name, "value": round(value, 4)},
            ))
    small = [g for g in report.groups if not g.compared]
    if small:
        names = ", ".join(f"{g.group} ({g.count})" for g in small[:6])
        out.append(Finding(
            rule="fairness.small-group", severity=Severity.INFO, path=options.predictions,
            key=report.attribute,
            message=(f"'{report.attribute}': group(s) below min_group_size {options.min_group_size} "
                     f"not compared: {names}"),
            remediation="collect more predictions for these groups, or lower fairness.min_group_size",
        ))
    return out


def _interval_beyond(name: str, interval: Interval, options: FairnessOptions) -> bool:
    """True when even the most favourable end of the interval breaks the threshold."""
    if name == "disparate_impact_ratio":
        return interval.high < options.min_disparate_impact_ratio
    limit = (options.max_demographic_parity_difference if name == "demographic_parity_difference"
             else options.max_equalized_odds_difference)
    return interval.low > limit
