"""The ``examples/tabular-model`` demo: all four behaviour gates, drift failing for a visible reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_mlaudit

pytestmark = pytest.mark.slow  # the demo end to end: trains a model, runs four gates

EXAMPLE = PROJECT_ROOT / "examples" / "tabular-model"
GATES = "performance,drift,fairness,probes"


def copy_example(tmp_path: Path) -> Path:
    dest = tmp_path / "tabular-model"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("out", "__pycache__"))
    return dest


def test_example_commits_no_model_pickle() -> None:
    suffixes = {p.suffix for p in EXAMPLE.rglob("*") if p.is_file()}
    assert not suffixes & {".pkl", ".pickle", ".joblib", ".pt", ".bin"}
    assert (EXAMPLE / "metrics.baseline.json").is_file()


def test_demo_shows_four_gates_with_drift_failing(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    proc = run_mlaudit("audit", str(root), "--only", GATES, "--format", "json", timeout=600)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {"performance": "pass", "drift": "fail", "fairness": "pass", "probes": "pass"}, [
        (c["id"], c["summary"]) for c in report["checks"]]
    drift = next(c for c in report["checks"] if c["id"] == "drift")
    assert [(f["rule"], f["details"]["feature"]) for f in drift["findings"]] == [("drift.feature-drift", "income")]
    performance = next(c for c in report["checks"] if c["id"] == "performance")
    assert {"accuracy", "roc_auc", "latency_p95"} <= set(performance["evidence"]["metrics"])
    assert (root / "out" / "per_sample.jsonl").is_file()  # the evaluation really ran, in the example

    markdown = run_mlaudit("audit", str(root), "--only", "drift,fairness", "--format", "markdown").stdout
    assert markdown.count("```mermaid") == 4  # one drift chart, three fairness charts (sex, region, sex × region)
