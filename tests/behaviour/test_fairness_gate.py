"""The ``fairness`` check on generated predictions with planted gaps (real Fairlearn)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlaudit.model import Severity, Status


def predictions(rows: int = 20_000, gap: float = 0.3, seed: int = 5) -> pd.DataFrame:
    """Group A selected at 0.6, group B at 0.6 − gap, independently of the label."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B"], rows)
    age = rng.choice(["young", "old"], rows)
    label = rng.integers(0, 2, rows)
    rate = np.where(group == "A", 0.6, 0.6 - gap)
    score = np.clip(rng.random(rows) + rate - 0.5, 0, 1)  # score >= 0.5 with probability `rate`
    return pd.DataFrame({"label": label, "prediction": (rng.random(rows) < rate).astype(int),
                         "score": score.round(4), "group": group, "age": age})


def configure(project, extra: str = "") -> None:
    project.config(f"""
        [fairness]
        predictions = "predictions.csv"
        sensitive = ["group", "age"]
        {extra}
    """)


def attribute(result, name: str) -> dict:
    return next(a for a in result.evidence["attributes"] if a["attribute"] == name)


def test_planted_parity_gap_is_found(project) -> None:
    predictions(gap=0.3).to_csv(project.root / "predictions.csv", index=False)
    configure(project)
    result = project.check("fairness")
    assert result.status is Status.FAIL
    group = attribute(result, "group")
    assert group["demographic_parity_difference"] == pytest.approx(0.3, abs=0.03)
    assert group["disparate_impact_ratio"] == pytest.approx(0.5, abs=0.05)
    # The label is independent of the prediction, so TPR and FPR carry the same gap.
    assert group["equalized_odds_difference"] == pytest.approx(0.3, abs=0.04)
    assert attribute(result, "age")["demographic_parity_difference"] < 0.03
    keys = {(f.rule, f.key) for f in result.findings}
    assert keys == {("fairness.demographic-parity", "group"), ("fairness.equalized-odds", "group"),
                    ("fairness.disparate-impact", "group")}
    assert all(f.severity is Severity.HIGH for f in result.findings)


def test_no_gap_passes_and_matches_fairlearn(project) -> None:
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

    frame = predictions(gap=0.0)
    frame.to_csv(project.root / "predictions.csv", index=False)
    configure(project)
    result = project.check("fairness")
    assert result.status is Status.PASS, result.findings
    group = attribute(result, "group")
    expected = demographic_parity_difference(frame.label, frame.prediction, sensitive_features=frame.group)
    assert group["demographic_parity_difference"] == pytest.approx(expected, abs=1e-4)
    expected_eo = equalized_odds_difference(frame.label, frame.prediction, sensitive_features=frame.group)
    assert group["equalized_odds_difference"] == pytest.approx(expected_eo, abs=1e-4)


def test_score_threshold_intersections_small_groups_and_intervals(project, rules_of) -> None:
    frame = predictions(rows=4000, gap=0.3).drop(columns=["prediction"])
    frame.loc[:4, "age"] = "centenarian"  # five rows: too few to compare
    frame.to_csv(project.root / "predictions.csv", index=False)
    configure(project, 'score = "score"\nintersectional = true\nbootstrap = 200')
    result = project.check("fairness")
    names = [a["attribute"] for a in result.evidence["attributes"]]
    assert names == ["group", "age", "group × age"]
    crossed = attribute(result, "group × age")
    assert {g["group"] for g in crossed["groups"]} >= {"A × young", "B × old"}
    assert crossed["demographic_parity_difference"] == pytest.approx(0.3, abs=0.06)
    small = [g for g in attribute(result, "age")["groups"] if g["group"] == "centenarian"]
    assert small and small[0]["compared"] is False and small[0]["count"] == 5
    assert "fairness.small-group" in rules_of(result)
    interval = attribute(result, "group")["intervals"]["demographic_parity_difference"]
    assert interval["low"] < 0.3 < interval["high"]
    assert interval["high"] - interval["low"] < 0.1


def test_markdown_has_a_chart_per_attribute(project) -> None:
    from mlaudit.render.markdown import render_markdown

    predictions(rows=2000).to_csv(project.root / "predictions.csv", index=False)
    configure(project)
    markdown = render_markdown(project.audit(["fairness"]))
    assert markdown.count("```mermaid\nxychart-beta") == 2
    assert 'title "Selection rate by group"' in markdown
    assert "| Group | Rows | Selection rate | Accuracy | TPR | FPR | Compared |" in markdown


def test_bad_input_is_an_error_not_a_pass(project) -> None:
    predictions(rows=200).drop(columns=["label"]).to_csv(project.root / "predictions.csv", index=False)
    configure(project)
    result = project.check("fairness")
    assert result.status is Status.ERROR
    assert "missing column(s) label" in result.summary

    frame = predictions(rows=200)
    frame["group"] = "only-one"
    frame.to_csv(project.root / "predictions.csv", index=False)
    result = project.check("fairness")
    assert result.status is Status.ERROR
    assert "fewer than two groups" in result.summary

    project.config("[fairness]\npredictions = 'predictions.csv'\n")
    assert project.check("fairness").summary.startswith("not configured")


def test_missing_sensitive_values_form_their_own_group(project) -> None:
    frame = predictions(rows=3000, gap=0.0)
    frame["group"] = frame["group"].astype(object)
    frame.loc[:99, "group"] = None
    frame.loc[:49, "label"] = None  # rows without a label are dropped and counted
    frame.to_parquet(project.root / "predictions.parquet")
    project.config("""
        [fairness]
        predictions = "predictions.parquet"
        sensitive = ["group", "age"]
        intersectional = true
    """)
    result = project.check("fairness")
    assert result.evidence["rows_dropped_missing"] == 50
    groups = {g["group"]: g["count"] for g in attribute(result, "group")["groups"]}
    assert groups["(missing)"] == 50 and groups["A"] + groups["B"] == 2900
    crossed = {g["group"] for g in attribute(result, "group × age")["groups"]}
    assert {"(missing) × old", "(missing) × young"} <= crossed


def test_beyond_noise_tells_a_real_gap_from_a_noisy_one(project, rules_of) -> None:
    predictions(rows=300, gap=0.15, seed=8).to_csv(project.root / "predictions.csv", index=False)
    configure(project, "bootstrap = 300\nbeyond_noise = true\nmin_disparate_impact_ratio = 0.5")
    result = project.check("fairness")
    group = attribute(result, "group")
    assert group["demographic_parity_difference"] > 0.1  # over the threshold on its face...
    assert group["intervals"]["demographic_parity_difference"]["low"] < 0.1  # ...but noise could explain it
    assert "fairness.demographic-parity" not in rules_of(result)
    assert "fairness.inconclusive" in rules_of(result)

    predictions(rows=20_000, gap=0.3).to_csv(project.root / "predictions.csv", index=False)
    assert "fairness.demographic-parity" in rules_of(project.check("fairness"))
