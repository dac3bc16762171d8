"""``mlaudit fleet``: the inventory, the matrix plan, and the aggregate of a fleet's audit reports.

``inventory`` validates ``mlaudit-fleet.toml`` and lists the repositories
(discovery rules resolved through the GitHub API); ``plan`` prints the
``strategy.matrix`` chunks; ``aggregate`` reads the reports, appends to the
history, evaluates the SLOs and writes Markdown, JSON and the HTML dashboard,
optionally the job summary and the one tracking issue. Exit 1 when an SLO
burns its error budget faster than ``max_burn_rate``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlaudit.errors import UsageError

if TYPE_CHECKING:
    from mlaudit.fleet.inventory import Inventory
    from mlaudit.github.api_client import GitHubClient


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit fleet`` and its subcommands."""
    sub = parser.add_subparsers(dest="fleet_command", metavar="SUBCOMMAND", parser_class=type(parser))
    sub.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--inventory", type=Path, default=Path("mlaudit-fleet.toml"),
                        help="the fleet inventory (default: mlaudit-fleet.toml)")
    common.add_argument("--no-discover", action="store_true",
                        help="ignore [[discover]] rules (no GitHub API calls)")
    inv = sub.add_parser("inventory", parents=[common], help="validate the inventory and list its repositories")
    inv.add_argument("--format", choices=["text", "json"], default="text")
    plan = sub.add_parser("plan", parents=[common], help="print the strategy.matrix chunks (JSON)")
    plan.add_argument("--chunk", type=int, metavar="N", help="print only chunk N's matrix ({\"include\": [...]})")
    plan.add_argument("--max-parallel", type=int, help="jobs at once per chunk (default: fleet.max_parallel)")
    plan.add_argument("--github-output", action="store_true",
                      help="also write chunks, chunk-count and max-parallel to $GITHUB_OUTPUT")
    agg = sub.add_parser("aggregate", parents=[common], help="aggregate the fleet's reports (coverage, SLOs)")
    agg.add_argument("reports_dir", type=Path, metavar="REPORTS_DIR",
                     help="folder of reports (owner__name.json, at any depth)")
    agg.add_argument("--fresh-days", type=int, help="fresh = audited within this many days (default: inventory)")
    agg.add_argument("--history", type=Path, help="hash-chained history (default: fleet.history of the inventory)")
    agg.add_argument("--no-history", action="store_true", help="do not read or append the history")
    agg.add_argument("--now", help="evaluate as of this ISO 8601 time (default: now)")
    agg.add_argument("--json", type=Path, dest="json_out", metavar="FILE", help="write the fleet report JSON")
    agg.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown report")
    agg.add_argument("--html", type=Path, metavar="FILE", help="write the static HTML dashboard")
    agg.add_argument("--issue", nargs="?", const="", metavar="OWNER/NAME",
                     help="create or update the one tracking issue (default repository: fleet.tracking_repository)")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the subcommand."""
    if args.fleet_command == "inventory":
        return _inventory(args)
    if args.fleet_command == "plan":
        return _plan(args)
    return _aggregate(args)


def _client() -> GitHubClient | None:
    from mlaudit.github.event import ActionsEnvironment
    from mlaudit.github.run_settings import api_client_for

    return api_client_for(ActionsEnvironment.from_env(os.environ))


def _load(args: argparse.Namespace) -> Inventory:
    from dataclasses import replace

    from mlaudit.fleet.discovery import resolve_inventory
    from mlaudit.fleet.inventory import load_inventory

    if not args.inventory.is_file():
        raise UsageError(f"{args.inventory}: inventory not found")
    inventory = load_inventory(args.inventory)
    if args.no_discover:
        return replace(inventory, discover=())
    return resolve_inventory(inventory, _client() if inventory.discover else None)


def _inventory(args: argparse.Namespace) -> int:
    inventory = _load(args)
    if args.format == "json":
        rows = [{"repository": r.name, "tier": r.tier, "owners": list(r.owners), "path": r.path,
                 "config": r.config, "discovered_by": r.discovered_by or None} for r in inventory.repositories]
        print(json.dumps({"inventory": inventory.source, "repositories": rows}, indent=2))
        return 0
    for r in inventory.repositories:
        origin = f"  (discovered: {r.discovered_by})" if r.discovered_by else ""
        print(f"{r.name}\t{r.tier}\t{','.join(r.owners)}{origin}")
    print(f"mlaudit: {inventory.source}: {len(inventory.repositories)} repositories", file=sys.stderr)
    return 0


def _plan(args: argparse.Namespace) -> int:
    from mlaudit.fleet.plan import guidance, plan_fleet
    from mlaudit.github.workflow_commands import write_outputs

    plan = plan_fleet(_load(args), max_parallel=args.max_parallel)
    data = plan.to_json()
    if args.chunk is not None:
        if not 0 <= args.chunk < len(plan.chunks):
            raise UsageError(f"--chunk {args.chunk}: the plan has {len(plan.chunks)} chunk(s) (0 to "
                             f"{len(plan.chunks) - 1})")
        print(json.dumps(data["chunks"][args.chunk], separators=(",", ":")))
    else:
        print(json.dumps(data, indent=2))
    if args.github_output:
        # Each chunk carries its matrix as a JSON string, so the caller passes
        # `matrix.chunk.matrix` on as is (no computed index into the output).
        chunks = [{"index": i, "size": len(c["include"]), "matrix": json.dumps(c, separators=(",", ":"))}
                  for i, c in enumerate(data["chunks"])]
        write_outputs(os.environ.get("GITHUB_OUTPUT", ""), {
            "chunks": json.dumps(chunks, separators=(",", ":")),
            "chunk-count": str(len(chunks)),
            "max-parallel": str(plan.max_parallel),
        })
    print(f"mlaudit: {guidance(plan)}", file=sys.stderr)
    return 0


def _now(value: str | None) -> dt.datetime:
    from mlaudit.fleet.report_reader import parse_time

    if value is None:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    parsed = parse_time(value)
    if parsed is None:
        raise UsageError(f"--now {value!r}: not an ISO 8601 time")
    return parsed


def _aggregate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from mlaudit.fleet.dashboard import render_dashboard
    from mlaudit.fleet.fleet_markdown import render_fleet_markdown
    from mlaudit.fleet.fleet_report import render_fleet_json
    from mlaudit.fleet.fleet_run import run_fleet_aggregate
    from mlaudit.github.workflow_commands import append_summary

    if not args.reports_dir.is_dir():
        raise UsageError(f"{args.reports_dir}: not a directory")
    inventory = _load(args)
    if args.fresh_days is not None:
        if args.fresh_days < 1:
            raise UsageError("--fresh-days must be at least 1")
        inventory = replace(inventory, fleet=replace(inventory.fleet, fresh_days=args.fresh_days))
    history = None if args.no_history else (args.history or args.inventory.parent / inventory.fleet.history)
    outcome = run_fleet_aggregate(inventory, args.reports_dir, now=_now(args.now), history=history)
    report = outcome.report
    markdown = render_fleet_markdown(report)
    for path, text in ((args.json_out, render_fleet_json(report)), (args.markdown, markdown),
                       (args.html, render_dashboard(report) if args.html else "")):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    append_summary(os.environ.get("GITHUB_STEP_SUMMARY", ""), markdown,
                   fallback_note="The fleet report is larger than the job summary allows; see the artifact.")
    for problem in report["problems"]:
        print(f"mlaudit: {args.reports_dir / problem['file']}: {problem['message']}", file=sys.stderr)
    if args.issue is not None:
        _sync_issue(args.issue or inventory.fleet.tracking_repository, report)
    cov = report["coverage"]
    print("mlaudit: fleet coverage " + ", ".join(
        f"{t} {cov[t]['covered']}/{cov[t]['total']}" for t in ("high", "medium", "low")),
        file=sys.stderr)
    if args.json_out is None and args.markdown is None and args.html is None:
        sys.stdout.write(markdown)
    for slo in outcome.failed:
        print(f"mlaudit: {slo.describe()}", file=sys.stderr)
    return 1 if outcome.failed else 0


def _sync_issue(repository: str, report: dict[str, Any]) -> None:
    from mlaudit.fleet.tracking_issue import sync_fleet_issue

    if not repository:
        raise UsageError("--issue needs OWNER/NAME (or fleet.tracking_repository in the inventory)")
    client = _client()
    if client is None:
        raise UsageError("--issue needs a token in GITHUB_TOKEN")
    server = os.environ.get("GITHUB_SERVER_URL", "")
    run_id, repo = os.environ.get("GITHUB_RUN_ID", ""), os.environ.get("GITHUB_REPOSITORY", "")
    run_url = f"{server}/{repo}/actions/runs/{run_id}" if server and run_id and repo else ""
    result = sync_fleet_issue(client, repository, report, run_url=run_url)
    print(f"mlaudit: fleet tracking issue #{result.number} {result.action} {result.html_url}".rstrip(),
          file=sys.stderr)
