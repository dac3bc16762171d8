"""The vulns check with the real pip-audit against a loopback OSV server over the real PyPA database."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_path, run_mlaudit
from pins_scan import write

from mlaudit.vulns.osv_server import LocalOsvServer

pytestmark = pytest.mark.slow  # the real pip-audit against a loopback OSV server


def _audit(repo: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    proc = run_mlaudit("audit", str(repo), "--only", "vulns,pins", "--format", "json", *extra, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


def test_known_cve_reported_with_ids_fix_and_line_then_cached(repo: Path) -> None:
    db = fixture_path("pypa-advisory-db")
    write(repo, "requirements.txt", "-r requirements/base.txt\nnumpy==1.26.4\n")
    write(repo, "requirements/base.txt", "# pinned on purpose\njinja2==2.11.0\n")
    write(repo, "serve/requirements.txt", "jinja2==3.1.4\n")  # a safe pin elsewhere: not reported
    write(repo, "tools/uv.lock", 'version = 1\n[[package]]\nname = "jinja2"\nversion = "2.11.0"\n')
    write(repo, "environment.yml", "dependencies:\n  - python=3.11\n  - pip:\n    - Jinja2==2.10\n")
    write(repo, "Dockerfile", f"FROM python@sha256:{'ab' * 32}\nRUN pip install --no-cache-dir jinja2==2.11.0\n")
    code, report = _audit(repo, "--advisory-db", str(db))
    vulns = _check(report, "vulns")
    assert code == 1 and vulns["status"] == "fail"
    jinja = {(f["path"], f["line"]): f for f in vulns["findings"] if f["details"]["id"] == "PYSEC-2021-66"}
    # Every source that pins an affected version is named, with its line.
    assert set(jinja) == {("requirements/base.txt", 2), ("tools/uv.lock", 3), ("environment.yml", 4),
                          ("Dockerfile", 2)}
    finding = jinja[("requirements/base.txt", 2)]
    assert (finding["rule"], finding["path"], finding["line"]) == (
        "vulns.known-vulnerability", "requirements/base.txt", 2)
    assert "CVE-2020-28493" in finding["details"]["aliases"]
    assert "CVE-2020-28493" in finding["message"]
    assert finding["details"]["fix_versions"] == ["2.11.3"]
    assert "jinja2==2.11.3" in finding["remediation"]
    assert {f["details"]["version"] for f in vulns["findings"]} == {"2.11.0", "2.10"}
    assert not any(f["path"] == "serve/requirements.txt" for f in vulns["findings"])
    database = vulns["evidence"]["database"]
    assert Path(database["path"]).resolve() == db.resolve() and database["snapshot"].startswith(("git:", "files-sha256:"))
    # pip-audit refuses a name twice in one file: three jinja2 versions take three runs.
    assert vulns["evidence"]["pip_audit_runs"] == 3
    assert _check(report, "pins")["status"] == "pass"

    # Same database snapshot: every answer comes from the cache, pip-audit is not run again.
    _code, again = _audit(repo, "--advisory-db", str(db))
    evidence = _check(again, "vulns")["evidence"]
    assert evidence["pip_audit_runs"] == 0 and evidence["answers_from_cache"] == 4
    assert [f["fingerprint"] for f in _check(again, "vulns")["findings"]] == [
        f["fingerprint"] for f in vulns["findings"]]


def test_advisory_db_from_config_and_ignore_with_reason(repo: Path) -> None:
    db = fixture_path("pypa-advisory-db")
    write(repo, "requirements.txt", "jinja2==2.11.0\n")
    write(repo, "pyproject.toml", f"""
        [tool.mlaudit]
        advisory_db = "{db}"

        [[tool.mlaudit.vulns.ignore]]
        id = "CVE-2020-28493"
        reason = "urlize is never called on user input"
        """)
    developer = {"CI": "", "GITHUB_ACTIONS": "", "MLAUDIT_ADVISORY_DB": ""}  # the config's database counts only here
    _code, report = _audit(repo, "--offline", env=developer)  # a local database needs no network
    vulns = _check(report, "vulns")
    assert "PYSEC-2021-66" not in {f["details"]["id"] for f in vulns["findings"]}
    ignored = vulns["evidence"]["ignored"]
    assert {"id": "PYSEC-2021-66", "reason": "urlize is never called on user input"}.items() <= next(
        i for i in ignored if i["id"] == "PYSEC-2021-66").items()
    # The Markdown report says which database and snapshot answered, and what was ignored and why.
    markdown = run_mlaudit("audit", str(repo), "--only", "vulns", "--format", "markdown", env=developer).stdout
    assert f"local advisory database `{db}`, snapshot `{vulns['evidence']['database']['snapshot']}`" in markdown
    assert "| `PYSEC-2021-66` | `jinja2` 2.11.0 | `requirements.txt:1` | urlize is never called on user input |" \
        in markdown


def test_expired_ignore_counts_again(repo: Path) -> None:
    write(repo, "requirements.txt", "jinja2==2.11.0\n")
    write(repo, "mlaudit.toml", '[[vulns.ignore]]\nid = "PYSEC-2021-66"\nreason = "legacy"\n'
          'owner = "ml-platform"\nexpires = 2020-01-31\n')
    code, report = _audit(repo, "--advisory-db", str(fixture_path("pypa-advisory-db")))
    rules = {(f["rule"], f.get("details", {}).get("id")) for f in _check(report, "vulns")["findings"]}
    assert ("vulns.known-vulnerability", "PYSEC-2021-66") in rules
    assert any(rule == "vulns.ignore-expired" for rule, _ in rules)
    assert code == 1


def test_missing_advisory_db_is_an_error(repo: Path, tmp_path: Path) -> None:
    write(repo, "requirements.txt", "jinja2==3.1.4\n")
    _code, report = _audit(repo, "--advisory-db", str(tmp_path / "nowhere"))
    vulns = _check(report, "vulns")
    assert vulns["status"] == "error" and "no vulns/ folder" in vulns["summary"]


def test_ignore_without_reason_is_a_config_error(repo: Path) -> None:
    write(repo, "requirements.txt", "jinja2==2.11.0\n")
    write(repo, "mlaudit.toml", '[[vulns.ignore]]\nid = "PYSEC-2021-66"\n')
    proc = run_mlaudit("audit", str(repo), "--only", "vulns")
    assert proc.returncode == 2
    assert "mlaudit.toml" in proc.stderr and "reason" in proc.stderr


def test_service_down_is_an_error_and_the_audit_goes_on(repo: Path) -> None:
    with LocalOsvServer(fixture_path("pypa-advisory-db")) as server:
        url = server.query_url
    # The server is stopped: nothing listens on its port any more.
    write(repo, "requirements.txt", "jinja2==2.11.0\ntorch\n")
    write(repo, "mlaudit.toml", f'[vulns]\nosv_url = "{url}"\ntimeout = 5\n')
    code, report = _audit(repo)
    vulns = _check(report, "vulns")
    assert code == 1 and vulns["status"] == "error"
    assert "cannot be reached" in vulns["summary"] and "requirements.txt" in vulns["summary"]
    assert not vulns["findings"]
    assert _check(report, "pins")["findings"]  # the rest of the audit ran


class _RateLimited(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(429)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_rate_limited_service_is_an_error_with_the_reason(repo: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RateLimited)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        write(repo, "requirements.txt", "jinja2==3.1.4\n")
        write(repo, "mlaudit.toml", f'[vulns]\nosv_url = "http://127.0.0.1:{server.server_address[1]}/v1/query"\n')
        _code, report = _audit(repo)
    finally:
        server.shutdown()
        server.server_close()
    vulns = _check(report, "vulns")
    assert vulns["status"] == "error" and "429" in vulns["summary"]


def test_unauditable_version_is_an_error_never_a_pass(repo: Path) -> None:
    write(repo, "requirements.txt", "jinja2===2.11.0-custom-build\n")
    code, report = _audit(repo, "--advisory-db", str(fixture_path("pypa-advisory-db")))
    vulns = _check(report, "vulns")
    assert vulns["status"] == "error" and "could not be audited" in vulns["summary"]
    assert code == 1


@pytest.mark.parametrize("extra, reason", [
    (("--offline",), "offline"),
])
def test_offline_without_database_is_skipped(repo: Path, extra: tuple[str, ...], reason: str) -> None:
    write(repo, "requirements.txt", "jinja2==3.1.4\n")
    _code, report = _audit(repo, *extra)
    vulns = _check(report, "vulns")
    assert vulns["status"] == "skipped" and reason in vulns["summary"]
