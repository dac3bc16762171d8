"""The one fleet tracking issue: created the first time, updated in place afterwards (never a second one).

It is found like the scheduled audit's issue (``schedule_issue.find_tracking_issue``)
by a hidden marker of its own, so the two never mix. GitHub limits an issue
body to 65,536 characters: the body lists at most ``limit`` rows per table and
is shortened further if it is still too long.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlaudit.fleet.fleet_markdown import render_fleet_markdown
from mlaudit.github.api_client import GitHubClient
from mlaudit.github.schedule_issue import ISSUE_LABEL, find_tracking_issue

FLEET_MARKER = "<!-- mlaudit:fleet-report -->"
BODY_LIMIT = 65536


@dataclass(frozen=True)
class FleetIssueSync:
    """What was done: ``created`` or ``updated``, the issue number and its address."""

    action: str
    number: int
    html_url: str


def issue_title(report: dict[str, Any]) -> str:
    """``mlaudit fleet: 57/60 covered (95.0 %), 1 SLO failing``."""
    all_ = report["coverage"]["all"]
    failing = sum(1 for s in report["slos"] if s["failed"])
    tail = f", {failing} SLO(s) failing" if failing else ""
    percent = "n/a" if all_["percent"] is None else f"{all_['percent']} %"
    return f"mlaudit fleet: {all_['covered']}/{all_['total']} covered ({percent}){tail}"


def issue_body(report: dict[str, Any], *, run_url: str = "") -> str:
    """Marker, Markdown report (shortened to fit), link to the run."""
    footer = f"\n[workflow run]({run_url})\n" if run_url else ""
    for limit in (50, 20, 5, 0):
        body = f"{FLEET_MARKER}\n{render_fleet_markdown(report, limit=limit)}{footer}"
        if len(body) <= BODY_LIMIT:
            return body
    return body[: BODY_LIMIT - 200] + "\n\n… shortened: see the fleet report artifact.\n"


def sync_fleet_issue(client: GitHubClient, repository: str, report: dict[str, Any], *,
                     run_url: str = "") -> FleetIssueSync:
    """Create the fleet issue in ``repository`` or update the open one in place."""
    body = issue_body(report, run_url=run_url)
    title = issue_title(report)
    issue = find_tracking_issue(client, repository, marker=FLEET_MARKER, label=ISSUE_LABEL)
    if issue is None:
        response = client.request("POST", f"/repos/{repository}/issues",
                                  {"title": title, "body": body, "labels": [ISSUE_LABEL]})
        data = response.data or {}
        return FleetIssueSync("created", int(data.get("number", 0)), str(data.get("html_url", "")))
    number = int(issue["number"])
    client.request("PATCH", f"/repos/{repository}/issues/{number}", {"title": title, "body": body})
    return FleetIssueSync("updated", number, str(issue.get("html_url", "")))
