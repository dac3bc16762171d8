"""Hostile fleet input: oversized and non-UTF-8 reports, a report naming no repository, a huge fleet's issue body."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlaudit.fleet import report_reader
from mlaudit.fleet.aggregate import aggregate_reports
from mlaudit.fleet.fleet_report import build_fleet_report
from mlaudit.fleet.inventory import parse_inventory
from mlaudit.fleet.report_reader import ReportProblem, read_report
from mlaudit.fleet.tracking_issue import BODY_LIMIT, issue_body


def test_oversized_and_binary_reports_are_problems_not_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               audited_reports) -> None:  # type: ignore[no-untyped-def]
    big = audited_reports.copy("failing", tmp_path / "acme__big.json")
    monkeypatch.setattr(report_reader, "MAX_REPORT_BYTES", 1000)
    result = read_report(big, "acme__big.json")
    assert isinstance(result, ReportProblem) and result.repository == "acme/big"
    assert "larger than the 1000 bytes a report may be; not read" in result.message
    monkeypatch.undo()
    binary = tmp_path / "acme__bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = read_report(binary, "acme__bin.json")
    assert isinstance(result, ReportProblem) and result.message.startswith("cannot read")
    anonymous = audited_reports.copy("passing", tmp_path / "report.json")
    result = read_report(anonymous, "report.json")
    assert isinstance(result, ReportProblem) and "cannot tell which repository it audited" in result.message


def test_the_issue_body_of_a_large_fleet_fits_githubs_limit(tmp_path: Path, audited_reports) -> None:  # type: ignore[no-untyped-def]
    names = [f"acme/{'very-long-model-repository-name-' * 2}{i:04d}" for i in range(3000)]
    inventory = parse_inventory({"repositories": [{"name": n, "tier": "high", "owners": ["@acme/" + "x" * 40]}
                                                  for n in names]}, source="inline")
    reports = tmp_path / "reports"
    for name in names[:1000]:
        audited_reports.copy("errored", reports / (name.replace("/", "__") + ".json"))
    tables = aggregate_reports(inventory, reports, now=audited_reports.generated_at + dt.timedelta(hours=1))
    report = build_fleet_report(tables, [], inventory="inline", history=None)
    assert report["coverage"]["high"]["errored"] == 1000 and report["coverage"]["high"]["missing"] == 2000
    body = issue_body(report, run_url="https://github.invalid/run/1")
    assert len(body) <= BODY_LIMIT
    assert "| high | 3000 | 0 | 0.0 % | 0 | 0 | 1000 | 0 | 2000 |" in body
    assert "more |" in body, "rows beyond the limit are counted, not listed"
