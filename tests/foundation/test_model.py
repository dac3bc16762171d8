"""The report model: severities, fingerprints, diffs, the JSON contract and reading it back."""

from __future__ import annotations

import json

import pytest

from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.render.json_report import ReportFormatError, load_report, render_json


def _finding(rule: str = "weights.mismatch", path: str = "a.bin", key: str = "", line: int | None = None,
             message: str = "m", severity: Severity = Severity.HIGH) -> Finding:
    return Finding(rule=rule, severity=severity, message=message, path=path, line=line, key=key)


def _report(*findings: Finding) -> Report:
    check = CheckResult("weights", "Weight integrity", Pillar.SECURITY, Status.FAIL, "s", findings)
    return Report("0.1.0", "/r", Status.FAIL, Severity.HIGH, (check,))


def test_severity_order() -> None:
    assert Severity.CRITICAL.at_least(Severity.HIGH)
    assert Severity.HIGH.at_least(Severity.HIGH)
    assert not Severity.MEDIUM.at_least(Severity.HIGH)
    assert [s.rank for s in Severity] == [4, 3, 2, 1, 0]


def test_fingerprint_ignores_line_and_message_but_not_rule_path_key() -> None:
    base = _finding(line=3, message="one")
    assert base.fingerprint == _finding(line=40, message="two").fingerprint
    assert base.fingerprint != _finding(path="b.bin").fingerprint
    assert base.fingerprint != _finding(rule="weights.unrecorded").fingerprint
    assert base.fingerprint != _finding(key="x").fingerprint


def test_findings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        _finding().rule = "x"  # type: ignore[misc]


def test_diff_new_fixed_unchanged() -> None:
    kept, gone, added = _finding(path="kept"), _finding(path="gone"), _finding(path="added")
    diff = _report(kept, added).diff(_report(kept, gone))
    assert [f.path for f in diff.new] == ["added"]
    assert [f.path for f in diff.fixed] == ["gone"]
    assert [f.path for f in diff.unchanged] == ["kept"]


def test_json_contract_keys_and_round_trip() -> None:
    report = _report(_finding(line=7), _finding(path=None, severity=Severity.LOW))
    data = json.loads(render_json(report))
    assert {"schema_version", "tool", "status", "root", "checks"} <= set(data)
    assert data["tool"] == {"name": "mlaudit", "version": "0.1.0"}
    check = data["checks"][0]
    assert {"id", "status", "summary", "duration_s", "findings"} <= set(check)
    assert set(check["findings"][0]) >= {"rule", "severity", "path", "line", "message", "remediation", "fingerprint"}
    assert check["findings"][0]["line"] == 7
    assert data["counts"]["high"] == 1 and data["counts"]["low"] == 1
    again = load_report(render_json(report))
    assert again.findings == report.findings
    assert again.status is Status.FAIL


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"schema_version": 99}', "not supported"),
        ('{"schema_version": 1, "status": "pass"}', "not a valid mlaudit report"),
    ],
)
def test_load_report_rejects_bad_input(text: str, needle: str) -> None:
    with pytest.raises(ReportFormatError, match=needle):
        load_report(text, source="r.json")
