"""Resolve ``[[discover]]`` rules: the organisation's repositories that carry a topic, via the GitHub REST API.

``GET /orgs/{org}/repos`` lists every repository with its ``topics``; the shared
client follows ``Link: rel="next"`` and retries 5xx answers and rate limits
(honouring ``Retry-After``). Archived repositories and forks are left out
unless the rule asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlaudit.errors import UsageError
from mlaudit.fleet.inventory import DiscoveryRule, Inventory, RepositoryEntry
from mlaudit.github.api_client import GitHubClient

_MAX_PAGES = 200  # 20,000 repositories per organisation at 100 a page


def discover_repositories(client: GitHubClient, rule: DiscoveryRule) -> tuple[RepositoryEntry, ...]:
    """The repositories of ``rule.org`` tagged ``rule.topic``, sorted by name."""
    topic = rule.topic.lower()
    found: list[RepositoryEntry] = []
    for repo in client.paginate(f"/orgs/{rule.org}/repos", {"type": "all"}, max_pages=_MAX_PAGES):
        if not isinstance(repo, Mapping) or not isinstance(repo.get("full_name"), str):
            continue
        topics = {str(t).lower() for t in repo.get("topics") or ()}
        if topic not in topics:
            continue
        if repo.get("archived") and not rule.include_archived:
            continue
        if repo.get("fork") and not rule.include_forks:
            continue
        found.append(
            RepositoryEntry(
                name=str(repo["full_name"]),
                tier=rule.tier,
                owners=rule.owners,
                discovered_by=f"{rule.org}:{rule.topic}",
            )
        )
    return tuple(sorted(found, key=lambda e: e.name.lower()))


def resolve_inventory(inventory: Inventory, client: GitHubClient | None) -> Inventory:
    """The inventory with every discovery rule resolved (listed entries win over discovered ones)."""
    if not inventory.discover:
        return inventory
    if client is None:
        raise UsageError(
            f"{inventory.source}: has [[discover]] rules; they need the GitHub API "
            "(set GITHUB_TOKEN, or pass --no-discover to use the listed repositories only)"
        )
    resolved = inventory
    for rule in inventory.discover:
        resolved = resolved.with_discovered(discover_repositories(client, rule))
    return resolved
