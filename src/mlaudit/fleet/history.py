"""The fleet history: one hash-chained line per aggregate (the audit log's chain), read back over a window.

A line records the coverage per tier, which repositories were not covered, the
open findings of tracked severities with the time each was first seen (carried
from the previous line), those fixed since, and the new drift alerts. That is
all the SLOs need, so the history stays small and the reports can be archived.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mlaudit.audit_log.chain import append_record, parse_line, read_log_bytes, verify_chain_bytes
from mlaudit.errors import UsageError
from mlaudit.fleet.aggregate import COVERED, FleetTables
from mlaudit.fleet.inventory import TIERS
from mlaudit.fleet.report_reader import parse_time
from mlaudit.formats.bounded_json import BoundedParseError

HISTORY_KIND = "mlaudit-fleet"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_history(path: Path, *, since: dt.datetime) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The last fleet line (for carrying state) and the lines at or after ``since``; checks the chain first."""
    if not path.exists():
        return None, []
    raw = read_log_bytes(path)  # read once: the lines used are the lines verified (a writer cannot slip one in)
    verification = verify_chain_bytes(raw)
    if not verification.ok:
        raise UsageError(
            f"{path}: the fleet history's hash chain is broken ({verification.problems[0]}); "
            f"run `mlaudit log verify {path}` and restore it before appending")
    last: dict[str, Any] | None = None
    window: list[dict[str, Any]] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            entry = parse_line(line)  # the bounded loader: depth-limited, duplicate keys refused, an object
        except BoundedParseError as exc:  # verified above, so only if the chain's rules change
            raise UsageError(f"{path}: a fleet history line cannot be read ({exc})") from None
        if entry.get("kind") != HISTORY_KIND:
            continue
        last = entry
        moment = parse_time(str(entry.get("time", "")))
        if moment is not None and moment >= since:
            window.append(entry)
    return last, window


def history_record(tables: FleetTables, previous: dict[str, Any] | None, *, inventory: str) -> dict[str, Any]:
    """The line for this aggregate; first-seen times and drift sets come from ``previous``."""
    now = _iso(tables.now)
    prev_open: dict[str, dict[str, list[str]]] = (previous or {}).get("open", {})
    prev_drift: dict[str, list[str]] = (previous or {}).get("drift", {})
    open_now: dict[str, dict[str, list[str]]] = {}
    fixed: list[dict[str, str]] = []
    drift_now: dict[str, list[str]] = {}
    drift_new: dict[str, int] = {}
    for row in tables.rows_in_order():
        name = row.entry.name
        before = prev_open.get(name, {})
        if not row.read:
            # No readable report: what was open stays open (never counted as fixed).
            if before:
                open_now[name] = before
            if prev_drift.get(name):
                drift_now[name] = prev_drift[name]
            continue
        current = {fp: [before[fp][0] if fp in before else now, rule, severity]
                   for fp, (rule, severity) in row.tracked.items()}
        if current:
            open_now[name] = current
        for fp, (first_seen, rule, severity) in before.items():
            if fp not in row.tracked:
                fixed.append({"repository": name, "fingerprint": fp, "rule": rule, "severity": severity,
                              "first_seen": first_seen, "fixed_at": now})
        if row.drift:
            drift_now[name] = list(row.drift)
            new = len(set(row.drift) - set(prev_drift.get(name, ())))
            if new:
                drift_new[name] = new
    coverage = tables.coverage()
    return {
        "kind": HISTORY_KIND,
        "time": now,
        "inventory": inventory,
        "coverage": {tier: {"total": coverage[tier]["total"], "covered": coverage[tier]["covered"]}
                     for tier in TIERS},
        "uncovered": {tier: [r.entry.name for r in tables.rows_in_order()
                             if r.entry.tier == tier and r.state not in COVERED] for tier in TIERS},
        "open": open_now,
        "fixed": fixed,
        "drift": drift_now,
        "drift_new": drift_new,
    }


def append_history(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Append ``record`` to the chain at ``path``; returns the line written (with seq, prev, hash)."""
    return append_record(path, record)
