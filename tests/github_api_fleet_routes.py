"""Loopback GitHub API routes for the fleet: an organisation's repositories with their topics.

``GET /orgs/{org}/repos`` pages through ``server.extra_orgs[org]`` like GitHub
(``Link: rel="next"``); faults (403 rate limit with ``Retry-After``, 500) are
injected with ``server.fail(...)`` as for every other route.
"""

from __future__ import annotations

from typing import Any

from github_api_server import ApiRequest, ApiResponse, GitHubApiServer, NotFound


def add_org_repositories(server: GitHubApiServer, org: str, repos: list[dict[str, Any]]) -> None:
    """Register ``repos`` (``name``, ``topics``, optional ``archived``/``fork``) under ``org``; add the route once."""
    orgs: dict[str, list[dict[str, Any]]] = server.__dict__.setdefault("extra_orgs", {})
    if not orgs:
        _register(server)
    listed = orgs.setdefault(org, [])
    for repo in repos:
        full_name = f"{org}/{repo['name']}"
        server.add_repository(full_name)
        listed.append({
            "id": server.next_id(),
            "name": repo["name"],
            "full_name": full_name,
            "private": False,
            "archived": bool(repo.get("archived", False)),
            "fork": bool(repo.get("fork", False)),
            "topics": list(repo.get("topics", [])),
            "html_url": f"https://github.invalid/{full_name}",
        })


def _register(server: GitHubApiServer) -> None:
    @server.route("GET", "/orgs/{org}/repos")
    def list_org_repos(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        orgs: dict[str, list[dict[str, Any]]] = srv.__dict__.get("extra_orgs", {})
        if req.params["org"] not in orgs:
            raise NotFound()
        return srv.paginate(req, orgs[req.params["org"]])
