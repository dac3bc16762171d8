"""The loopback OSV server and its version matching, over the real PyPA advisory database."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import fixture_path

from mlaudit.vulns.advisory_db import affects, snapshot_of
from mlaudit.vulns.osv_server import LocalOsvServer


def _post(url: str, body: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server() -> LocalOsvServer:
    with LocalOsvServer(fixture_path("pypa-advisory-db")) as running:
        yield running  # type: ignore[misc]


def test_query_answers_from_the_real_database(server: LocalOsvServer) -> None:
    status, body = _post(server.query_url, {"package": {"name": "Jinja2", "ecosystem": "PyPI"},
                                            "version": "2.11.0"})
    assert status == 200
    ids = {v["id"] for v in body["vulns"]}
    assert "PYSEC-2021-66" in ids
    advisory = next(v for v in body["vulns"] if v["id"] == "PYSEC-2021-66")
    assert "CVE-2020-28493" in advisory["aliases"]
    status, body = _post(server.query_url, {"package": {"name": "jinja2", "ecosystem": "PyPI"},
                                            "version": "3.1.4"})
    assert (status, body) == (200, {})
    status, body = _post(server.query_url, {"package": {"name": "no-such-package-xyz"}, "version": "1.0"})
    assert (status, body) == (200, {})


def test_querybatch_and_bad_requests(server: LocalOsvServer) -> None:
    status, body = _post(server.base_url + "/v1/querybatch", {"queries": [
        {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.11.0"},
        {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.4"},
    ]})
    assert status == 200
    assert "PYSEC-2021-66" in {v["id"] for v in body["results"][0]["vulns"]}
    assert body["results"][1]["vulns"] == []
    assert _post(server.query_url, {"package": {}})[0] == 400
    assert _post(server.base_url + "/v1/other", {})[0] == 404


def _advisory(events: list[dict[str, str]], versions: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    return {"id": "X", "affected": [{"package": {"name": "pkg", "ecosystem": "PyPI"},
                                      "ranges": [{"type": "ECOSYSTEM", "events": events}],
                                      "versions": versions or []}]}


@pytest.mark.parametrize("events, version, expected", [
    ([{"introduced": "0"}, {"fixed": "2.11.3"}], "2.11.2", True),
    ([{"introduced": "0"}, {"fixed": "2.11.3"}], "2.11.3", False),
    ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.2"}], "1.7", False),
    ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.2"}], "2.1", True),
    ([{"introduced": "1.0"}, {"last_affected": "1.4"}], "1.4", True),
    ([{"introduced": "1.0"}, {"last_affected": "1.4"}], "1.4.1", False),
    ([{"introduced": "1.0"}], "99.0", True),
    ([{"introduced": "1.0"}, {"fixed": "1.5"}], "0.9", False),
])
def test_ecosystem_ranges(events: list[dict[str, str]], version: str, expected: bool) -> None:
    assert affects(_advisory(events), "pkg", version) is expected


def test_explicit_versions_and_other_packages() -> None:
    advisory = _advisory([], versions=["0.5.1"])
    assert affects(advisory, "pkg", "0.5.1")
    assert not affects(advisory, "pkg", "0.5.2")
    assert not affects(advisory, "other", "0.5.1")


def test_snapshot_is_a_git_commit_or_a_digest_of_the_files(tmp_path: Path) -> None:
    db = tmp_path / "db"
    (db / "vulns" / "pkg").mkdir(parents=True)
    (db / "vulns" / "pkg" / "PYSEC-1.yaml").write_text("id: PYSEC-1\n")
    first = snapshot_of(db)
    assert first.startswith("files-sha256:")
    (db / "vulns" / "pkg" / "PYSEC-1.yaml").write_text("id: PYSEC-1\naliases: [CVE-1]\n")
    assert snapshot_of(db) != first
    from conftest import git, init_repo

    init_repo(db)
    git(db, "add", "-A")
    git(db, "commit", "-q", "-m", "db")
    commit = git(db, "rev-parse", "HEAD").strip()
    assert snapshot_of(db) == f"git:{commit}"
    (db / "vulns" / "pkg" / "PYSEC-2.yaml").write_text("id: PYSEC-2\n")  # local change: not the commit
    dirty = snapshot_of(db)
    assert dirty.startswith(f"git:{commit}+files-sha256:") and dirty != f"git:{commit}"


def test_malformed_advisories_are_skipped(tmp_path: Path) -> None:
    # Malformed parts of a parsable advisory are skipped; a file that does not parse is an error
    # (tests/robustness/test_advisory_db_unusable.py).
    folder = tmp_path / "db" / "vulns" / "pkg"
    folder.mkdir(parents=True)
    (folder / "BAD-1.yaml").write_text("id: BAD-1\naffected: 5\n")
    (folder / "BAD-2.yaml").write_text("id: BAD-2\naffected:\n- package: x\n  ranges: [{events: 3}]\n")
    (folder / "GOOD-1.yaml").write_text(
        "id: GOOD-1\naffected:\n- package: {name: pkg, ecosystem: PyPI}\n"
        "  ranges: [{type: ECOSYSTEM, events: [{introduced: '0'}, {fixed: '2.0'}]}]\n")
    with LocalOsvServer(tmp_path / "db") as running:
        status, body = _post(running.query_url, {"package": {"name": "pkg", "ecosystem": "PyPI"},
                                                 "version": "1.0"})
    assert status == 200 and [v["id"] for v in body["vulns"]] == ["GOOD-1"]
