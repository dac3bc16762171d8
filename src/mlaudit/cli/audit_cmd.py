"""``mlaudit audit``: run the checks, render the report, exit by the policy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlaudit.cli.audit_evidence import configure_evidence, record_evidence
from mlaudit.cli.project import open_project
from mlaudit.model import Severity, Status
from mlaudit.render import FORMATTERS


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit audit``."""
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--format", choices=list(FORMATTERS), default="text", help="report format")
    parser.add_argument("--output", "-o", type=Path, help="write the report here instead of stdout")
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="fail the policy on findings of this severity or worse (default: config, else high)",
    )
    parser.add_argument("--offline", action="store_true", help="never reach the network")
    parser.add_argument("--only", help="comma-separated check ids to run (e.g. weights,pins)")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="cache folder (default: $MLAUDIT_CACHE_DIR, else ~/.cache/mlaudit; never inside PATH)")
    parser.add_argument("--advisory-db", type=Path, metavar="PATH",
                        help="audit dependencies against this local OSV/PyPA advisory database (offline)")
    parser.add_argument("--github-token", metavar="TOKEN",
                        help="GitHub token for the access check "
                             "(default: $MLAUDIT_GITHUB_TOKEN, $GITHUB_TOKEN, $GH_TOKEN)")
    configure_evidence(parser)


def run(args: argparse.Namespace) -> int:
    """Audit, write the report, return 0 (policy holds) or 1 (it fails)."""
    from mlaudit.engine import run_audit
    from mlaudit.render import render

    project = open_project(args)
    only = [c.strip() for c in args.only.split(",") if c.strip()] if args.only else None
    ctx = project.audit_context(args)
    fail_on = Severity(args.fail_on) if args.fail_on else None
    report = run_audit(ctx, only=only, fail_on=fail_on)
    color = args.output is None and sys.stdout.isatty()
    text = render(report, args.format, color=color)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"mlaudit: report written to {args.output} ({report.status.value})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    record_evidence(args, report, project.config, project.root)
    return 0 if report.status is Status.PASS else 1
