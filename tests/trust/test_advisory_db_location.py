"""The advisory database that judges a repository is the user's choice, never the repository's own.

The attack: a repository commits its own "advisory database" (a valid PyPA
layout, but without the advisories that matter) and names it in its config
(``advisory_db``); the vulns check would then pass vulnerable pins.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_path, run_mlaudit
from pins_scan import write

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.store.advisory_location import choose_advisory_db

NOT_CI = {"CI": "", "GITHUB_ACTIONS": "", "MLAUDIT_ADVISORY_DB": ""}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "GITHUB_ACTIONS", "MLAUDIT_ADVISORY_DB"):
        monkeypatch.delenv(name, raising=False)


def _hostile_repo(repo: Path, *, db_in_config: str = "advisories") -> Path:
    """A vulnerable pin, and a committed advisory database that knows nothing about it."""
    write(repo, "requirements.txt", "jinja2==2.11.0\n")
    own_db = repo / "advisories"
    shutil.copytree(fixture_path("pypa-advisory-db"), own_db)
    shutil.rmtree(own_db / "vulns" / "jinja2")  # the advisory that matters is left out
    write(repo, "mlaudit.toml", f'advisory_db = "{db_in_config}"\n')
    return own_db


def _vulns(repo: Path, *extra: str, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    proc = run_mlaudit("audit", str(repo), "--only", "vulns", "--offline", "--format", "json", *extra, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return next(c for c in report["checks"] if c["id"] == "vulns"), proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("ci", [True, False])
def test_a_committed_advisory_database_never_passes_the_vulns_check(repo: Path, ci: bool) -> None:
    _hostile_repo(repo)
    env = {**NOT_CI, "CI": "true" if ci else ""}
    vulns, stderr = _vulns(repo, env=env)
    assert vulns["status"] != "pass", vulns
    assert "advisories" not in json.dumps(vulns.get("evidence", {}).get("database", {}))
    assert "advisory_db = 'advisories'" in stderr or "advisories" in stderr  # the user is told, on stderr
    assert "advisory" in vulns["summary"]  # ...and in the report: the check says why no local database answered

    # The user's own database (environment) decides instead, and the report says who chose it.
    env_db = {**env, "MLAUDIT_ADVISORY_DB": str(fixture_path("pypa-advisory-db"))}
    vulns, _stderr = _vulns(repo, env=env_db)
    assert vulns["status"] == "fail"
    assert "PYSEC-2021-66" in {f["details"]["id"] for f in vulns["findings"]}
    assert vulns["evidence"]["database"]["source"] == "$MLAUDIT_ADVISORY_DB"


@pytest.mark.slow
def test_a_database_inside_the_root_named_on_the_command_line_is_used_and_said(repo: Path) -> None:
    own_db = _hostile_repo(repo)
    vulns, stderr = _vulns(repo, "--advisory-db", str(own_db), env={**NOT_CI, "CI": "true"})
    database = vulns["evidence"]["database"]
    assert database["source"] == "--advisory-db" and database["inside_repository"] is True
    assert "inside the audited repository" in database["note"]
    assert "inside the audited repository" in stderr


def test_order_and_refusals(tmp_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "advisories").mkdir(parents=True)
    outside = tmp_path / "db"
    # A developer's machine: the repository's config may name a database outside the root...
    chosen = choose_advisory_db(root, explicit=None, configured=str(outside))
    assert (chosen.path, chosen.source) == (outside, "advisory_db in the repository's config")
    # ...never one inside it (a symlink leading in counts as inside).
    assert choose_advisory_db(root, explicit=None, configured="advisories").path is None
    (tmp_path / "link").symlink_to(root / "advisories")
    refused = choose_advisory_db(root, explicit=None, configured=str(tmp_path / "link"))
    assert refused.path is None and "refused" in refused.notes[0]
    # The environment wins over the config, and is refused inside the root too.
    monkeypatch.setenv("MLAUDIT_ADVISORY_DB", str(tmp_path / "env"))
    assert choose_advisory_db(root, explicit=None, configured=str(outside)).source == "$MLAUDIT_ADVISORY_DB"
    monkeypatch.setenv("MLAUDIT_ADVISORY_DB", str(root / "advisories"))
    assert choose_advisory_db(root, explicit=None, configured=None).path is None
    # The command line wins, even inside the root (said).
    explicit = choose_advisory_db(root, explicit=root / "advisories", configured=str(outside))
    assert explicit.source == "--advisory-db" and explicit.inside_repository and explicit.notes


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS"])
def test_the_repository_config_is_ignored_in_ci_and_pull_request_mode(tmp_path: Path, clean_env: None,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      variable: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "mlaudit.toml").write_text(f'advisory_db = "{tmp_path / "db"}"\n')
    ctx = AuditContext(root, load_config(root), untrusted_config=True)
    assert ctx.advisory_db is None and any("pull-request mode" in n for n in ctx.notes)
    monkeypatch.setenv(variable, "true")
    ctx = AuditContext(root, load_config(root))
    assert ctx.advisory_db is None and any("ignored in CI" in n for n in ctx.notes)
    assert AuditContext(root, load_config(root), advisory_db=tmp_path / "cli").advisory_db == tmp_path / "cli"
