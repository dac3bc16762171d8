"""The JSON report matches the JSON Schema shipped in the package (src/mlaudit/schemas/report.schema.json)."""

from __future__ import annotations

import copy
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import PROJECT_ROOT, init_repo, run_mlaudit

from mlaudit.render.json_report import render_json


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads((resources.files("mlaudit") / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(report: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(report)]


def _audit_json(root: Path, *args: str) -> dict[str, Any]:
    proc = run_mlaudit("audit", str(root), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def test_the_demo_audit_matches_the_schema() -> None:
    """Findings with details, failed and passed checks, an advisory database: every field of the contract."""
    report = _audit_json(PROJECT_ROOT / "examples" / "demo-model", "--advisory-db",
                         str(PROJECT_ROOT / "examples" / "advisory-db"),
                         "--only", "weights,serialization,pins,vulns,provenance,performance,drift")
    assert report["status"] == "fail" and any(c["findings"] for c in report["checks"])
    assert any(c["status"] == "skipped" for c in report["checks"])  # unconfigured behaviour gates
    assert _errors(report) == []


def test_accepted_findings_and_errored_checks_match_the_schema(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    shutil.copy(PROJECT_ROOT / "examples" / "demo-model" / "model.safetensors", repo / "model.safetensors")
    (repo / "mlaudit.toml").write_text(
        '[[waivers]]\nrule = "weights.no-manifest"\nreason = "first import"\nowner = "ml-platform"\n'
        'expires = 2999-12-31\n\n[performance]\ncommand = "{python} -c \\"print(42)\\""\n'
        'baseline = "metrics.baseline.json"\n', encoding="utf-8")
    report = _audit_json(repo, "--only", "weights,performance", "--offline")
    weights = next(c for c in report["checks"] if c["id"] == "weights")
    assert weights["accepted"] and weights["accepted"][0]["waiver"]["owner"] == "ml-platform"
    assert next(c for c in report["checks"] if c["id"] == "performance")["status"] == "error"
    assert _errors(report) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda r: r.pop("counts"), ""),
        (lambda r: r.update(status="passed"), "status"),
        (lambda r: r["checks"][0].update(status="ok"), "checks/0/status"),
        (lambda r: r["checks"][0]["findings"][0].update(severity="severe"), "checks/0/findings/0/severity"),
        (lambda r: r["checks"][0]["findings"][0].pop("fingerprint"), "checks/0/findings/0"),
        (lambda r: r["checks"][0]["findings"][0].update(surprise=1), "checks/0/findings/0"),
        (lambda r: r.update(schema_version=2), "schema_version"),
    ],
)
def test_the_schema_rejects_reports_that_break_the_contract(change: Any, where: str) -> None:
    from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status

    finding = Finding(rule="weights.mismatch", severity=Severity.HIGH, message="m", path="a.bin", line=None)
    good = json.loads(render_json(Report(
        tool_version="0.1.0", root=".", status=Status.FAIL, fail_on=Severity.HIGH,
        checks=(CheckResult("weights", "Weight integrity", Pillar.SECURITY, Status.FAIL, "s", (finding,)),),
    )))
    assert _errors(good) == []
    bad = copy.deepcopy(good)
    change(bad)
    errors = _errors(bad)
    assert errors and any(e.split(":")[0] == where for e in errors), errors
