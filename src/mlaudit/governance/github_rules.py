"""Read, through the REST API, the rules that protect a branch and the release tags, and who may write.

Every answer is kept as read (the evidence of the report), with what could not
be read and why: a token without the ``administration`` permission gets 403 on
classic branch protection and on the collaborator list, while the rules
endpoints (repository rulesets) answer any token that can read the repository.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from mlaudit.errors import CheckError, CheckSkipped
from mlaudit.github.api_client import GitHubApiError, GitHubClient
from mlaudit.governance.github_target import GitHubTarget


@dataclass
class AccessSnapshot:
    """What the API said about the repository, at ``read_at``; ``unreadable`` maps a part to why not."""

    repository: str
    branch: str
    read_at: str
    branch_rules: list[dict[str, Any]] = field(default_factory=list)
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    classic_protection: dict[str, Any] | None = None
    collaborators: list[dict[str, Any]] | None = None
    teams: list[dict[str, Any]] | None = None
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def tag_rulesets(self) -> list[dict[str, Any]]:
        """Active rulesets that target tags."""
        return [r for r in self.rulesets if r.get("target") == "tag" and r.get("enforcement") == "active"]

    def to_json(self) -> dict[str, Any]:
        """The snapshot as evidence (JSON-safe)."""
        return {
            "repository": self.repository,
            "branch": self.branch,
            "read_at": self.read_at,
            "branch_rules": self.branch_rules,
            "rulesets": self.rulesets,
            "classic_protection": self.classic_protection,
            "collaborators": self.collaborators,
            "teams": self.teams,
            "unreadable": self.unreadable,
        }


def read_snapshot(client: GitHubClient, target: GitHubTarget, branch: str = "") -> AccessSnapshot:
    """Read every part; a repository the token cannot see is skipped, an unreachable API an error."""
    base = f"/repos/{target.owner}/{target.name}"
    try:
        repo = client.request("GET", base).data
    except GitHubApiError as exc:
        if exc.status in (401, 403, 404):
            raise CheckSkipped(
                f"the token ({target.token_source}) cannot read {target.repository}: HTTP {exc.status} on GET {base}"
            ) from None
        raise CheckError(exc.diagnostics()) from None
    if not isinstance(repo, dict):
        raise CheckError(f"GitHub API: unexpected answer to GET {base}")
    branch = branch or str(repo.get("default_branch") or "main")
    snapshot = AccessSnapshot(target.repository, branch, _now())
    quoted = quote(branch, safe="")

    rules = _read(snapshot, "branch_rules", lambda: list(client.paginate(f"{base}/rules/branches/{quoted}")))
    snapshot.branch_rules = [r for r in rules or [] if isinstance(r, dict)]
    summaries = _read(
        snapshot, "rulesets", lambda: list(client.paginate(f"{base}/rulesets", {"includes_parents": "true"}))
    )
    for summary in summaries or []:
        if isinstance(summary, dict) and "id" in summary:
            path = f"{base}/rulesets/{summary['id']}"
            full = _read(snapshot, f"ruleset {summary['id']}", functools.partial(_get, client, path))
            snapshot.rulesets.append(full if isinstance(full, dict) else summary)
    snapshot.classic_protection = _read_protection(client, snapshot, f"{base}/branches/{quoted}/protection")
    snapshot.collaborators = _read(
        snapshot, "collaborators", lambda: list(client.paginate(f"{base}/collaborators", {"affiliation": "all"}))
    )
    snapshot.teams = _read(snapshot, "teams", lambda: list(client.paginate(f"{base}/teams")))
    return snapshot


def _read_protection(client: GitHubClient, snapshot: AccessSnapshot, path: str) -> dict[str, Any] | None:
    try:
        data = client.request("GET", path).data
    except GitHubApiError as exc:
        if exc.status == 404:
            return None  # GitHub says "Branch not protected": no classic rule
        if exc.status in (401, 403):
            snapshot.unreadable["classic_protection"] = _why(exc)
            return None
        raise CheckError(exc.diagnostics()) from None
    return data if isinstance(data, dict) else None


def _read(snapshot: AccessSnapshot, part: str, call: Callable[[], Any]) -> Any:
    """One part of the snapshot: 403/404 are recorded as unreadable, other failures stop the check."""
    try:
        return call()
    except GitHubApiError as exc:
        if exc.status in (401, 403, 404):
            snapshot.unreadable[part] = _why(exc)
            return None
        raise CheckError(exc.diagnostics()) from None


def _get(client: GitHubClient, path: str) -> Any:
    return client.request("GET", path).data


def _why(exc: GitHubApiError) -> str:
    return f"HTTP {exc.status} on {exc.method} {exc.url}: {exc}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
