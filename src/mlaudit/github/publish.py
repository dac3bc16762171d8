"""Publishing an audit in Actions: comment (best effort), job summary, outputs, annotations.

The rule: publishing never changes the verdict. A token that cannot write, an
API that stays down, a comment that is too long — each becomes a notice in the
log and the job summary, and the run's exit code stays the audit's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlaudit.github.api_client import GitHubApiError, GitHubClient, ReadOnlyTokenError
from mlaudit.github.comment_model import CommentModel
from mlaudit.github.pr_comment import COMMENT_LIMIT, render_fitting_comment
from mlaudit.github.sticky_comment import COMMENT_MARKER, find_sticky_comment, upsert_sticky_comment
from mlaudit.github.workflow_commands import append_summary, workflow_command, write_outputs
from mlaudit.model import Report, Status

CommentMode = Literal["always", "on-failure", "never"]
Emit = Callable[[str], None]


@dataclass(frozen=True)
class CommentOutcome:
    """What became of the comment: posted (created/updated/unchanged), skipped, or failed (why)."""

    state: str
    detail: str = ""
    url: str = ""
    shortened: bool = False


def post_pull_request_comment(
    client: GitHubClient | None,
    repository: str,
    number: int,
    model: CommentModel,
    mode: CommentMode,
    emit: Emit,
    *,
    limit: int = COMMENT_LIMIT,
) -> CommentOutcome:
    """Create or update the sticky comment as ``mode`` says; every failure is a notice, not an error."""
    text, shortened = render_fitting_comment(model, limit=limit)
    if mode == "never":
        return CommentOutcome("skipped", "comment: never", shortened=shortened)
    if client is None:
        emit(workflow_command("notice", "mlaudit: no GitHub token; the report is in the job summary only"))
        return CommentOutcome("failed", "no token", shortened=shortened)
    try:
        if mode == "on-failure" and model.head.status is not Status.FAIL:
            # Passing now: only refresh a comment an earlier failing run left, so it does not go stale.
            if find_sticky_comment(client, repository, number) is None:
                return CommentOutcome("skipped", "passing and comment: on-failure", shortened=shortened)
        posted = upsert_sticky_comment(client, repository, number, text)
    except ReadOnlyTokenError as exc:
        emit(
            workflow_command(
                "notice",
                "mlaudit: the token is read-only (a pull request from a fork?), "
                "so the comment was not posted; the report is in the job summary and the report artifact. "
                "Use the workflow_run pattern (README, examples/workflows/) "
                "to comment on fork pull requests. "
                f"({exc.diagnostics()})",
                title="mlaudit comment not posted",
            )
        )
        return CommentOutcome("failed", "read-only token", shortened=shortened)
    except GitHubApiError as exc:
        emit(
            workflow_command(
                "warning",
                f"mlaudit: could not post the pull-request comment: {exc.diagnostics()}",
                title="mlaudit comment not posted",
            )
        )
        return CommentOutcome("failed", exc.diagnostics(), shortened=shortened)
    if shortened:
        emit(workflow_command("notice", f"mlaudit: the comment was shortened to fit GitHub's {limit}-character limit"))
    return CommentOutcome(posted.action, url=posted.html_url, shortened=shortened)


def summary_text(comment_markdown: str, outcome: CommentOutcome | None) -> str:
    """The job summary: the comment's content, plus why it was not posted when it was not."""
    body = comment_markdown.replace(COMMENT_MARKER, "").lstrip("\n")
    if outcome is None or outcome.state != "failed":
        return body
    note = (
        f"> [!WARNING]\n> The pull-request comment could not be posted ({outcome.detail}). "
        "This summary and the `mlaudit-report` artifact hold the full report; the verdict is unchanged.\n\n"
    )
    return note + body


def write_run_outputs(
    output_file: str,
    report: Report,
    paths: dict[str, Path],
    sarif: Path | None,
    *,
    extra: dict[str, str] | None = None,
) -> None:
    """``status``, report paths, ``sarif`` and counts by severity to ``$GITHUB_OUTPUT``."""
    outputs = {
        "status": "pass" if report.status is Status.PASS else "fail",
        "report-json": str(paths["json"]),
        "report-markdown": str(paths["markdown"]),
        "sarif": str(sarif) if sarif else "",
    }
    outputs.update({sev: str(n) for sev, n in report.counts().items()})
    outputs.update(extra or {})
    write_outputs(output_file, outputs)


def write_summary(summary_file: str, markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` (a pointer to the artifact if the text is too large)."""
    append_summary(
        summary_file,
        markdown,
        fallback_note="The mlaudit report is larger than the job summary allows; see the `mlaudit-report` artifact.",
    )
