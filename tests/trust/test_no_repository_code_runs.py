"""Issue 15 case 1: dependency resolution never runs code from the audited repository.

The repository's ``requirements.txt`` names local packages (a path, an editable,
a ``file:`` URL) whose in-tree build backend writes a marker file when imported,
and its root holds ``pip/`` and ``pip_audit/`` packages that write the marker if
``python -m pip`` or ``python -m pip_audit`` ever imports them from the checkout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_path, run_mlaudit, run_pre_commit, write_pre_commit_config
from hostile_repo import hostile_requirements_repo

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "outside" / "MARKER"


@pytest.fixture
def hostile(tmp_path: Path, marker: Path) -> Path:
    marker.parent.mkdir()
    return hostile_requirements_repo(tmp_path, marker)


def test_licenses_audit_never_builds_local_requirements(hostile: Path, marker: Path) -> None:
    proc = run_mlaudit("audit", ".", "--only", "licenses", "--format", "json", cwd=hostile)
    assert not marker.exists(), marker.read_text()
    assert proc.returncode in (0, 1), proc.stderr
    check = _check(json.loads(proc.stdout), "licenses")
    unjudged = {f["details"]["requirement"]: f for f in check["findings"]
                if f["rule"] == "licenses.unjudgeable-requirement"}
    assert set(unjudged) == {"tools/helper", "-e tools/editable", "file:tools/fileurl"}, check["findings"]
    finding = unjudged["tools/helper"]
    assert (finding["path"], finding["line"]) == ("requirements.txt", 1)
    assert "without running its code" in finding["message"]


def test_vulns_never_imports_from_the_checkout(hostile: Path, marker: Path) -> None:
    db = fixture_path("pypa-advisory-db")
    proc = run_mlaudit("audit", ".", "--only", "vulns", "--format", "json", "--advisory-db", str(db), cwd=hostile)
    assert not marker.exists(), marker.read_text()
    assert proc.returncode == 1, proc.stderr
    check = _check(json.loads(proc.stdout), "vulns")
    rules = {f["rule"] for f in check["findings"]}
    assert "vulns.known-vulnerability" in rules  # jinja2==2.11.0 is still judged
    unjudged = sorted(f["details"]["requirement"] for f in check["findings"]
                      if f["rule"] == "vulns.unjudgeable-requirement")
    assert unjudged == ["-e tools/editable", "file:tools/fileurl", "tools/helper"]


def test_sbom_never_runs_local_requirements(hostile: Path, marker: Path, tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    proc = run_mlaudit("sbom", ".", "--output", str(out), cwd=hostile)
    assert not marker.exists(), marker.read_text()
    assert proc.returncode == 0, proc.stderr
    # The SBOM lists what is known without building anything: the index pin, not the local packages.
    names = [c["name"] for c in json.loads(out.read_text(encoding="utf-8"))["components"]]
    assert names == ["jinja2"]


@pytest.mark.slow
def test_licenses_hook_never_builds_local_requirements(
    hostile: Path, marker: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(hostile, hook_repo, [{"id": "mlaudit-licenses"}, {"id": "mlaudit-pinned-deps"}])
    proc = run_pre_commit(hostile, pre_commit_home, "run", "--all-files", "--verbose")
    assert not marker.exists(), marker.read_text()
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "licenses.unjudgeable-requirement" in proc.stdout, proc.stdout
    assert "requirements.txt:1:" in proc.stdout
