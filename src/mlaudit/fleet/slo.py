"""Service-level objectives over the fleet history: indicator, error budget, burn rate, the gate.

For ``coverage`` and ``fix-time`` an event is good or bad; the error budget is
``1 - objective`` of the events and the burn rate is the bad share divided by
that budget (1.0 spends the budget exactly over the window; with an objective
of 1.0 any bad event burns at an infinite rate). For ``drift-alerts`` the burn
rate is the observed alerts per week divided by ``max_per_week``. A burn rate
above ``max_burn_rate`` (2.0 by default) fails the gate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlaudit.fleet.inventory import SloSpec
from mlaudit.fleet.report_reader import parse_time

_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@dataclass(frozen=True)
class SloResult:
    """One SLO evaluated over its window."""

    name: str
    kind: str
    window_days: int
    objective: float
    events: float
    bad: float
    indicator: float
    """Good share (coverage, fix-time) or alerts per week (drift-alerts)."""
    burn_rate: float
    repositories: tuple[str, ...]
    """Repositories behind the bad events."""
    max_burn_rate: float

    @property
    def failed(self) -> bool:
        """True when the budget burns faster than allowed."""
        return self.burn_rate > self.max_burn_rate

    @property
    def budget_remaining(self) -> float:
        """Share of the window's error budget left (0 when spent)."""
        return max(0.0, 1.0 - self.burn_rate) if math.isfinite(self.burn_rate) else 0.0

    def to_json(self) -> dict[str, Any]:
        """The SLO as the fleet report spells it (an infinite burn rate is ``null``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "window_days": self.window_days,
            "objective": self.objective,
            "events": self.events,
            "bad": self.bad,
            "indicator": round(self.indicator, 4),
            "burn_rate": round(self.burn_rate, 4) if math.isfinite(self.burn_rate) else None,
            "budget_remaining": round(self.budget_remaining, 4),
            "max_burn_rate": self.max_burn_rate,
            "failed": self.failed,
            "repositories": list(self.repositories),
        }

    def describe(self) -> str:
        """One line for the log and the gate message."""
        burn = f"{self.burn_rate:.2f}x" if math.isfinite(self.burn_rate) else "infinite"
        who = f": {', '.join(self.repositories[:20])}" if self.repositories else ""
        more = f" and {len(self.repositories) - 20} more" if len(self.repositories) > 20 else ""
        limit = f"(limit {self.max_burn_rate:g}x)"
        return f"SLO {self.name} ({self.kind}) burns its error budget at {burn} {limit}{who}{more}"


def _ratio_burn(bad: float, events: float, objective: float) -> float:
    if events == 0 or bad == 0:
        return 0.0
    budget = 1.0 - objective
    return (bad / events) / budget if budget > 0 else math.inf


def _in_window(entries: Sequence[dict[str, Any]], now: dt.datetime, days: int) -> list[dict[str, Any]]:
    since = now - dt.timedelta(days=days)
    kept = []
    for entry in entries:
        moment = parse_time(str(entry.get("time", "")))
        if moment is not None and since <= moment <= now:
            kept.append(entry)
    return kept


def evaluate_slo(name: str, spec: SloSpec, entries: Sequence[dict[str, Any]], *, now: dt.datetime,
                 default_window: int, max_burn_rate: float) -> SloResult:
    """Evaluate ``spec`` over the history ``entries`` (the current aggregate's line last)."""
    window = spec.window_days or default_window
    lines = _in_window(entries, now, window)
    repos: set[str] = set()
    if spec.kind == "coverage":
        events = float(sum(e["coverage"][spec.tier]["total"] for e in lines))
        good = float(sum(e["coverage"][spec.tier]["covered"] for e in lines))
        bad = events - good
        for e in lines:
            repos.update(e["uncovered"][spec.tier])
        indicator = good / events if events else 1.0
        burn = _ratio_burn(bad, events, spec.objective)
    elif spec.kind == "fix-time":
        events, bad, repos = _fix_time_events(spec, lines, now)
        indicator = (events - bad) / events if events else 1.0
        burn = _ratio_burn(bad, events, spec.objective)
    else:
        alerts = 0
        for e in lines:
            for repo, count in e.get("drift_new", {}).items():
                alerts += int(count)
                repos.add(repo)
        events, bad = float(alerts), float(alerts)
        indicator = alerts / (window / 7.0)
        burn = indicator / spec.max_per_week
    return SloResult(name, spec.kind, window, spec.objective, events, bad, indicator, burn,
                     tuple(sorted(repos)) if burn > 0 else (), max_burn_rate)


def _fix_time_events(spec: SloSpec, lines: Sequence[dict[str, Any]], now: dt.datetime
                     ) -> tuple[float, float, set[str]]:
    """Findings of the severity open now or fixed in the window; bad when open (or fixed) after ``days``."""
    wanted = _SEVERITY_RANK[spec.severity]
    limit = dt.timedelta(days=spec.days)
    ages: dict[tuple[str, str], dt.timedelta] = {}
    for entry in lines:
        for item in entry.get("fixed", []):
            first, fixed = parse_time(item["first_seen"]), parse_time(item["fixed_at"])
            if _SEVERITY_RANK.get(item["severity"], 0) >= wanted and first and fixed:
                ages[(item["repository"], item["fingerprint"])] = fixed - first
    if lines:
        for repo, findings in lines[-1].get("open", {}).items():
            for fp, (first_seen, _rule, severity) in findings.items():
                first = parse_time(first_seen)
                if _SEVERITY_RANK.get(severity, 0) >= wanted and first:
                    ages[(repo, fp)] = now - first
    bad_repos = {repo for (repo, _fp), age in ages.items() if age > limit}
    bad = sum(1 for age in ages.values() if age > limit)
    return float(len(ages)), float(bad), bad_repos


def evaluate_slos(specs: dict[str, SloSpec], entries: Sequence[dict[str, Any]], *, now: dt.datetime,
                  default_window: int, max_burn_rate: float) -> list[SloResult]:
    """Every declared SLO, in declaration order."""
    return [evaluate_slo(name, spec, entries, now=now, default_window=default_window,
                         max_burn_rate=max_burn_rate) for name, spec in specs.items()]
