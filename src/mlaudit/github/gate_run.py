"""push / release / schedule: the gate, and the scheduled run's tracking issue."""

from __future__ import annotations

from mlaudit.github.api_client import GitHubApiError
from mlaudit.github.event import (
    ActionsEnvironment,
)
from mlaudit.github.publish import (
    Emit,
    write_run_outputs,
    write_summary,
)
from mlaudit.github.report_files import (
    read_report,
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
from mlaudit.github.workflow_commands import finding_annotations, workflow_command, write_outputs


def run_gate(env: ActionsEnvironment, settings: RunSettings, emit: Emit) -> int:
    """push / release / anything else: audit, annotate what fails the policy, summary, outputs."""
    from mlaudit.render.markdown import render_markdown

    report = audit_tree(settings.root, settings)
    prefix = path_prefix(settings.root, env)
    failing = [f for f in report.findings if f.severity.at_least(report.fail_on)]
    for line in finding_annotations(failing, root_prefix=prefix):
        emit(line)
    paths = write_report_files(settings.report_dir, report, None, None, None)
    sarif = write_sarif(settings, report, None, prefix)
    write_summary(env.step_summary, render_markdown(report))
    write_run_outputs(env.output, report, paths, sarif)
    return exit_code(report)


def run_schedule(env: ActionsEnvironment, settings: RunSettings, emit: Emit) -> int:
    """schedule: the gate, plus one tracking issue opened/updated when new findings appear."""
    from mlaudit.github.schedule_issue import sync_tracking_issue

    code = run_gate(env, settings, emit)
    report = read_report(settings.report_dir / "mlaudit-report.json")
    client = api_client_for(env)
    if client is None:
        emit(workflow_command("notice", "mlaudit: no GitHub token; the tracking issue was not updated"))
        return code
    try:
        sync = sync_tracking_issue(client, env.repository, report, settings.issue_checks, run_url=env.run_url)
    except GitHubApiError as exc:
        emit(workflow_command("warning", f"mlaudit: could not update the tracking issue: {exc.diagnostics()}"))
        return code
    emit(
        f"mlaudit: tracking issue {sync.action}"
        + (f" #{sync.number}" if sync.number else "")
        + (f" ({len(sync.new)} new finding(s))" if sync.new else "")
    )
    write_outputs(env.output, {"issue": str(sync.number or ""), "issue-action": sync.action})
    return code
