"""Dependency licences from real package metadata: the installed environment and pip's dry-run report."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from mlaudit.licenses.dependency_facts import (
    installed_components,
    license_from_metadata,
    requirement_lines,
    resolve_requirements,
)

SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


def test_installed_environment_metadata() -> None:
    components = {c.name.lower(): c for c in installed_components([SITE_PACKAGES])}
    # Packages this test environment really has, with the licences their metadata declares.
    assert components["pytest"].license.expression == "MIT"
    assert components["license-expression"].license.expression == "Apache-2.0"
    assert components["pyyaml"].license.expression == "MIT"
    assert all(c.source.startswith("installed metadata") for c in components.values())
    assert all(c.version for c in components.values())


def test_metadata_precedence() -> None:
    normalized, field = license_from_metadata("MIT OR Apache-2.0", "BSD", ["License :: OSI Approved :: ISC License"])
    assert (normalized.expression, field) == ("MIT OR Apache-2.0", "License-Expression")
    normalized, field = license_from_metadata(None, "Apache 2.0", [])
    assert (normalized.expression, field) == ("Apache-2.0", "License")
    normalized, field = license_from_metadata(
        None, "see LICENSE file please", ["License :: OSI Approved :: MIT License"]
    )
    assert (normalized.expression, field) == ("MIT", "classifiers")
    normalized, field = license_from_metadata(None, None, [])
    assert normalized.expression is None and field == "none"


def test_requirement_lines_leave_out_paths_urls_and_options(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("idna==3.7 --hash=sha256:abc\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(
        "-r base.txt\n-e .\n./local_pkg\n--index-url https://example.invalid/simple\n"
        "six==1.16.0  # pinned\ngit+https://example.invalid/x.git\npkg @ https://example.invalid/p.whl\n"
        "-r /etc/passwd\n",
        encoding="utf-8",
    )
    wanted = requirement_lines(tmp_path, ["requirements.txt"])
    assert sorted(wanted.lines) == ["idna==3.7", "six==1.16.0"]
    # What pip would have to build is set apart, with its line; the index option is reported, not used.
    assert [(u.line, u.text, u.kind) for u in wanted.unjudgeable] == [
        (2, "-e .", "editable"), (3, "./local_pkg", "local path"),
        (6, "git+https://example.invalid/x.git", "VCS"), (7, "pkg @ https://example.invalid/p.whl", "URL")]
    assert wanted.index_options == (("requirements.txt", 4, "--index-url"),)
    # An include outside the repository is not read, and says so.
    assert any("/etc/passwd" in reason and "absolute" in reason for reason in wanted.incomplete)


def test_offline_never_runs_pip(tmp_path: Path) -> None:
    result = resolve_requirements(["six==1.16.0"], offline=True, cache_dir=tmp_path)
    assert result.components == ()
    assert result.problem is not None and "offline" in result.problem


@pytest.mark.needs_network
def test_pip_dry_run_report_then_cache(tmp_path: Path) -> None:
    """Resolves from the package index (PyPI is reachable here); the second call reads the cache offline."""
    first = resolve_requirements(["six==1.16.0"], offline=False, cache_dir=tmp_path, timeout=120)
    if first.problem and ("No matching distribution" in first.problem or "connection" in first.problem.lower()):
        pytest.skip(f"package index not reachable: {first.problem}")
    assert first.problem is None
    six = {c.name: c for c in first.components}["six"]
    assert (six.version, six.license.expression) == ("1.16.0", "MIT")
    assert six.source.startswith("pip report")
    again = resolve_requirements(["six==1.16.0"], offline=True, cache_dir=tmp_path)
    assert again.from_cache and [c.name for c in again.components] == ["six"]


def test_unresolvable_requirement_is_a_problem(tmp_path: Path) -> None:
    result = resolve_requirements(
        ["surely-no-such-package-mlaudit==0.0.1"], offline=False, cache_dir=tmp_path, timeout=120
    )
    assert result.problem is not None and result.components == ()


def test_old_pip_report_without_license_expression_says_why(tmp_path: Path) -> None:
    from mlaudit.licenses.dependency_facts import _components_from_report

    meta = {"name": "markupsafe", "version": "3.0.3", "metadata_version": "2.4", "classifier": []}
    [old] = _components_from_report({"pip_version": "23.2.1", "install": [{"metadata": meta}]})
    assert old.license.expression is None and "upgrade pip" in old.license.notes[-1]
    new_meta = {**meta, "license_expression": "BSD-3-Clause"}
    [new] = _components_from_report({"pip_version": "25.2", "install": [{"metadata": new_meta}]})
    assert new.license.expression == "BSD-3-Clause"
