"""The sticky comment (one per pull request) and the scheduled-audit tracking issue, on the loopback API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github_api_server import GitHubApiServer, add_pull_request

from mlaudit.github.api_client import GitHubClient
from mlaudit.github.schedule_issue import ISSUE_MARKER, known_fingerprints, sync_tracking_issue
from mlaudit.github.sticky_comment import COMMENT_MARKER, find_sticky_comment, upsert_sticky_comment
from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status

REPO = "octo/model"


@pytest.fixture
def api() -> Iterator[GitHubApiServer]:
    with GitHubApiServer(per_page_default=5) as server:
        add_pull_request(server, REPO, 3, head_sha="a" * 40, base_sha="b" * 40)
        yield server


@pytest.fixture
def client(api: GitHubApiServer) -> GitHubClient:
    return GitHubClient(api.url, "test-token", sleep=lambda s: None)


def test_create_then_update_then_unchanged(api: GitHubApiServer, client: GitHubClient) -> None:
    first = upsert_sticky_comment(client, REPO, 3, "first")
    second = upsert_sticky_comment(client, REPO, 3, "second")
    third = upsert_sticky_comment(client, REPO, 3, "second")
    assert (first.action, second.action, third.action) == ("created", "updated", "unchanged")
    assert first.comment_id == second.comment_id == third.comment_id
    [comment] = api.repos[REPO].comments.values()
    assert comment["body"] == f"{COMMENT_MARKER}\nsecond"
    assert len(api.requests_to("PATCH", r"/issues/comments/")) == 1


def test_found_across_pages_and_a_bot_comment_wins(api: GitHubApiServer, client: GitHubClient) -> None:
    repo = api.repos[REPO]
    for i in range(12):  # other people's comments push ours to a later page (5 per page here)
        client.request("POST", f"/repos/{REPO}/issues/3/comments", {"body": f"review {i}"})
    ours = upsert_sticky_comment(client, REPO, 3, "report")
    # Someone quotes the marker in a human comment: it must not be taken for ours.
    client.request("POST", f"/repos/{REPO}/issues/3/comments", {"body": f"> {COMMENT_MARKER} quoted"})
    human = max(repo.comments)
    repo.comments[human]["user"] = {"login": "someone", "type": "User"}
    for cid in list(repo.comments)[:12]:
        repo.comments[cid]["user"] = {"login": "reviewer", "type": "User"}
    found = find_sticky_comment(client, REPO, 3)
    assert found is not None and found["id"] == ours.comment_id
    assert upsert_sticky_comment(client, REPO, 3, "report v2").comment_id == ours.comment_id


def report_with(*findings: Finding) -> Report:
    check = CheckResult(
        check_id="vulns",
        title="Vulnerabilities",
        pillar=Pillar.SECURITY,
        status=Status.FAIL if findings else Status.PASS,
        summary="",
        findings=findings,
    )
    return Report(tool_version="t", root="/r", status=check.status, fail_on=Severity.HIGH, checks=(check,))


def vuln(pkg: str) -> Finding:
    return Finding(
        rule="vulns.advisory",
        severity=Severity.HIGH,
        path="requirements.txt",
        key=pkg,
        message=f"{pkg} has a known vulnerability",
    )


def test_schedule_issue_lifecycle(api: GitHubApiServer, client: GitHubClient) -> None:
    repo = api.repos[REPO]
    assert sync_tracking_issue(client, REPO, report_with(), ["vulns"]).action == "unchanged"
    assert repo.issues == {}

    created = sync_tracking_issue(client, REPO, report_with(vuln("numpy")), ["vulns"], run_url="https://x/run/1")
    assert created.action == "created" and len(created.new) == 1
    issue = repo.issues[created.number]  # type: ignore[index]
    assert ISSUE_MARKER in issue["body"] and issue["labels"] == [{"name": "mlaudit"}]
    assert known_fingerprints(issue["body"]) == {vuln("numpy").fingerprint}

    again = sync_tracking_issue(client, REPO, report_with(vuln("numpy")), ["vulns"])
    assert again.action == "unchanged" and again.number == created.number

    updated = sync_tracking_issue(client, REPO, report_with(vuln("numpy"), vuln("pillow")), ["vulns"])
    assert updated.action == "updated" and [f.key for f in updated.new] == ["pillow"]
    assert len(repo.issues) == 1, "one issue, updated, never a second one"
    notes = [c for c in repo.comments.values() if c["_issue"] == created.number]
    assert len(notes) == 1 and "pillow" in notes[0]["body"] and "numpy" not in notes[0]["body"]
    assert "🆕" in repo.issues[created.number]["body"]  # type: ignore[index]

    closed = sync_tracking_issue(client, REPO, report_with(), ["vulns"])
    assert closed.action == "closed" and repo.issues[created.number]["state"] == "closed"  # type: ignore[index]

    reopened = sync_tracking_issue(client, REPO, report_with(vuln("torch")), ["vulns"])
    assert reopened.action == "created" and reopened.number != created.number


def test_comment_modes(api: GitHubApiServer, client: GitHubClient) -> None:
    from mlaudit.github.comment_model import build_comment_model
    from mlaudit.github.publish import post_pull_request_comment

    lines: list[str] = []
    passing = build_comment_model(report_with(), None)
    failing = build_comment_model(report_with(vuln("numpy")), None)
    assert post_pull_request_comment(client, REPO, 3, failing, "never", lines.append).state == "skipped"
    assert post_pull_request_comment(client, REPO, 3, passing, "on-failure", lines.append).state == "skipped"
    assert api.repos[REPO].comments == {}
    assert post_pull_request_comment(client, REPO, 3, failing, "on-failure", lines.append).state == "created"
    # Passing again: the stale failing comment is refreshed, not left behind.
    refreshed = post_pull_request_comment(client, REPO, 3, passing, "on-failure", lines.append)
    assert refreshed.state == "updated"
    [comment] = api.repos[REPO].comments.values()
    assert "mlaudit: PASS" in comment["body"]
    assert post_pull_request_comment(None, REPO, 3, failing, "always", lines.append).state == "failed"
    assert lines == ["::notice::mlaudit: no GitHub token; the report is in the job summary only"]


def test_a_tracked_check_that_did_not_run_never_closes_the_issue(api: GitHubApiServer, client: GitHubClient) -> None:
    created = sync_tracking_issue(client, REPO, report_with(vuln("numpy")), ["vulns"])
    errored = CheckResult(
        check_id="vulns",
        title="Vulnerabilities",
        pillar=Pillar.SECURITY,
        status=Status.ERROR,
        summary="OSV unreachable",
    )
    down = Report(tool_version="t", root="/r", status=Status.FAIL, fail_on=Severity.HIGH, checks=(errored,))
    result = sync_tracking_issue(client, REPO, down, ["vulns"])
    assert result.action == "incomplete" and result.number == created.number
    issue = api.repos[REPO].issues[created.number]  # type: ignore[index]
    assert issue["state"] == "open" and known_fingerprints(issue["body"]) == {vuln("numpy").fingerprint}
    not_run = Report(tool_version="t", root="/r", status=Status.PASS, fail_on=Severity.HIGH, checks=())
    assert sync_tracking_issue(client, REPO, not_run, ["vulns"]).action == "incomplete"
