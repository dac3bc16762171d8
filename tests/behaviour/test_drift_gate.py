"""The ``drift`` check on generated data with known answers (real pandas, pyarrow and SciPy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlaudit.model import Status


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def make_frames(rows: int = 20_000, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({
        "steady": rng.normal(0, 1, rows),
        "shifted": rng.normal(0, 1, rows),
        "colour": rng.choice(["red", "green", "blue"], rows, p=[0.5, 0.3, 0.2]),
        "holes": rng.normal(5, 2, rows),
    })
    current = pd.DataFrame({
        "steady": rng.normal(0, 1, rows),
        "shifted": rng.normal(0.5, 1, rows),  # half a standard deviation
        "colour": rng.choice(["red", "green", "blue", "purple"], rows, p=[0.48, 0.3, 0.2, 0.02]),
        "holes": rng.normal(5, 2, rows),
    })
    current.loc[current.sample(frac=0.2, random_state=1).index, "holes"] = np.nan
    return reference, current


def configure(project, current: str = "current.parquet", extra: str = "") -> None:
    project.config(f"""
        [drift]
        reference = "reference.csv"
        current = "{current}"
        {extra}
    """)


def test_shifted_feature_is_flagged_unshifted_is_not(project) -> None:
    reference, current = make_frames()
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_parquet(project.root / "current.parquet")
    configure(project)
    result = project.check("drift")
    assert result.status is Status.FAIL
    features = {f["feature"]: f for f in result.evidence["features"]}
    assert features["shifted"]["verdict"] == "drifted"
    assert features["steady"]["verdict"] == "stable"
    assert features["holes"]["verdict"] == "stable"
    # Known answer: KS distance between N(0,1) and N(0.5,1) is Φ(0.25) − Φ(−0.25) ≈ 0.197.
    assert features["shifted"]["ks_statistic"] == pytest.approx(normal_cdf(0.25) - normal_cdf(-0.25), abs=0.02)
    assert features["steady"]["ks_statistic"] < 0.03
    assert features["steady"]["psi"] < 0.01
    drift_findings = [f for f in result.findings if f.rule == "drift.feature-drift"]
    assert [f.key for f in drift_findings] == ["shifted"]


def test_missing_values_and_new_categories_are_reported(project) -> None:
    reference, current = make_frames()
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_parquet(project.root / "current.parquet")
    configure(project)
    result = project.check("drift")
    by_rule = {(f.rule, f.key): f for f in result.findings}
    assert ("drift.missing-values", "holes") in by_rule
    assert "20.0% of current rows" in by_rule[("drift.missing-values", "holes")].message
    new = by_rule[("drift.new-category", "colour")]
    assert "'purple'" in new.message
    features = {f["feature"]: f for f in result.evidence["features"]}
    assert features["colour"]["kind"] == "categorical"
    assert features["colour"]["chi2_pvalue"] < 1e-6  # a new category is a real change of distribution
    assert features["holes"]["current_missing"] == pytest.approx(0.2)


def test_too_few_rows_gives_no_verdict(project) -> None:
    reference, current = make_frames(rows=50)
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_csv(project.root / "current.csv", index=False)
    configure(project, "current.csv")
    result = project.check("drift")
    assert result.status is Status.ERROR  # no feature could be judged: never a pass
    assert "no feature had enough rows" in result.summary
    assert {f["verdict"] for f in result.evidence["features"]} == {"no-verdict"}
    configure(project, "current.csv", "min_rows = 20")
    assert project.check("drift").status is not Status.ERROR


def test_missing_feature_and_unreadable_files(project, rules_of) -> None:
    reference, current = make_frames(rows=500)
    reference.to_csv(project.root / "reference.csv", index=False)
    current.drop(columns=["steady"]).to_csv(project.root / "current.csv", index=False)
    configure(project, "current.csv")
    result = project.check("drift")
    assert "drift.missing-feature" in rules_of(result)

    (project.root / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    configure(project, "broken.parquet")
    result = project.check("drift")
    assert result.status is Status.ERROR
    assert "broken.parquet" in result.summary

    configure(project, "../outside.csv")
    assert "outside the repository" in project.check("drift").summary


def test_markdown_shows_a_mermaid_chart_and_table(project) -> None:
    from mlaudit.render.markdown import render_markdown

    reference, current = make_frames(rows=2000)
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_parquet(project.root / "current.parquet")
    configure(project)
    markdown = render_markdown(project.audit(["drift"]))
    assert "```mermaid\nxychart-beta" in markdown
    assert 'x-axis ["steady", "shifted", "colour", "holes"]' in markdown
    assert "| `shifted` | numeric | 🔴 drifted |" in markdown


def test_fast_ks_equals_scipy_on_large_samples_with_ties() -> None:
    from scipy import stats

    from mlaudit.behaviour.drift_statistics import ks_two_sample_sorted

    rng = np.random.default_rng(11)
    for ref, cur in [
        (rng.normal(0, 1, 30_000), rng.normal(0.03, 1, 25_000)),
        (rng.integers(0, 20, 30_000).astype(float), rng.integers(0, 21, 20_000).astype(float)),  # heavy ties
    ]:
        ref.sort()
        cur.sort()
        expected = stats.ks_2samp(ref, cur, method="asymp")
        statistic, pvalue = ks_two_sample_sorted(ref, cur)
        assert statistic == pytest.approx(expected.statistic, abs=1e-12)
        assert pvalue == pytest.approx(expected.pvalue, rel=1e-9)


def test_high_cardinality_columns_are_pooled(project) -> None:
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({"user_id": [f"u{i}" for i in rng.integers(0, 50_000, 5000)]})
    current = pd.DataFrame({"user_id": [f"u{i}" for i in rng.integers(0, 50_000, 5000)]})
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_csv(project.root / "current.csv", index=False)
    configure(project, "current.csv")
    result = project.check("drift")
    feature = result.evidence["features"][0]
    assert feature["verdict"] == "stable"  # same distribution of ids: pooled, not thousands of tiny bins
    assert len(feature["new_categories"]) == 20  # a sample of the unseen ids, not all of them
    assert feature["new_category_count"] > 1000
    assert any(f.rule == "drift.new-category" and f"has {feature['new_category_count']} categor" in f.message
               for f in result.findings)


def test_chart_shows_the_most_drifted_of_many_features(project) -> None:
    from mlaudit.render.markdown import render_markdown

    rng = np.random.default_rng(4)
    reference = pd.DataFrame({f"f{i:02d}": rng.normal(0, 1, 500) for i in range(40)})
    current = pd.DataFrame({f"f{i:02d}": rng.normal(1.0 if i == 39 else 0.0, 1, 500) for i in range(40)})
    reference.to_csv(project.root / "reference.csv", index=False)
    current.to_csv(project.root / "current.csv", index=False)
    configure(project, "current.csv")
    markdown = render_markdown(project.audit(["drift"]))
    axis = next(line for line in markdown.splitlines() if line.strip().startswith("x-axis"))
    assert axis.count('"') == 2 * 30 and '"f39"' in axis  # 30 bars, the drifted feature among them
    assert markdown.count("| `f") == 40  # the table lists every feature
