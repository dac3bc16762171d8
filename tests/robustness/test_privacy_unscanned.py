"""A data file the privacy scan could not read, or read only in part, is never a clean result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_mlaudit
from robustness_helpers import hook, no_traceback, weights_repo

EMAIL_ROW = "7,jane.doe@example.org,2024\n"
SMALL_BUDGET = '[tool.mlaudit.privacy]\nmax_file_mb = 0.01\n'  # 10 kB: stands in for 64 MB, same code path


@pytest.fixture
def data_repo(tmp_path: Path) -> Path:
    big = "id,value,year\n" + "1,plain,2024\n" * 2000 + EMAIL_ROW  # 28 kB, the e-mail past the budget
    return weights_repo(tmp_path / "repo", {
        "pyproject.toml": SMALL_BUDGET.encode(),
        "data/big.csv": big.encode(),
        "data/broken.parquet": b"PAR1" + b"\x00garbage" * 50 + b"PAR1",
        "data/clean.csv": b"id,value\n1,plain\n",
    })


def test_hook_fails_on_a_partly_scanned_file(data_repo: Path) -> None:
    proc = hook("mlaudit-personal-data", "data/big.csv", cwd=data_repo)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "privacy.scan-incomplete" in proc.stdout and "data/big.csv" in proc.stdout
    assert "work budget" in proc.stdout


def test_hook_fails_on_a_corrupt_parquet_file(data_repo: Path) -> None:
    proc = hook("mlaudit-personal-data", "data/broken.parquet", cwd=data_repo)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "privacy.scan-skipped" in proc.stdout and "[medium]" in proc.stdout


def test_hook_refuses_a_fifo_without_hanging(data_repo: Path) -> None:
    os.mkfifo(data_repo / "data" / "pipe.csv")
    proc = hook("mlaudit-personal-data", "data/pipe.csv", cwd=data_repo, timeout=60)
    no_traceback(proc)
    assert proc.returncode == 1 and "not a regular file" in proc.stdout


def test_hook_passes_a_clean_file(data_repo: Path) -> None:
    proc = hook("mlaudit-personal-data", "data/clean.csv", cwd=data_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_audit_reports_unscanned_files_at_least_medium(data_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_mlaudit("audit", str(data_repo), "--only", "privacy", "--format", "json", "--output", str(out),
                       "--fail-on", "medium")
    no_traceback(proc)
    report = json.loads(out.read_text())
    findings = {(f["rule"], f["path"]): f["severity"] for c in report["checks"] for f in c["findings"]}
    assert findings[("privacy.scan-incomplete", "data/big.csv")] == "medium"
    assert findings[("privacy.scan-skipped", "data/broken.parquet")] == "medium"
    assert proc.returncode == 1
