"""The pins check through ``mlaudit audit``: findings, configuration, broken configuration."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, run_mlaudit
from pins_scan import write


def _audit(repo: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    proc = run_mlaudit("audit", str(repo), "--only", "pins", "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_audit_reports_file_line_and_fix(repo: Path) -> None:
    write(repo, "requirements.txt", "numpy==1.26.4\ntorch\n")
    write(repo, "Dockerfile", "FROM python:3.11\n")
    write(repo, "ignored/requirements.txt", "scipy\n")
    write(repo, ".gitignore", "ignored/\n")
    code, report = _audit(repo, "--fail-on", "medium")
    check = report["checks"][0]
    assert code == 1 and check["id"] == "pins" and check["status"] == "fail"
    found = {(f["rule"], f["path"], f["line"]) for f in check["findings"]}
    assert found == {("pins.unpinned", "requirements.txt", 2), ("pins.image-unpinned", "Dockerfile", 1)}
    assert all(f["remediation"] for f in check["findings"])
    assert check["evidence"]["sources"] == {"dockerfile": ["Dockerfile"], "requirements": ["requirements.txt"]}


def test_rules_are_tuned_in_config(repo: Path) -> None:
    write(repo, "requirements.txt", "torch\n")
    write(repo, "Dockerfile", "FROM python:3.11\n")
    write(repo, "pyproject.toml", """
        [tool.mlaudit.pins]
        disable = ["image-unpinned"]
        severity = { "pins.unpinned" = "low" }
        """)
    code, report = _audit(repo, "--fail-on", "medium")
    check = report["checks"][0]
    assert [(f["rule"], f["severity"]) for f in check["findings"]] == [("pins.unpinned", "low")]
    assert code == 0 and check["status"] == "warn"


def test_unknown_rule_in_config_is_a_usage_error(repo: Path) -> None:
    write(repo, "requirements.txt", "torch\n")
    write(repo, "mlaudit.toml", '[pins]\ndisable = ["no-such-rule"]\n')
    proc = run_mlaudit("audit", str(repo), "--only", "pins")
    assert proc.returncode == 2
    assert "mlaudit.toml" in proc.stderr and "no-such-rule" in proc.stderr


def test_no_sources_is_skipped_not_passed(repo: Path) -> None:
    write(repo, "README.md", "# nothing to pin\n")
    git(repo, "add", "-A")
    _code, report = _audit(repo)
    assert report["checks"][0]["status"] == "skipped"
