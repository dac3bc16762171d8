"""``mlaudit fleet aggregate`` on real audit reports: states, coverage, pillars, findings, signatures, SLOs, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import run_mlaudit

from mlaudit.audit_log.chain import verify_chain

INVENTORY = """\
[fleet]
fresh_days = 40
window_days = 28

[[repositories]]
name = "acme/pass-high"
tier = "high"
owners = ["@acme/risk"]

[[repositories]]
name = "acme/fail-high"
tier = "high"

[[repositories]]
name = "acme/never-high"
tier = "high"
owners = ["bob"]

[[repositories]]
name = "acme/pass-medium"
tier = "medium"

[[repositories]]
name = "acme/error-medium"
tier = "medium"

[[repositories]]
name = "acme/corrupt-medium"
tier = "medium"

[[repositories]]
name = "acme/stale-low"
tier = "low"

[[repositories]]
name = "acme/truncated-low"
tier = "low"

[[repositories]]
name = "acme/newer-low"
tier = "low"

[[repositories]]
name = "acme/meta-low"
tier = "low"

[slos.high-coverage]
kind = "coverage"
tier = "high"
objective = 1.0

[slos.medium-coverage]
kind = "coverage"
tier = "medium"
objective = 0.5

[slos.critical-fix]
kind = "fix-time"
severity = "critical"
days = 7
objective = 0.6
"""


@pytest.fixture
def fleet(tmp_path: Path, audited_reports) -> tuple[Path, Path, dt.datetime]:  # type: ignore[no-untyped-def]
    """The inventory and a reports folder with every case; returns (inventory, reports, audit time)."""
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text(INVENTORY)
    reports = tmp_path / "reports"
    at = audited_reports.generated_at
    audited_reports.copy("passing", reports / "acme__pass-high.json")
    bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
              "verificationMaterial": {"certificate": {"rawBytes": "MIIB"}}, "dsseEnvelope": {}}
    (reports / "acme__pass-high.sigstore.json").write_text(json.dumps(bundle))
    (reports / "acme__pass-medium.sigstore.json").write_text('{"mediaType": "text/plain"}')
    audited_reports.copy("failing", reports / "acme__fail-high.json")
    audited_reports.copy("passing", reports / "acme__pass-medium.json")
    audited_reports.copy("errored", reports / "acme__error-medium.json")
    (reports / "acme__corrupt-medium.json").write_text("{this is not json")
    audited_reports.copy("passing", reports / "acme__stale-low.json", generated_at=at - dt.timedelta(days=45))
    text = audited_reports.passing.read_text()
    (reports / "acme__truncated-low.json").write_text(text[: len(text) // 2])
    newer = json.loads(text)
    newer["schema_version"] = 99
    (reports / "acme__newer-low.json").write_text(json.dumps(newer))
    meta = json.loads(text)
    meta["repository"] = "acme/meta-low"
    (reports / "nested").mkdir()
    (reports / "nested" / "report.json").write_text(json.dumps(meta))
    audited_reports.copy("failing", reports / "dup" / "acme__pass-medium.json")
    audited_reports.copy("passing", reports / "acme__stranger.json")
    return inventory, reports, at


def aggregate(inventory: Path, reports: Path, now: dt.datetime, *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    out = inventory.parent / "fleet.json"
    result = run_mlaudit("fleet", "aggregate", "--inventory", str(inventory), str(reports), "--json", str(out),
                         "--markdown", str(inventory.parent / "fleet.md"), "--now", now.isoformat(), *extra)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(out.read_text()), result.stderr


def test_coverage_states_pillars_findings_and_signatures(fleet: tuple[Path, Path, dt.datetime]) -> None:
    inventory, reports, at = fleet
    code, report, stderr = aggregate(inventory, reports, at + dt.timedelta(days=1))
    states = {r["repository"]: r["state"] for r in report["repositories"]}
    assert states == {
        "acme/pass-high": "passing", "acme/fail-high": "failing", "acme/never-high": "missing",
        "acme/pass-medium": "passing", "acme/error-medium": "errored", "acme/corrupt-medium": "errored",
        "acme/stale-low": "stale", "acme/truncated-low": "errored", "acme/newer-low": "errored",
        "acme/meta-low": "passing",
    }
    cov = report["coverage"]
    assert {t: (cov[t]["covered"], cov[t]["total"], cov[t]["percent"]) for t in cov} == {
        "high": (2, 3, 66.7), "medium": (1, 3, 33.3), "low": (1, 4, 25.0), "all": (4, 10, 40.0)}
    assert cov["low"] == {"total": 4, "covered": 1, "percent": 25.0, "passing": 1, "failing": 0, "errored": 2,
                          "stale": 1, "missing": 0}
    assert report["pillars"]["security"] == {"pass": 5, "fail": 1, "warn": 0, "skipped": 0, "error": 0}
    assert report["pillars"]["bias-safety"]["error"] == 1
    top = report["findings_by_rule"][0]
    assert top["severity"] == "critical" and top["rule"].startswith("serialization.")
    assert top["repositories"] == ["acme/fail-high"] and top["repository_count"] == 1
    assert report["signatures"] == {"present": 1, "missing": 5, "missing_repositories": [
        "acme/fail-high", "acme/error-medium", "acme/pass-medium", "acme/meta-low", "acme/stale-low"]}
    reasons = {r["repository"]: r["reason"] for r in report["repositories"]}
    assert reasons["acme/never-high"] == "never audited: no report"
    assert reasons["acme/error-medium"] == "check(s) errored: probes"
    assert reasons["acme/stale-low"] == "audited 46 days ago (fresh means within 40)"
    # Bad input: each problem names its file; the rest of the fleet was aggregated above.
    problems = {p["file"]: p["message"] for p in report["problems"]}
    assert set(problems) == {"acme__corrupt-medium.json", "acme__newer-low.json", "acme__stranger.json",
                             "acme__truncated-low.json", str(Path("dup") / "acme__pass-medium.json"),
                             "acme__pass-medium.sigstore.json"}
    assert problems["acme__pass-medium.sigstore.json"] == "not a Sigstore bundle (no Sigstore bundle mediaType)"
    assert problems["acme__corrupt-medium.json"].startswith("not valid JSON (line 1")
    assert "schema_version 99 is not supported" in problems["acme__newer-low.json"]
    assert problems["acme__truncated-low.json"].startswith("not valid JSON")
    assert problems["acme__stranger.json"] == "acme/stranger is not in the inventory; ignored"
    assert "a second report for acme/pass-medium (already read from acme__pass-medium.json)" in problems[
        str(Path("dup") / "acme__pass-medium.json")]
    assert f"{reports / 'acme__newer-low.json'}: " in stderr
    assert code == 1 and "SLO high-coverage (coverage) burns its error budget at infinite" in stderr
    assert "acme/never-high" in stderr
    markdown = (inventory.parent / "fleet.md").read_text()
    assert "| high | 3 | 2 | 66.7 % | 1 | 1 | 0 | 0 | 1 |" in markdown
    assert "| acme/never-high | high | missing | never audited: no report | bob |" in markdown


def test_slos_over_the_history_window(fleet: tuple[Path, Path, dt.datetime], audited_reports) -> None:  # type: ignore[no-untyped-def]
    inventory, reports, at = fleet
    history = inventory.parent / "mlaudit-fleet-history.jsonl"
    t1 = at + dt.timedelta(days=1)
    _, first, _ = aggregate(inventory, reports, t1)
    slos = {s["name"]: s for s in first["slos"]}
    assert slos["high-coverage"] == {
        "name": "high-coverage", "kind": "coverage", "window_days": 28, "objective": 1.0, "events": 3.0,
        "bad": 1.0, "indicator": 0.6667, "burn_rate": None, "budget_remaining": 0.0, "max_burn_rate": 2.0,
        "failed": True, "repositories": ["acme/never-high"]}
    assert (slos["medium-coverage"]["events"], slos["medium-coverage"]["bad"], slos["medium-coverage"]["burn_rate"],
            slos["medium-coverage"]["failed"]) == (3.0, 2.0, 1.3333, False)
    assert slos["medium-coverage"]["repositories"] == ["acme/corrupt-medium", "acme/error-medium"]
    assert (slos["critical-fix"]["events"], slos["critical-fix"]["bad"], slos["critical-fix"]["burn_rate"]) == (
        1.0, 0.0, 0.0)
    assert first["history"]["seq"] == 0
    # Eight days later the critical finding is still open: older than 7 days, burn (1/1)/0.4 = 2.5 > 2.
    t2 = t1 + dt.timedelta(days=8)
    _, second, stderr = aggregate(inventory, reports, t2)
    slos = {s["name"]: s for s in second["slos"]}
    assert (slos["high-coverage"]["events"], slos["high-coverage"]["bad"]) == (6.0, 2.0)
    assert (slos["medium-coverage"]["events"], slos["medium-coverage"]["bad"]) == (6.0, 4.0)
    assert (slos["critical-fix"]["events"], slos["critical-fix"]["bad"], slos["critical-fix"]["burn_rate"],
            slos["critical-fix"]["failed"], slos["critical-fix"]["repositories"]) == (
        1.0, 1.0, 2.5, True, ["acme/fail-high"])
    assert "SLO critical-fix (fix-time) burns its error budget at 2.50x (limit 2x): acme/fail-high" in stderr
    # The finding is fixed (a fresh passing audit); 30 days after the first run the first line left the window.
    audited_reports.copy("passing", reports / "acme__fail-high.json", generated_at=t1 + dt.timedelta(days=29))
    t3 = t1 + dt.timedelta(days=30)
    _, third, _ = aggregate(inventory, reports, t3)
    slos = {s["name"]: s for s in third["slos"]}
    assert (slos["high-coverage"]["events"], slos["high-coverage"]["bad"]) == (6.0, 2.0), "t2 and t3 only"
    fixed = json.loads(history.read_text().splitlines()[-1])["fixed"]
    assert [(f["repository"], f["first_seen"][:10]) for f in fixed] == [("acme/fail-high", t1.date().isoformat())]
    assert (slos["critical-fix"]["events"], slos["critical-fix"]["bad"], slos["critical-fix"]["burn_rate"]) == (
        1.0, 1.0, 2.5), "fixed after 30 days: still a bad event in the window"
    chain = verify_chain(history)
    assert chain.ok and chain.entries == 3 and third["history"]["hash"] == chain.head


def test_a_tampered_history_is_refused(fleet: tuple[Path, Path, dt.datetime]) -> None:
    inventory, reports, at = fleet
    aggregate(inventory, reports, at)
    history = inventory.parent / "mlaudit-fleet-history.jsonl"
    history.write_text(history.read_text().replace('"acme/never-high"', '"acme/someone-else"'))
    result = run_mlaudit("fleet", "aggregate", "--inventory", str(inventory), str(reports))
    assert result.returncode == 2
    assert "the fleet history's hash chain is broken" in result.stderr
