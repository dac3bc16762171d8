"""The built-in routes of the loopback GitHub API: issues, issue comments, pull requests.

Registered on every ``GitHubApiServer``; other areas add theirs the same way
(``server.route(method, pattern)``), in their own module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from github_api_server import ApiRequest, ApiResponse, GitHubApiServer, Invalid, NotFound, require_fields


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _user() -> dict[str, Any]:
    return {"login": "github-actions[bot]", "type": "Bot"}


def register_issue_routes(server: GitHubApiServer) -> None:
    """Issues, issue comments and pull requests: what the sticky comment and the schedule issue use."""
    base = "/repos/{owner}/{repo}"

    @server.route("GET", base + "/issues/{number}/comments")
    def list_comments(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        number = int(req.params["number"])
        if number not in repo.issues and number not in repo.pulls:
            raise NotFound()
        items = [c for c in repo.comments.values() if c["_issue"] == number]
        return srv.paginate(req, [_public(c) for c in items])

    @server.route("POST", base + "/issues/{number}/comments")
    def create_comment(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        number = int(req.params["number"])
        if number not in repo.issues and number not in repo.pulls:
            raise NotFound()
        body = require_fields(req.body, "body")
        if len(body["body"]) > 65536:
            raise Invalid("body is too long (maximum is 65536 characters)")
        cid = srv.next_id()
        comment = {
            "id": cid,
            "body": body["body"],
            "user": _user(),
            "created_at": _now(),
            "updated_at": _now(),
            "_issue": number,
            "html_url": f"https://github.invalid/{repo.full_name}/issues/{number}#issuecomment-{cid}",
        }
        repo.comments[cid] = comment
        return ApiResponse(201, _public(comment))

    @server.route("PATCH", base + "/issues/comments/{comment_id}")
    def update_comment(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        comment = repo.comments.get(int(req.params["comment_id"]))
        if comment is None:
            raise NotFound()
        body = require_fields(req.body, "body")
        if len(body["body"]) > 65536:
            raise Invalid("body is too long (maximum is 65536 characters)")
        comment.update(body=body["body"], updated_at=_now())
        return ApiResponse(200, _public(comment))

    @server.route("GET", base + "/issues")
    def list_issues(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        state = req.query.get("state", "open")
        labels = {x for x in req.query.get("labels", "").split(",") if x}
        items = [
            i
            for _, i in sorted(repo.issues.items(), reverse=True)
            if (state == "all" or i["state"] == state) and labels <= {lab["name"] for lab in i["labels"]}
        ]
        return srv.paginate(req, items)

    @server.route("POST", base + "/issues")
    def create_issue(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        body = require_fields(req.body, "title")
        number = max([0, *repo.issues, *repo.pulls]) + 1
        issue = {
            "id": srv.next_id(),
            "number": number,
            "title": body["title"],
            "body": body.get("body", ""),
            "state": "open",
            "labels": [{"name": n} for n in body.get("labels", [])],
            "user": _user(),
            "created_at": _now(),
            "updated_at": _now(),
            "html_url": f"https://github.invalid/{repo.full_name}/issues/{number}",
        }
        repo.issues[number] = issue
        return ApiResponse(201, issue)

    @server.route("PATCH", base + "/issues/{number}")
    def update_issue(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        issue = repo.issues.get(int(req.params["number"]))
        if issue is None:
            raise NotFound()
        body = req.body if isinstance(req.body, dict) else {}
        for key in ("title", "body", "state"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": n} for n in body["labels"]]
        issue["updated_at"] = _now()
        return ApiResponse(200, issue)

    @server.route("GET", base + "/pulls/{number}")
    def get_pull(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        pull = srv.repository(req).pulls.get(int(req.params["number"]))
        if pull is None:
            raise NotFound()
        return ApiResponse(200, pull)


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if not k.startswith("_")}


def add_pull_request(
    server: GitHubApiServer,
    full_name: str,
    number: int,
    *,
    head_sha: str,
    base_sha: str,
    base_ref: str = "main",
    head_ref: str = "feature",
    head_repo: str | None = None,
) -> dict[str, Any]:
    """Register pull request ``number`` (its comments live on the issue of the same number)."""
    repo = server.add_repository(full_name)
    pull = {
        "number": number,
        "state": "open",
        "html_url": f"https://github.invalid/{full_name}/pull/{number}",
        "head": {"sha": head_sha, "ref": head_ref, "repo": {"full_name": head_repo or full_name}},
        "base": {"sha": base_sha, "ref": base_ref, "repo": {"full_name": full_name}},
    }
    repo.pulls[number] = pull
    return pull
