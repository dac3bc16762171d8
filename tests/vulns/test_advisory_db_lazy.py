"""The local advisory database reads only what is asked: a query parses the queried package's files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import fixture_path

from mlaudit.vulns.advisory_db import AdvisoryDatabase, AdvisoryFileError


def _files_of(db: Path, package: str) -> list[str]:
    return sorted(p.relative_to(db).as_posix() for p in (db / "vulns" / package).iterdir()
                  if p.suffix in (".yaml", ".yml", ".json"))


def test_opening_parses_nothing_and_a_query_parses_only_its_package() -> None:
    db_path = fixture_path("pypa-advisory-db")
    db = AdvisoryDatabase(db_path)
    assert db.parsed_files == []
    found = db.query("Jinja2", "2.11.0")
    assert found, "jinja2 2.11.0 has known advisories in the fixture"
    assert sorted(db.parsed_files) == _files_of(db_path, "jinja2")
    db.query("jinja2", "3.1.4")  # parsed once, kept in memory
    assert sorted(db.parsed_files) == _files_of(db_path, "jinja2")
    db.query("numpy", "1.26.4")
    assert sorted(db.parsed_files) == sorted(_files_of(db_path, "jinja2") + _files_of(db_path, "numpy"))


def test_other_packages_broken_files_do_not_touch_a_query(tmp_path: Path) -> None:
    db_path = tmp_path / "db"
    shutil.copytree(fixture_path("pypa-advisory-db"), db_path)
    (db_path / "vulns" / "numpy" / "BROKEN.yaml").write_text("id: [unclosed\n")
    db = AdvisoryDatabase(db_path)
    assert db.query("jinja2", "2.11.0")
    with pytest.raises(AdvisoryFileError, match=r"vulns/numpy/BROKEN\.yaml"):
        db.query("numpy", "1.26.4")
    assert db.problems() == [str(_error(db, "numpy"))]


def test_a_package_with_no_folder_proves_the_database_usable_once(tmp_path: Path) -> None:
    db = AdvisoryDatabase(fixture_path("pypa-advisory-db"))
    assert db.query("attrs", "23.1.0") == []
    first = list(db.parsed_files)
    assert first, "a 'no vulnerability' answer needs one parsable advisory somewhere"
    assert db.query("another-absent-package", "1.0") == []
    assert db.parsed_files == first


def _error(db: AdvisoryDatabase, package: str) -> AdvisoryFileError:
    try:
        db.advisories_for(package)
    except AdvisoryFileError as exc:
        return exc
    raise AssertionError(f"{package} parsed")
