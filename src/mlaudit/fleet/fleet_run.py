"""One aggregate, end to end: stream the reports, extend the history, evaluate the SLOs, build the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.fleet.aggregate import aggregate_reports
from mlaudit.fleet.fleet_report import build_fleet_report
from mlaudit.fleet.history import append_history, history_record, read_history
from mlaudit.fleet.inventory import Inventory
from mlaudit.fleet.slo import SloResult, evaluate_slos


@dataclass(frozen=True)
class FleetOutcome:
    """The fleet report (JSON contract) and the SLOs that fail the gate."""

    report: dict[str, Any]
    failed: tuple[SloResult, ...]


def run_fleet_aggregate(inventory: Inventory, reports_dir: Path, *, now: dt.datetime,
                        history: Path | None) -> FleetOutcome:
    """Aggregate ``reports_dir``; append to ``history`` (None: keep no history, SLOs over this run only)."""
    tables = aggregate_reports(inventory, reports_dir, now=now)
    longest = max([inventory.fleet.window_days, *(s.window_days for s in inventory.slos.values())])
    previous, window = (read_history(history, since=now - dt.timedelta(days=longest))
                        if history is not None else (None, []))
    record = history_record(tables, previous, inventory=inventory.source)
    written: dict[str, Any] | None = None
    if history is not None:
        line = append_history(history, record)
        written = {"file": str(history), "seq": line["seq"], "hash": line["hash"]}
    slos = evaluate_slos(inventory.slos, [*window, record], now=now,
                         default_window=inventory.fleet.window_days,
                         max_burn_rate=inventory.fleet.max_burn_rate)
    report = build_fleet_report(tables, slos, inventory=inventory.source, history=written)
    return FleetOutcome(report, tuple(s for s in slos if s.failed))
