"""Requirements files as a hostile repository writes them: oversized, and including files it should not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_path, git, run_mlaudit
from pins_scan import by_rule, scan, write

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


def _checks(repo: Path, *only: str) -> tuple[int, dict[str, dict[str, Any]]]:
    db = fixture_path("pypa-advisory-db")
    proc = run_mlaudit("audit", str(repo), "--only", ",".join(only), "--format", "json", "--advisory-db", str(db))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, {c["id"]: c for c in json.loads(proc.stdout)["checks"]}


def test_pin_followed_by_megabytes_of_comments_is_still_audited(repo: Path) -> None:
    write(repo, "requirements.txt", "jinja2==2.11.0\n" + "# padding padding padding padding\n" * 160_000)
    assert (repo / "requirements.txt").stat().st_size > 5_000_000
    git(repo, "add", "-A")
    code, checks = _checks(repo, "vulns", "pins")
    assert code == 1
    assert checks["vulns"]["status"] == "fail"
    assert [(f["path"], f["line"]) for f in checks["vulns"]["findings"]
            if f["rule"] == "vulns.known-vulnerability"] == [("requirements.txt", 1)]
    assert checks["pins"]["status"] == "pass"


def test_too_many_requirement_lines_are_an_error_never_a_pass(repo: Path) -> None:
    write(repo, "requirements.txt", "".join(f"package-number-{i}==1.0\n" for i in range(300_000)))
    git(repo, "add", "-A")
    code, checks = _checks(repo, "vulns", "pins")
    assert code == 1
    assert checks["pins"]["status"] == "error" and checks["vulns"]["status"] == "error"
    assert "requirement lines" in checks["vulns"]["summary"]


@pytest.mark.parametrize("include", ["-r https://example.invalid/reqs.txt", "-r /etc/hostname",
                                     "-c ../../outside.txt", "-r sub/../../outside.txt"])
def test_includes_that_leave_the_repository_are_errors(repo: Path, include: str) -> None:
    (repo.parent / "outside.txt").write_text("jinja2==2.11.0\n", encoding="utf-8")
    write(repo, "requirements.txt", f"{include}\nsix==1.16.0\n")
    git(repo, "add", "-A")
    code, checks = _checks(repo, "vulns", "pins")
    pins = checks["pins"]
    assert code == 1 and pins["status"] == "error", pins
    assert by_rule_json(pins, "pins.include-refused") == [("requirements.txt", 1)]
    # The outside file was never read: its vulnerable pin is not reported anywhere.
    assert not any("jinja2" in f["message"] for c in checks.values() for f in c["findings"])
    assert checks["vulns"]["status"] == "error"


def by_rule_json(check: dict[str, Any], rule: str) -> list[tuple[str, int]]:
    return sorted((f["path"], f["line"]) for f in check["findings"] if f["rule"] == rule)


def test_include_through_a_symlinked_folder_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write(outside, "base.txt", "jinja2==2.11.0\n")
    write(root, "requirements.txt", "-r deps/base.txt\n")
    (root / "deps").symlink_to(outside)
    result = scan(root, "requirements.txt")
    assert by_rule(result.findings, "pins.include-refused") == [("requirements.txt", 1)]
    assert not result.pinned and result.incomplete


def test_requirements_file_that_is_a_symlink_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(tmp_path, "secret.txt", "jinja2==2.11.0\n")
    root.mkdir()
    (root / "requirements.txt").symlink_to(tmp_path / "secret.txt")
    result = scan(root, "requirements.txt")
    assert not result.pinned
    assert by_rule(result.findings, "pins.invalid-file") == [("requirements.txt", None)]
    assert "outside the repository" in result.incomplete[0]
