"""An advisory database that cannot tell vulnerable from safe is an error, never "pass, 1 of 1 checked"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_path, init_repo, run_mlaudit

from mlaudit.errors import CheckError
from mlaudit.vulns.advisory_db import AdvisoryDatabase, AdvisoryFileError

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


def _vulns(repo: Path, db: Path) -> dict[str, Any]:
    proc = run_mlaudit("audit", str(repo), "--only", "vulns,pins", "--format", "json", "--advisory-db", str(db))
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return next(c for c in report["checks"] if c["id"] == "vulns")


@pytest.fixture
def pinned_repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    (repo / "requirements.txt").write_text("jinja2==2.11.0\n")
    return repo


def test_an_empty_database_is_an_error(pinned_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "db" / "vulns").mkdir(parents=True)
    vulns = _vulns(pinned_repo, tmp_path / "db")
    assert vulns["status"] == "error", vulns
    assert "no parsable advisory" in vulns["summary"] + json.dumps(vulns)


def test_a_database_of_garbage_is_an_error(pinned_repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "db" / "vulns" / "jinja2"
    folder.mkdir(parents=True)
    (folder / "PYSEC-1.yaml").write_text("id: [unclosed\n")
    (folder / "PYSEC-2.yaml").write_bytes(b"\xff\xfe")
    # Opened cheaply (it has advisory files), refused as soon as an answer depends on it: for the broken
    # package itself and for a package with no folder (whose "no vulnerability" would be a lie).
    for package in ("jinja2", "attrs"):
        with pytest.raises(CheckError, match="no parsable advisory"):
            AdvisoryDatabase(tmp_path / "db").query(package, "2.11.0")
    vulns = _vulns(pinned_repo, tmp_path / "db")
    assert vulns["status"] == "error", vulns
    assert "no parsable advisory" in json.dumps(vulns)
    (pinned_repo / "requirements.txt").write_text("attrs==23.1.0\n")
    vulns = _vulns(pinned_repo, tmp_path / "db")
    assert vulns["status"] == "error", vulns
    assert "no parsable advisory" in json.dumps(vulns)


def test_an_unparsable_advisory_of_an_audited_package_is_an_error(pinned_repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "db"
    shutil.copytree(fixture_path("pypa-advisory-db"), db)
    broken = sorted((db / "vulns" / "jinja2").iterdir())[0]
    broken.write_text("id: [unclosed\n")
    with pytest.raises(AdvisoryFileError, match=broken.name):
        AdvisoryDatabase(db).query("jinja2", "2.11.0")
    vulns = _vulns(pinned_repo, db)
    assert vulns["status"] == "error", vulns
    assert "not audited: requirements.txt" in vulns["summary"]
    assert f"advisory file vulns/jinja2/{broken.name} does not parse" in json.dumps(vulns)
    # ... while a package with no entry in the valid database simply has no known vulnerability.
    (pinned_repo / "requirements.txt").write_text("attrs==23.1.0\n")
    assert _vulns(pinned_repo, db)["status"] == "pass"
