"""Scheduled re-audits: one open issue that tracks findings, opened or updated when new ones appear.

Unchanged code can become vulnerable when a new advisory is published. The
scheduled run audits the default branch and keeps a single issue (found by a
hidden marker, labelled ``mlaudit``) listing the tracked findings; the
fingerprints already reported are stored in the issue body, so only a *new*
finding reopens the conversation, and the issue is closed when none is left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlaudit.github.api_client import GitHubClient
from mlaudit.github.markdown_safety import code_span, comment_environment, escape_text
from mlaudit.model import Finding, Report

ISSUE_MARKER = "<!-- mlaudit:scheduled-audit -->"
ISSUE_LABEL = "mlaudit"
_FINGERPRINTS = re.compile(r"<!-- mlaudit:fingerprints (\[[^\]]*\]) -->")


@dataclass(frozen=True)
class IssueSync:
    """What the scheduled run did: ``created``, ``updated``, ``closed``, ``unchanged`` or ``incomplete``."""

    action: str
    number: int | None
    new: tuple[Finding, ...]
    html_url: str = ""


def tracked_findings(report: Report, checks: Sequence[str]) -> tuple[Finding, ...]:
    """The findings the issue tracks: those of ``checks`` (``vulns`` by default)."""
    return tuple(f for f in report.findings if f.check_id in checks)


def find_tracking_issue(
    client: GitHubClient, repository: str, *, marker: str = ISSUE_MARKER, label: str = ISSUE_LABEL
) -> Mapping[str, Any] | None:
    """The open issue a previous run opened (found by its hidden ``marker`` and ``label``), if any."""
    for issue in client.paginate(f"/repos/{repository}/issues", {"state": "open", "labels": label}):
        if isinstance(issue, Mapping) and "pull_request" not in issue and marker in str(issue.get("body") or ""):
            return issue
    return None


def known_fingerprints(body: str) -> set[str]:
    """Fingerprints recorded in an issue body by an earlier run."""
    match = _FINGERPRINTS.search(body)
    if not match:
        return set()
    try:
        values = json.loads(match.group(1))
    except json.JSONDecodeError:
        return set()
    return {v for v in values if isinstance(v, str)}


def render_issue_body(report: Report, findings: Sequence[Finding], new: Sequence[Finding], *, run_url: str) -> str:
    """The issue body: marker, fingerprints, and the findings with the new ones first."""
    new_fps = {f.fingerprint for f in new}
    ordered = sorted(findings, key=lambda f: (f.fingerprint not in new_fps, -f.severity.rank, f.rule))
    body = (
        comment_environment()
        .get_template("schedule_issue.md.j2")
        .render(report=report, findings=ordered, new_fps=new_fps, run_url=run_url)
    )
    fingerprints = json.dumps(sorted(f.fingerprint for f in findings))
    return f"{ISSUE_MARKER}\n<!-- mlaudit:fingerprints {fingerprints} -->\n{body}"


def sync_tracking_issue(
    client: GitHubClient, repository: str, report: Report, checks: Sequence[str], *, run_url: str = ""
) -> IssueSync:
    """Open the issue for new findings, update it when the set changes, close it when empty.

    A tracked check that did not run (skipped, error, disabled) proves nothing:
    its silence never closes the issue nor drops what the issue already lists.
    """
    findings = tracked_findings(report, checks)
    issue = find_tracking_issue(client, repository)
    known = known_fingerprints(str(issue.get("body") or "")) if issue else set()
    new = tuple(f for f in findings if f.fingerprint not in known)
    current = {f.fingerprint for f in findings}
    ran = {c.check_id for c in report.checks if c.ran}
    if issue is not None and not set(checks) <= ran:
        # Updating now would drop what the checks that did not run had found: wait for a full run.
        return IssueSync("incomplete", int(issue["number"]), (), str(issue.get("html_url", "")))
    if issue is None:
        if not findings:
            return IssueSync("unchanged", None, ())
        title = f"mlaudit: {len(findings)} finding(s) in {', '.join(checks)} on the default branch"
        response = client.request(
            "POST",
            f"/repos/{repository}/issues",
            {
                "title": title,
                "body": render_issue_body(report, findings, new, run_url=run_url),
                "labels": [ISSUE_LABEL],
            },
        )
        data = response.data or {}
        return IssueSync("created", int(data.get("number", 0)), new, str(data.get("html_url", "")))
    number = int(issue["number"])
    url = str(issue.get("html_url", ""))
    if not findings:
        client.request(
            "PATCH",
            f"/repos/{repository}/issues/{number}",
            {"state": "closed", "body": render_issue_body(report, (), (), run_url=run_url)},
        )
        return IssueSync("closed", number, (), url)
    if current == known:
        return IssueSync("unchanged", number, (), url)
    client.request(
        "PATCH",
        f"/repos/{repository}/issues/{number}",
        {
            "title": f"mlaudit: {len(findings)} finding(s) in {', '.join(checks)} on the default branch",
            "body": render_issue_body(report, findings, new, run_url=run_url),
        },
    )
    if new:
        # A body edit notifies nobody; a comment does, and says what is new.
        lines = [f"{len(new)} new finding(s) since the last scheduled audit:"]
        lines += [
            f"- {code_span(f.rule)} {code_span(f.path) if f.path else ''}: {escape_text(f.message)}" for f in new[:50]
        ]
        if run_url:
            lines.append(f"\n[workflow run]({run_url})")
        client.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": "\n".join(lines)})
    return IssueSync("updated", number, new, url)
