"""The REST client against the loopback API: pagination, retries, rate limits, read-only tokens."""

from __future__ import annotations

import email.utils

import pytest
from github_api_server import GitHubApiServer, add_pull_request

from mlaudit.github.api_client import GitHubApiError, GitHubClient, ReadOnlyTokenError, retry_after_seconds

REPO = "octo/model"


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    with GitHubApiServer() as server:
        add_pull_request(server, REPO, 1, head_sha="a" * 40, base_sha="b" * 40)
        yield server


def client_for(api: GitHubApiServer, sleeps: list[float], token: str = "test-token", **kw: float) -> GitHubClient:
    return GitHubClient(api.url, token, sleep=sleeps.append, **kw)  # type: ignore[arg-type]


def test_pagination_follows_link_headers(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    client = client_for(api, sleeps)
    for i in range(230):
        client.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": f"c{i}"})
    bodies = [c["body"] for c in client.paginate(f"/repos/{REPO}/issues/1/comments")]
    assert bodies == [f"c{i}" for i in range(230)]
    pages = api.requests_to("GET", r"/comments$")
    assert len(pages) == 3 and pages[1].query["page"] == "2"
    assert sleeps == []


def test_5xx_is_retried_with_exponential_backoff(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(500, method="GET", times=2)
    client = client_for(api, sleeps, backoff_s=0.5)
    assert client.request("GET", f"/repos/{REPO}/pulls/1").data["number"] == 1
    assert sleeps == [0.5, 1.0] and client.retries == 2


def test_429_honours_retry_after(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(429, method="POST", retry_after=7)
    client = client_for(api, sleeps)
    assert client.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"}).status == 201
    assert sleeps == [7.0]


def test_secondary_rate_limit_403_is_retried_not_taken_for_read_only(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(
        403,
        method="POST",
        retry_after=3,
        body={"message": "You have exceeded a secondary rate limit and have been temporarily blocked."},
    )
    api.fail(
        403,
        method="POST",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"},
        body={"message": "API rate limit exceeded"},
    )
    client = client_for(api, sleeps)
    assert client.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"}).status == 201
    assert sleeps == [3.0, 0.0]


def test_secondary_rate_limit_without_retry_after_waits_a_minute(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(403, method="POST", body={"message": "You have exceeded a secondary rate limit."})
    client = client_for(api, sleeps)
    assert client.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"}).status == 201
    assert sleeps == [60.0]


def test_read_only_token_is_detected(api: GitHubApiServer) -> None:
    api.tokens["ro"] = "read"
    client = client_for(api, [], token="ro")
    assert client.request("GET", f"/repos/{REPO}/issues/1/comments").data == []
    with pytest.raises(ReadOnlyTokenError) as info:
        client.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"})
    assert info.value.status == 403 and "fork" in info.value.diagnostics()


def test_gives_up_after_max_attempts_with_the_last_error(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(503, times=10, body={"message": "Service Unavailable"})
    client = client_for(api, sleeps, max_attempts=3, backoff_s=0.01)
    with pytest.raises(GitHubApiError, match=r"HTTP 503: Service Unavailable .*gave up after 3 attempts"):
        client.request("GET", f"/repos/{REPO}/pulls/1")
    assert len(api.requests_to("GET", r"/pulls/1$")) == 3 and len(sleeps) == 2


def test_a_wait_longer_than_allowed_is_reported_not_slept(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    api.fail(429, retry_after=3600)
    client = client_for(api, sleeps, max_wait_s=60)
    with pytest.raises(GitHubApiError, match="asks to wait 3600 s"):
        client.request("GET", f"/repos/{REPO}/pulls/1")
    assert sleeps == []


def test_not_found_and_bad_credentials_are_not_retried(api: GitHubApiServer) -> None:
    sleeps: list[float] = []
    client = client_for(api, sleeps)
    with pytest.raises(GitHubApiError) as info:
        client.request("GET", f"/repos/{REPO}/pulls/99")
    assert info.value.status == 404
    with pytest.raises(GitHubApiError) as info:
        client_for(api, sleeps, token="wrong").request("GET", f"/repos/{REPO}/pulls/1")
    assert info.value.status == 401 and not isinstance(info.value, ReadOnlyTokenError)
    assert sleeps == []


def test_unreachable_api_is_retried_then_reported() -> None:
    sleeps: list[float] = []
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    client = GitHubClient("http://127.0.0.1:9", "t", sleep=sleeps.append, max_attempts=2, backoff_s=0.01)
    with pytest.raises(GitHubApiError, match="cannot reach GitHub"):
        client.request("GET", "/rate_limit")
    assert len(sleeps) == 1


def test_retry_after_accepts_an_http_date() -> None:
    now = 1_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds({"retry-after": "garbage"}, now=now) is None
    assert retry_after_seconds({}, now=now) is None
