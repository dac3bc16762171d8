"""Pull requests: audit head and base, diff, publish; and posting that from an artifact (workflow_run).

Each flow returns the exit code of the audit (0 the policy holds, 1 it fails);
what it wants printed (annotations, notices) goes through ``emit``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlaudit.config import Config
from mlaudit.errors import UsageError
from mlaudit.github.api_client import GitHubApiError
from mlaudit.github.comment_model import WeightCommit, build_comment_model, weight_changes
from mlaudit.github.event import (
    ActionsEnvironment,
    PullRequestRef,
    pull_request_from_event,
    workflow_run_head_sha,
)
from mlaudit.github.pr_comment import render_comment, render_fitting_comment
from mlaudit.github.publish import (
    CommentOutcome,
    Emit,
    post_pull_request_comment,
    summary_text,
    write_run_outputs,
    write_summary,
)
from mlaudit.github.report_files import (
    PullRequestContext,
    read_report,
    read_report_files,
    write_report_files,
)
from mlaudit.github.run_settings import (
    RunSettings,
    api_client_for,
    audit_tree,
    exit_code,
    path_prefix,
    write_sarif,
)
from mlaudit.github.workflow_commands import finding_annotations, workflow_command
from mlaudit.model import Report, ReportDiff


def _audit_base(settings: RunSettings, pr: PullRequestRef, config: Config) -> tuple[Report | None, str, str]:
    """(base report, note for the comment, merge-base sha) — never raises for a missing base.

    The base is audited with the same trusted ``config`` as the head, so the
    comparison is about the trees, not about two configurations.
    """
    if settings.base_report is not None:
        return (
            read_report(settings.base_report),
            f"compared with the cached base report {settings.base_report.name}",
            "",
        )
    from mlaudit.github.base_audit import audit_in_worktree
    from mlaudit.github.git_history import merge_base

    base_rev = settings.base_ref or pr.base_sha
    try:
        base_sha = merge_base(settings.root, base_rev, pr.head_sha)
        report = audit_in_worktree(
            settings.root, base_sha, lambda tree: audit_tree(tree, settings, rebased(config, settings.root, tree))
        )
    except UsageError as exc:
        return None, f"the base could not be audited, so every finding is shown as new: {exc}", ""
    return report, "", base_sha


def rebased(config: Config, root: Path, tree: Path) -> Config:
    """``config`` as if its file sat in ``tree`` (the base's worktree) where it sits in ``root``."""
    top = Path(os.path.abspath(root))
    if config.path is None or not config.path.is_relative_to(top):
        return config
    return Config(path=tree / config.path.relative_to(top), general=config.general, tables=config.tables,
                  prefix=config.prefix)


def run_pull_request(env: ActionsEnvironment, event: Mapping[str, Any], settings: RunSettings, emit: Emit) -> int:
    """Audit head and base, diff them, publish; the exit code is the head's verdict."""
    from mlaudit.github.pr_config import config_check, resolve_pull_request_config, with_config_check

    pr = pull_request_from_event(event, source=env.event_path)
    # The base branch's configuration governs (read from its commit, not from the checkout).
    governing = resolve_pull_request_config(settings.root, settings.base_ref or pr.base_sha, settings.config)
    head = with_config_check(audit_tree(settings.root, settings, governing.effective), config_check(governing))
    base, note, base_sha = _audit_base(settings, pr, governing.base)
    commits: dict[str, tuple[WeightCommit, ...]] = {}
    changed = [c.path for c in weight_changes(base, head)]
    if changed and base_sha:
        from mlaudit.github.git_history import commits_touching

        try:
            commits = commits_touching(settings.root, base_sha, pr.head_sha, changed)
        except UsageError as exc:
            emit(workflow_command("warning", f"mlaudit: no history for changed weight files: {exc}"))
    model = build_comment_model(
        head,
        base,
        base_note=note,
        commits=commits,
        run_url=env.run_url,
        artifact_url=settings.artifact_url or env.run_url,
        head_sha=pr.head_sha,
    )
    prefix = path_prefix(settings.root, env)
    for line in finding_annotations(model.diff.new, prefix="new in this pull request: ", root_prefix=prefix):
        emit(line)
    text, _ = render_fitting_comment(model, limit=settings.comment_limit)
    context = PullRequestContext(pr, note, commits, env.run_url)
    paths = write_report_files(settings.report_dir, head, base, context, text)
    sarif = write_sarif(settings, head, model.diff, prefix)
    outcome = post_pull_request_comment(
        api_client_for(env),
        env.repository,
        pr.number,
        model,
        settings.comment,
        emit,
        limit=settings.comment_limit,
    )
    # The summary allows 1 MiB: it gets the full comment even when the posted one was shortened.
    write_summary(env.step_summary, summary_text(render_comment(model), outcome))
    write_run_outputs(env.output, head, paths, sarif, extra=_comment_outputs(outcome, model.diff))
    return exit_code(head)


def _comment_outputs(outcome: CommentOutcome, diff: ReportDiff) -> dict[str, str]:
    return {
        "new": str(len(diff.new)),
        "fixed": str(len(diff.fixed)),
        "comment": outcome.state,
        "comment-url": outcome.url,
    }


def run_post_from(
    env: ActionsEnvironment, event: Mapping[str, Any], directory: Path, settings: RunSettings, emit: Emit
) -> int:
    """Post the comment from a downloaded report artifact (the ``workflow_run`` job).

    The artifact comes from a run that may have executed a fork's code, so it
    is treated as data: the pull request must exist and its head must be the
    commit the triggering run audited, and links come from this event only.
    """
    head, base, context = read_report_files(directory)
    pr = context.pull_request
    client = api_client_for(env)
    run = event.get("workflow_run") if isinstance(event.get("workflow_run"), Mapping) else {}
    run_head = workflow_run_head_sha(event)
    if run_head and pr.head_sha and run_head != pr.head_sha:
        raise UsageError(f"the artifact is for commit {pr.head_sha[:12]} but the triggering run built {run_head[:12]}")
    if client is not None:
        try:
            live = client.request("GET", f"/repos/{env.repository}/pulls/{pr.number}").data or {}
        except GitHubApiError as exc:
            raise UsageError(
                f"pull request #{pr.number} from the artifact cannot be checked: {exc.diagnostics()}"
            ) from None
        live_head = str((live.get("head") or {}).get("sha", ""))
        if run_head and live_head and live_head != run_head:
            emit(
                workflow_command(
                    "notice",
                    f"mlaudit: pull request #{pr.number} moved on to {live_head[:12]}; "
                    "posting the report of the audited commit anyway",
                )
            )
        elif not run_head and live_head != pr.head_sha:
            raise UsageError(f"pull request #{pr.number} does not have head {pr.head_sha[:12]}")
    run_url = str(run.get("html_url", "")) if isinstance(run, Mapping) else ""
    model = build_comment_model(
        head,
        base,
        base_note=context.base_note,
        commits=context.weight_commits,
        run_url=run_url,
        artifact_url=settings.artifact_url or run_url,
        head_sha=pr.head_sha,
    )
    outcome = post_pull_request_comment(
        client, env.repository, pr.number, model, settings.comment, emit, limit=settings.comment_limit
    )
    # The summary allows 1 MiB: it gets the full comment even when the posted one was shortened.
    write_summary(env.step_summary, summary_text(render_comment(model), outcome))
    write_run_outputs(
        env.output,
        head,
        {"json": directory / "mlaudit-report.json", "markdown": directory / "mlaudit-report.md"},
        None,
        extra=_comment_outputs(outcome, model.diff),
    )
    # The verdict belongs to the audit job; this job only reports it.
    return 0
