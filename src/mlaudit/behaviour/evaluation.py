"""Collect the current metrics: run the evaluation command, read its metrics, add latency.

Shared by the ``performance`` check and ``mlaudit baseline update`` so both see
exactly the same numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlaudit.behaviour import inside_root
from mlaudit.behaviour.command_runner import CommandFailed, parse_json_output, run_command
from mlaudit.behaviour.latency import latency_metrics
from mlaudit.behaviour.metrics_baseline import flatten_metrics, read_metrics_file
from mlaudit.behaviour.sample_files import read_numbers
from mlaudit.errors import CheckError

if TYPE_CHECKING:
    from mlaudit.behaviour.options import PerformanceOptions

FS_CLOCK_SLACK_S = 2.0  # coarse file-system timestamps


@dataclass(frozen=True)
class EvaluationRun:
    """The metrics of this run and where they came from."""

    metrics: dict[str, float]
    source: str
    command: dict[str, Any] = field(default_factory=dict)
    timings_count: int = 0
    ran_command_at: float | None = None
    """``time.time()`` when the evaluation command started (None: no command ran)."""

    def require_fresh(self, path: Path, rel: str) -> None:
        """Refuse an output file older than this run: it is a previous run's (stale) output."""
        require_fresh(path, rel, self.ran_command_at, str(self.command.get("stderr_tail", "")))


def require_fresh(path: Path, rel: str, ran_command_at: float | None, stderr_tail: str) -> None:
    """``CommandFailed`` when the command ran but ``path`` predates it.

    Reading last run's metrics, samples or timings would hide a broken
    evaluation behind old numbers.
    """
    if ran_command_at is not None and path.is_file() and path.stat().st_mtime < ran_command_at - FS_CLOCK_SLACK_S:
        raise CommandFailed(f"evaluation command ran but did not (re)write {rel}", stderr_tail)


def collect_metrics(root: Path, options: PerformanceOptions) -> EvaluationRun:
    """Run the configured evaluation (if any) and return the metrics it produced.

    With a ``command`` and no ``metrics_file``, the command's stdout is the
    metrics JSON. With a ``metrics_file``, the file is read after the command
    (or as is, without a command). Garbage output is a ``CommandFailed`` that
    carries the command's stderr tail.
    """
    command_info: dict[str, Any] = {}
    result = None
    started: float | None = None
    if options.command:
        started = time.time()
        result = run_command(options.command, cwd=root, timeout=options.timeout, what="evaluation command")
        command_info = {
            "argv": list(result.argv),
            "duration_s": round(result.duration_s, 3),
            "stderr_tail": result.stderr_tail[-500:],
        }
    if options.metrics_file:
        path = inside_root(root, options.metrics_file, "performance.metrics_file")
        require_fresh(path, options.metrics_file, started, result.stderr_tail if result else "")
        try:
            metrics = read_metrics_file(path, label=options.metrics_file)
        except CheckError as exc:
            if result is not None:
                raise CommandFailed(f"evaluation command ran but {exc}", result.stderr_tail) from None
            raise
        source = options.metrics_file
    elif result is not None:
        document = parse_json_output(result, "evaluation command")
        try:
            metrics = flatten_metrics(document, label="evaluation command output")
        except CheckError as exc:
            raise CommandFailed(str(exc), result.stderr_tail) from None
        source = "stdout of " + options.command
    else:
        raise CheckError("performance needs 'command' or 'metrics_file'")
    count = 0
    if options.latency_file:
        path = inside_root(root, options.latency_file, "performance.latency_file")
        require_fresh(path, options.latency_file, started, result.stderr_tail if result else "")
        timings = read_numbers(path, options.latency_field, label=options.latency_file)
        metrics.update(latency_metrics(timings, options.latency_percentiles))
        count = len(timings)
    return EvaluationRun(metrics, source, command_info, count, started)
