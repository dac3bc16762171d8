"""The one comment per pull request: found by a hidden marker, created once, then updated in place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlaudit.github.api_client import GitHubClient

COMMENT_MARKER = "<!-- mlaudit:pull-request-comment -->"
"""First line of every comment mlaudit writes; how the next run finds it."""


@dataclass(frozen=True)
class PostedComment:
    """What happened: ``created`` or ``updated``, with the comment's id and URL."""

    action: str
    comment_id: int
    html_url: str


def _is_ours(comment: Mapping[str, Any], marker: str) -> bool:
    body = comment.get("body")
    return isinstance(body, str) and marker in body


def find_sticky_comment(
    client: GitHubClient, repository: str, number: int, marker: str = COMMENT_MARKER
) -> Mapping[str, Any] | None:
    """The existing mlaudit comment on pull request ``number``, if any.

    Anyone can paste the marker into a comment, so a bot's comment is preferred;
    a human's comment with the marker is only a fallback (the update of a
    comment the token does not own then fails loudly rather than silently).
    """
    candidates = [
        c
        for c in client.paginate(f"/repos/{repository}/issues/{number}/comments")
        if isinstance(c, Mapping) and _is_ours(c, marker)
    ]
    bots = [c for c in candidates if (c.get("user") or {}).get("type") == "Bot"]
    chosen = bots or candidates
    return chosen[0] if chosen else None


def upsert_sticky_comment(
    client: GitHubClient, repository: str, number: int, body: str, marker: str = COMMENT_MARKER
) -> PostedComment:
    """Create the comment, or update the one a previous run left (never a second one)."""
    if marker not in body:
        body = f"{marker}\n{body}"
    existing = find_sticky_comment(client, repository, number, marker)
    if existing is not None:
        cid = int(existing["id"])
        if existing.get("body") == body:
            return PostedComment("unchanged", cid, str(existing.get("html_url", "")))
        response = client.request("PATCH", f"/repos/{repository}/issues/comments/{cid}", {"body": body})
        return PostedComment("updated", cid, str((response.data or {}).get("html_url", "")))
    response = client.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    data = response.data or {}
    return PostedComment("created", int(data.get("id", 0)), str(data.get("html_url", "")))
