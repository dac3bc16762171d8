"""``mlaudit github``: the Action's entry point (audit, compare with the base, comment, summary, SARIF)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlaudit.cli.project import project_root
from mlaudit.model import Severity


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit github`` (the Action passes its inputs here)."""
    parser.add_argument("path", nargs="?", default=".", help="repository root to audit (default: .)")
    parser.add_argument(
        "--config",
        type=Path,
        help="configuration file (default: found in PATH); in a pull request a file inside PATH "
        "is read from the base commit, as the found one is",
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="fail on findings of this severity or worse (default: config, else high)",
    )
    parser.add_argument("--only", help="comma-separated check ids to run")
    parser.add_argument(
        "--offline", action="store_true", help="never reach the network (except the GitHub API)"
    )
    parser.add_argument(
        "--advisory-db",
        type=Path,
        metavar="PATH",
        help="audit dependencies against this local OSV/PyPA advisory database (offline)",
    )
    parser.add_argument(
        "--comment",
        choices=["always", "on-failure", "never"],
        default="always",
        help="when to post the pull-request comment (default: always)",
    )
    parser.add_argument("--sarif", help="where to write SARIF, or 'off' (default: REPORT_DIR/mlaudit.sarif)")
    parser.add_argument(
        "--report-dir",
        type=Path,
        help="where the report files go (default: $RUNNER_TEMP/mlaudit-report or ./mlaudit-report)",
    )
    parser.add_argument(
        "--base-ref", default="", help="compare with this ref instead of the pull request's base"
    )
    parser.add_argument(
        "--base-report", type=Path, help="a cached JSON report of the base instead of auditing it"
    )
    parser.add_argument(
        "--post-from",
        type=Path,
        metavar="REPORT_DIR",
        help="post the comment from a downloaded report artifact (workflow_run job); audits nothing",
    )
    parser.add_argument("--artifact-url", default="", help="link to the report artifact shown in the comment")
    parser.add_argument(
        "--issue-checks",
        default="vulns",
        help="schedule: check ids whose findings the tracking issue follows (default: vulns)",
    )
    parser.add_argument(
        "--mode",
        choices=["auto", "pull-request", "gate", "schedule"],
        default="auto",
        help="which flow to run (default: from GITHUB_EVENT_NAME)",
    )
    parser.add_argument("--comment-limit", type=int, default=65536, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run the flow the event asks for; exit 0/1 by the audit's verdict, never by GitHub's answers."""
    from mlaudit.github.event import PULL_REQUEST_EVENTS, ActionsEnvironment, read_event
    from mlaudit.github.gate_run import run_gate, run_schedule
    from mlaudit.github.pull_request_run import run_post_from, run_pull_request
    from mlaudit.github.run_settings import RunSettings, default_sarif, split_checks

    env = ActionsEnvironment.from_env(os.environ)
    # --post-from posts a downloaded report: it audits nothing, so the path need not exist.
    root = Path(args.path) if args.post_from is not None else project_root(args.path)
    report_dir = args.report_dir or Path(os.environ.get("RUNNER_TEMP") or ".") / "mlaudit-report"
    settings = RunSettings(
        root=root,
        report_dir=report_dir,
        config=args.config,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        only=tuple(split_checks(args.only) or ()) or None,
        offline=args.offline,
        comment=args.comment,
        sarif=default_sarif(report_dir, args.sarif),
        base_ref=args.base_ref,
        base_report=args.base_report,
        artifact_url=args.artifact_url,
        issue_checks=tuple(split_checks(args.issue_checks) or ("vulns",)),
        comment_limit=args.comment_limit,
        advisory_db=args.advisory_db.resolve() if args.advisory_db else None,
    )

    def emit(line: str) -> None:
        print(line, flush=True)

    if args.post_from is not None:
        event = read_event(env.event_path) if env.event_path else {}
        return run_post_from(env, event, args.post_from, settings, emit)
    mode = args.mode
    if mode == "auto":
        mode = (
            "pull-request"
            if env.event_name in PULL_REQUEST_EVENTS
            else "schedule"
            if env.event_name == "schedule"
            else "gate"
        )
    if mode == "pull-request":
        if env.event_name == "pull_request_target":
            print(
                "mlaudit: warning: auditing under pull_request_target runs with a write token; "
                "make sure the checkout is the base, or use the workflow_run pattern",
                file=sys.stderr,
            )
        return run_pull_request(env, read_event(env.event_path), settings, emit)
    if mode == "schedule":
        return run_schedule(env, settings, emit)
    return run_gate(env, settings, emit)
