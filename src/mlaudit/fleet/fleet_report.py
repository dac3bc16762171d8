"""The fleet report as JSON (the machine contract, in the audit report's style); every renderer reads it.

Top-level keys, in order: ``schema_version``, ``kind``, ``tool``, ``status``,
``generated_at``, ``inventory``, ``fresh_days``, ``totals``, ``coverage``,
``pillars``, ``findings_by_rule``, ``signatures``, ``slos``, ``problems``,
``history``, ``repositories``. ``status`` is ``fail`` when an SLO burns its
error budget faster than allowed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mlaudit import __version__
from mlaudit.fleet.aggregate import FleetTables
from mlaudit.fleet.slo import SloResult

FLEET_SCHEMA_VERSION = 1


def _iso(tables: FleetTables) -> str:
    return tables.now.isoformat(timespec="seconds").replace("+00:00", "Z")


def build_fleet_report(tables: FleetTables, slos: Sequence[SloResult], *, inventory: str,
                       history: dict[str, Any] | None) -> dict[str, Any]:
    """The fleet report; ``history`` is the chain line written (``file``, ``seq``, ``hash``) or None."""
    coverage = tables.coverage()
    rows = tables.rows_in_order()
    read = [r for r in rows if r.read]
    return {
        "schema_version": FLEET_SCHEMA_VERSION,
        "kind": "mlaudit-fleet",
        "tool": {"name": "mlaudit", "version": __version__},
        "status": "fail" if any(s.failed for s in slos) else "pass",
        "generated_at": _iso(tables),
        "inventory": inventory,
        "fresh_days": tables.fresh_days,
        "totals": {"repositories": len(rows), "reports_read": tables.reports_read,
                   **{k: v for k, v in coverage["all"].items() if k not in ("total",)}},
        "coverage": coverage,
        "pillars": tables.pillars(),
        "findings_by_rule": [
            {"rule": g.rule, "severity": g.severity.value, "findings": g.findings,
             "repository_count": g.repository_count, "repositories": g.repositories, "message": g.message}
            for g in tables.top_rules()
        ],
        "signatures": {"present": sum(1 for r in read if r.signed), "missing": sum(1 for r in read if not r.signed),
                       "missing_repositories": tables.unsigned()},
        "slos": [s.to_json() for s in slos],
        "problems": [{"file": p.file, "message": p.message, "repository": p.repository} for p in tables.problems],
        "history": history,
        "repositories": [
            {"repository": r.entry.name, "tier": r.entry.tier, "owners": list(r.entry.owners),
             "state": r.state, "reason": r.reason, "report": r.file or None,
             "generated_at": r.generated_at.isoformat(timespec="seconds") if r.generated_at else None,
             "status": r.status or None, "pillars": r.pillars, "counts": r.counts,
             "signed": r.signed if r.read else None}
            for r in rows
        ],
    }


def render_fleet_json(report: dict[str, Any]) -> str:
    """The fleet report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
