"""The ``performance`` check and ``mlaudit baseline``, with real evaluation commands (subprocesses)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import run_mlaudit

from mlaudit.model import Status

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

METRICS_SCRIPT = """
import json, sys
print("loading model...", file=sys.stderr)
print(json.dumps({"metrics": {"accuracy": ACC, "loss": 0.42, "f1": {"macro": 0.8}, "name": "demo"}}))
"""


def write_samples(project, rel: str, correct: int, total: int) -> None:
    rows = [1] * correct + [0] * (total - correct)
    random.Random(0).shuffle(rows)
    project.write(rel, "".join(json.dumps({"correct": bool(r)}) + "\n" for r in rows))


def eval_project(project, accuracy: float, *, samples: str = "", tolerance: float = 0.005) -> None:
    command = project.script("evaluate.py", METRICS_SCRIPT.replace("ACC", repr(accuracy)))
    samples_line = f'samples = "{samples}"\nsamples_field = "correct"' if samples else ""
    project.config(f"""
        [performance]
        command = "{command}"
        baseline = "baseline.json"
        timeout = 30
        [performance.metrics.accuracy]
        abs_tolerance = {tolerance}
        {samples_line}
        [performance.metrics.loss]
        direction = "lower"
        rel_tolerance = 0.1
    """)


def test_not_configured_is_skipped(project) -> None:
    project.config("fail_on = 'high'\n")
    result = project.check("performance")
    assert result.status is Status.SKIPPED
    assert result.summary.startswith("not configured")


def test_baseline_update_then_pass_then_regression(project, rules_of) -> None:
    eval_project(project, 0.86)
    assert rules_of(project.check("performance")) == ["performance.no-baseline"]

    proc = run_mlaudit("baseline", "update", str(project.root))
    assert proc.returncode == 0, proc.stderr
    assert "added    accuracy = 0.86" in proc.stdout
    assert "added    f1.macro = 0.8" in proc.stdout  # nested metrics are flattened
    assert json.loads((project.root / "baseline.json").read_text())["metrics"]["accuracy"] == 0.86

    result = project.check("performance")
    assert result.status is Status.PASS, result.summary
    assert {v["name"]: v["verdict"] for v in result.evidence["verdicts"]} == {"accuracy": "ok", "loss": "ok"}
    from mlaudit.render.markdown import render_markdown

    markdown = render_markdown(project.audit(["performance"]))
    assert "| `accuracy` (higher is better) | 0.86 | 0.86 | +0 | 0.005 | - | 🟢 ok |" in markdown

    eval_project(project, 0.80)  # six points worse, no per-sample results: a regression
    result = project.check("performance")
    assert result.status is Status.FAIL
    assert rules_of(result) == ["performance.regression"]
    assert "'accuracy' regressed: 0.8 vs baseline 0.86" in result.findings[0].message

    proc = run_mlaudit("baseline", "update", str(project.root))
    assert "changed  accuracy: 0.86 -> 0.8 (-0.06)" in proc.stdout
    proc = run_mlaudit("baseline", "update", str(project.root))
    assert "is up to date" in proc.stdout


def test_one_point_drop_within_noise_passes_but_not_without_samples(project) -> None:
    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86, "loss": 0.42}}))
    write_samples(project, "per_sample.jsonl", 340, 400)  # 0.85 over 400 samples: ±0.035 of noise
    eval_project(project, 0.85, samples="per_sample.jsonl")
    result = project.check("performance")
    assert result.status is Status.PASS, result.findings
    verdict = next(v for v in result.evidence["verdicts"] if v["name"] == "accuracy")
    assert verdict["verdict"] == "within-noise"
    assert verdict["interval"]["low"] < 0.85 < verdict["interval"]["high"] and verdict["interval"]["high"] > 0.855

    eval_project(project, 0.85)  # the same drop with no per-sample results cannot be told from a regression
    assert project.check("performance").status is Status.FAIL


def test_drop_beyond_noise_fails_even_with_samples(project, rules_of) -> None:
    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86, "loss": 0.42}}))
    write_samples(project, "per_sample.jsonl", 300, 400)  # 0.75: far outside the interval
    eval_project(project, 0.75, samples="per_sample.jsonl")
    result = project.check("performance")
    assert rules_of(result) == ["performance.regression"]
    assert "interval" in result.findings[0].message


def test_latency_percentiles_from_timings(project, rules_of) -> None:
    project.write("baseline.json", json.dumps({"metrics": {"latency_p50": 10.0, "latency_p95": 20.0,
                                                           "latency_p99": 30.0}}))
    timings = [10.0] * 90 + [80.0] * 10  # p95 jumps to 80 ms
    project.write("timings.csv", "request,latency_ms\n" + "".join(f"{i},{t}\n" for i, t in enumerate(timings)))
    project.write("metrics.json", json.dumps({"accuracy": 0.9}))
    project.config("""
        [performance]
        metrics_file = "metrics.json"
        baseline = "baseline.json"
        latency_file = "timings.csv"
        latency_field = "latency_ms"
        [performance.metrics.latency_p50]
        direction = "lower"
        abs_tolerance = 2.0
        [performance.metrics.latency_p95]
        direction = "lower"
        abs_tolerance = 5.0
    """)
    result = project.check("performance")
    assert result.evidence["metrics"]["latency_p50"] == 10.0
    assert result.evidence["metrics"]["latency_p95"] == 80.0
    assert rules_of(result) == ["performance.regression"]
    assert result.findings[0].key == "latency_p95"


def test_missing_metric_is_a_finding(project, rules_of) -> None:
    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86}}))
    project.write("metrics.json", json.dumps({"loss": 0.3}))
    project.config('[performance]\nmetrics_file = "metrics.json"\nbaseline = "baseline.json"\n'
                   "[performance.metrics.accuracy]\n")
    assert rules_of(project.check("performance")) == ["performance.missing-metric"]


def test_hanging_crashing_and_garbage_commands_are_errors_and_the_audit_goes_on(project) -> None:
    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86}}))
    project.write("ref.csv", "x\n" + "".join(f"{i % 7}\n" for i in range(300)))
    scripts = {
        "hang": "import sys, time\nprint('warming up the GPU', file=sys.stderr, flush=True)\ntime.sleep(60)\n",
        "crash": "import sys\nprint('Traceback: CUDA out of memory', file=sys.stderr)\nsys.exit(3)\n",
        "garbage": "import sys\nprint('eval done', file=sys.stderr)\nprint('accuracy: 0.9 (not json)')\n",
        "nonumbers": "print('{\"model\": \"x\"}')\n",
    }
    expected = {
        "hang": ("did not finish within 1 s", "warming up the GPU"),
        "crash": ("exited with 3", "CUDA out of memory"),
        "garbage": ("did not print JSON", "eval done"),
        "nonumbers": ("no numeric metrics", ""),
    }
    for name, body in scripts.items():
        command = project.script(f"{name}.py", body)
        project.config(f"""
            [performance]
            command = "{command}"
            baseline = "baseline.json"
            timeout = 1
            [drift]
            reference = "ref.csv"
            current = "ref.csv"
        """)
        report = project.audit(["performance", "drift"])
        performance, drift = report.check("performance"), report.check("drift")
        assert performance.status is Status.ERROR, (name, performance.summary)
        reason, stderr = expected[name]
        assert reason in performance.summary
        assert stderr in performance.summary
        assert drift.status is Status.PASS  # the audit went on



def test_stale_metrics_file_is_not_trusted(project) -> None:
    import os

    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86}}))
    stale = project.write("metrics.json", json.dumps({"accuracy": 0.86}))
    os.utime(stale, (1_000_000_000, 1_000_000_000))  # written by an earlier run
    command = project.script("evaluate.py", "import sys\nprint('skipping: no GPU', file=sys.stderr)\n")
    project.config(f'[performance]\ncommand = "{command}"\nmetrics_file = "metrics.json"\nbaseline = "baseline.json"\n')
    result = project.check("performance")
    assert result.status is Status.ERROR
    assert "did not (re)write metrics.json" in result.summary and "skipping: no GPU" in result.summary

    command = project.script("evaluate.py", "import json\njson.dump({'accuracy': 0.87}, open('metrics.json', 'w'))\n")
    project.config(f'[performance]\ncommand = "{command}"\nmetrics_file = "metrics.json"\nbaseline = "baseline.json"\n')
    assert project.check("performance").evidence["metrics"] == {"accuracy": 0.87}

    samples = project.write("samples.txt", "1\n0\n1\n")  # per-sample results left over from an older run
    os.utime(samples, (1_000_000_000, 1_000_000_000))
    project.config(f"""
        [performance]
        command = "{command}"
        metrics_file = "metrics.json"
        baseline = "baseline.json"
        [performance.metrics.accuracy]
        samples = "samples.txt"
    """)
    result = project.check("performance")
    assert result.status is Status.ERROR and "did not (re)write samples.txt" in result.summary


def test_docs_configuration_examples_are_valid(tmp_path) -> None:
    from conftest import PROJECT_ROOT

    from mlaudit.config import load_config
    from mlaudit.registry import SECTION_TYPES

    blocks = []
    for check in ("performance", "drift", "fairness", "probes"):
        page = (PROJECT_ROOT / "docs" / "checks" / f"{check}.md").read_text(encoding="utf-8")
        start = page.index(f"```toml\n[tool.mlaudit.{check}]")
        blocks.append(page[start + len("```toml\n"): page.index("```", start + 3)])
    (tmp_path / "pyproject.toml").write_text("\n".join(blocks))
    config = load_config(tmp_path)
    config.validate(SECTION_TYPES)
    assert set(config.tables) >= {"performance", "drift", "fairness", "probes"}


def test_bootstrap_interval_matches_the_binomial_known_answer() -> None:
    from mlaudit.behaviour.bootstrap import NORMAL_APPROXIMATION_FROM, bootstrap_mean

    # 0/1 correctness at 0.85 over 2,000 samples: standard error sqrt(.85 * .15 / 2000) = 0.00798.
    samples = [1.0] * 1700 + [0.0] * 300
    interval = bootstrap_mean(samples, resamples=2000, seed=1)
    assert interval.estimate == 0.85
    assert interval.high - interval.low == pytest.approx(2 * 1.96 * 0.00798, rel=0.08)
    large = bootstrap_mean([1.0] * int(NORMAL_APPROXIMATION_FROM * 0.85) + [0.0] * int(NORMAL_APPROXIMATION_FROM * 0.15))
    assert large.resamples == 0  # the normal approximation, not a bootstrap
    assert large.high - large.low == pytest.approx(2 * 1.96 * (0.85 * 0.15 / NORMAL_APPROXIMATION_FROM) ** 0.5, rel=0.01)


def test_baseline_command_show_and_failures(project) -> None:
    eval_project(project, 0.9)
    project.write("baseline.json", json.dumps({"metrics": {"accuracy": 0.86, "old_metric": 1.0}}))
    proc = run_mlaudit("baseline", "show", str(project.root))
    assert proc.returncode == 0, proc.stderr
    assert "accuracy" in proc.stdout and "0.9" in proc.stdout and "0.86" in proc.stdout

    proc = run_mlaudit("baseline", "update", str(project.root))
    assert "removed  old_metric (was 1)" in proc.stdout

    command = project.script("evaluate.py", "import sys\nprint('dataset not found', file=sys.stderr)\nsys.exit(2)\n")
    project.config(f'[performance]\ncommand = "{command}"\nbaseline = "baseline.json"\n')
    before = (project.root / "baseline.json").read_text()
    proc = run_mlaudit("baseline", "update", str(project.root))
    assert proc.returncode == 2
    assert "exited with 2" in proc.stderr and "dataset not found" in proc.stderr
    assert (project.root / "baseline.json").read_text() == before  # a failed run never touches the baseline

    project.config("fail_on = 'high'\n")
    proc = run_mlaudit("baseline", "update", str(project.root))
    assert proc.returncode == 2 and "not configured" in proc.stderr


def test_configured_commands_do_not_inherit_the_audits_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaudit.behaviour.command_runner import run_command

    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "oidc")
    monkeypatch.setenv("UNRELATED_SETTING", "kept")
    code = "import os, json; print(json.dumps({k: os.environ.get(k) for k in ['GITHUB_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'UNRELATED_SETTING']}))"
    result = run_command(["{python}", "-c", code], cwd=tmp_path, timeout=30)
    assert json.loads(result.stdout) == {"GITHUB_TOKEN": None, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": None, "UNRELATED_SETTING": "kept"}
