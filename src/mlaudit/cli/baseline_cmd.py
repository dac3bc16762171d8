"""``mlaudit baseline``: show the metrics of the evaluation, or record them as the new baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlaudit.cli.project import open_project
from mlaudit.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit baseline``."""
    parser.add_argument("action", choices=["update", "show"],
                        help="update: run the evaluation and rewrite the baseline; show: print both")
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")


def run(args: argparse.Namespace) -> int:
    """Run the configured evaluation; print its metrics next to the baseline, or record them."""
    from mlaudit.behaviour import inside_root
    from mlaudit.behaviour.evaluation import collect_metrics
    from mlaudit.behaviour.metrics_baseline import load_baseline, write_baseline
    from mlaudit.behaviour.options import PerformanceOptions
    from mlaudit.errors import CheckError

    ctx = open_project(args).audit_context(args)
    options = ctx.section("performance", PerformanceOptions)
    if "performance" not in ctx.config.tables or not (options.command or options.metrics_file):
        raise UsageError("not configured: set command or metrics_file in [tool.mlaudit.performance]")
    try:
        evaluation = collect_metrics(ctx.root, options)
        path = inside_root(ctx.root, options.baseline, "performance.baseline")
        previous = load_baseline(path, label=options.baseline)
    except CheckError as exc:
        raise UsageError(exc.diagnostics()) from None
    if args.action == "show":
        old = previous.metrics if previous else {}
        for name in sorted(set(evaluation.metrics) | set(old)):
            print(f"{name:32} current {_fmt(evaluation.metrics.get(name))}  baseline {_fmt(old.get(name))}")
        return 0
    changes = write_baseline(path, evaluation.metrics, previous, evaluation.source)
    for name, value in sorted(changes.added.items()):
        print(f"added    {name} = {value:.6g}")
    for name, (old_value, new_value) in sorted(changes.changed.items()):
        print(f"changed  {name}: {old_value:.6g} -> {new_value:.6g} ({new_value - old_value:+.6g})")
    for name, value in sorted(changes.removed.items()):
        print(f"removed  {name} (was {value:.6g})")
    if changes or previous is None:
        print(f"Fixing {options.baseline}: {len(evaluation.metrics)} metric(s) recorded")
    else:
        print(f"{options.baseline} is up to date ({len(evaluation.metrics)} metric(s))")
    return 0


def _fmt(value: float | None) -> str:
    return "-".rjust(12) if value is None else f"{value:12.6g}"
