"""Discovery and the fleet tracking issue against the loopback GitHub API: pagination, 403 with Retry-After, 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_mlaudit
from github_api_fleet_routes import add_org_repositories
from github_api_server import GitHubApiServer

from mlaudit.fleet.discovery import discover_repositories
from mlaudit.fleet.inventory import DiscoveryRule
from mlaudit.github.api_client import GitHubApiError, GitHubClient

INVENTORY = """\
[fleet]
tracking_repository = "acme/governance"

[[repositories]]
name = "acme/model-006"
tier = "high"
owners = ["alice"]

[[discover]]
org = "acme"
topic = "ml-model"
tier = "low"
owners = ["@acme/platform"]
"""


def org_repos() -> list[dict[str, object]]:
    """250 repositories (three pages of 100): every third tagged, plus an archived and a fork."""
    repos: list[dict[str, object]] = [
        {"name": f"model-{i:03d}", "topics": ["ml-model", "nlp"] if i % 3 == 0 else ["web"]} for i in range(248)
    ]
    repos.append({"name": "old-model", "topics": ["ml-model"], "archived": True})
    repos.append({"name": "forked-model", "topics": ["ML-Model"], "fork": True})
    return repos


@pytest.fixture
def api() -> GitHubApiServer:
    with GitHubApiServer() as server:
        add_org_repositories(server, "acme", org_repos())
        server.add_repository("acme/governance")
        yield server


def env(api: GitHubApiServer) -> dict[str, str]:
    return {"GITHUB_API_URL": api.url, "GITHUB_TOKEN": "test-token", "MLAUDIT_GITHUB_BACKOFF_S": "0.01"}


def test_discovery_pages_and_survives_rate_limit_and_500(api: GitHubApiServer, tmp_path: Path) -> None:
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text(INVENTORY)
    api.fail(403, method="GET", path=r"^/orgs/acme/repos$", retry_after=0.2,
             body={"message": "You have exceeded a secondary rate limit"})
    api.fail(500, method="GET", path=r"^/orgs/acme/repos$", times=1)
    result = run_mlaudit("fleet", "inventory", "--inventory", str(inventory), "--format", "json", env=env(api))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["repositories"]
    names = [r["repository"] for r in rows]
    expected = ["acme/model-006"] + [f"acme/model-{i:03d}" for i in range(0, 248, 3) if i != 6]
    assert names == expected, "listed first, then discovered (sorted), archived and forks left out"
    assert rows[0]["tier"] == "high" and rows[0]["discovered_by"] is None, "the listed entry wins"
    assert rows[1] == {"repository": "acme/model-000", "tier": "low", "owners": ["@acme/platform"], "path": "",
                       "config": "", "discovered_by": "acme:ml-model"}
    pages = [r.query.get("page", "1") for r in api.requests_to("GET", r"^/orgs/acme/repos$")]
    assert pages == ["1", "1", "1", "2", "3"], "403 and 500 retried, then three pages"


def test_discovery_gives_up_with_a_clear_error(api: GitHubApiServer) -> None:
    api.fail(500, method="GET", path=r"^/orgs/acme/repos$", times=10)
    client = GitHubClient(api.url, "test-token", max_attempts=3, backoff_s=0.01)
    with pytest.raises(GitHubApiError) as caught:
        discover_repositories(client, DiscoveryRule(org="acme", topic="ml-model"))
    assert "gave up after 3 attempts" in caught.value.diagnostics()
    assert "/orgs/acme/repos" in caught.value.diagnostics()


def test_plan_includes_discovered_repositories(api: GitHubApiServer, tmp_path: Path) -> None:
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text(INVENTORY)
    result = run_mlaudit("fleet", "plan", "--inventory", str(inventory), env=env(api))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["chunks"][0]["include"]
    assert len(rows) == 83 and rows[0]["repository"] == "acme/model-006"
    without = run_mlaudit("fleet", "plan", "--inventory", str(inventory), "--no-discover")
    assert json.loads(without.stdout)["repositories"] == 1


def test_tracking_issue_is_created_once_then_updated_in_place(api: GitHubApiServer, tmp_path: Path,
                                                               audited_reports) -> None:  # type: ignore[no-untyped-def]
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text('[fleet]\ntracking_repository = "acme/governance"\n\n'
                         '[[repositories]]\nname = "acme/a"\ntier = "high"\n\n'
                         '[[repositories]]\nname = "acme/b"\ntier = "high"\n')
    reports = tmp_path / "reports"
    audited_reports.copy("passing", reports / "acme__a.json")
    args = ["fleet", "aggregate", "--inventory", str(inventory), str(reports), "--issue", "--no-history"]
    api.fail(500, method="POST", path=r"^/repos/acme/governance/issues$", times=1)
    first = run_mlaudit(*args, env=env(api))
    assert first.returncode == 0, first.stderr
    assert "fleet tracking issue #1 created" in first.stderr
    issue = api.repos["acme/governance"].issues[1]
    assert issue["title"] == "mlaudit fleet: 1/2 covered (50.0 %)"
    assert "<!-- mlaudit:fleet-report -->" in issue["body"] and "| acme/b | high | missing |" in issue["body"]
    audited_reports.copy("failing", reports / "acme__b.json")
    api.fail(403, method="GET", path=r"^/repos/acme/governance/issues$", retry_after=0.1,
             body={"message": "API rate limit exceeded"})
    second = run_mlaudit(*args, env=env(api))
    assert second.returncode == 0, second.stderr
    assert "fleet tracking issue #1 updated" in second.stderr
    assert list(api.repos["acme/governance"].issues) == [1], "one issue, updated in place"
    assert api.repos["acme/governance"].issues[1]["title"] == "mlaudit fleet: 2/2 covered (100.0 %)"
    assert len(api.requests_to("PATCH", r"^/repos/acme/governance/issues/1$")) == 1


def test_discovery_without_a_token_is_a_usage_error(tmp_path: Path) -> None:
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text(INVENTORY)
    result = run_mlaudit("fleet", "plan", "--inventory", str(inventory),
                         env={"GITHUB_TOKEN": "", "GH_TOKEN": "", "INPUT_GITHUB-TOKEN": ""})
    assert result.returncode == 2
    assert "has [[discover]] rules; they need the GitHub API" in result.stderr
