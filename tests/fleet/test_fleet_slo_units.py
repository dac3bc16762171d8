"""SLO arithmetic on hand-built history lines: drift alerts per week, windows, zero budgets, fix times."""

from __future__ import annotations

import datetime as dt
import math

from mlaudit.fleet.inventory import SloSpec
from mlaudit.fleet.slo import evaluate_slo

NOW = dt.datetime(2026, 6, 29, 12, 0, tzinfo=dt.timezone.utc)


def line(days_ago: float, **fields: object) -> dict[str, object]:
    moment = NOW - dt.timedelta(days=days_ago)
    base: dict[str, object] = {
        "kind": "mlaudit-fleet", "time": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "coverage": {t: {"total": 0, "covered": 0} for t in ("high", "medium", "low")},
        "uncovered": {t: [] for t in ("high", "medium", "low")}, "open": {}, "fixed": [], "drift": {},
        "drift_new": {},
    }
    return base | fields


def test_drift_alerts_per_week_over_the_window() -> None:
    spec = SloSpec(kind="drift-alerts", max_per_week=1.0, window_days=14)
    lines = [line(20, drift_new={"acme/old": 9}), line(10, drift_new={"acme/a": 2, "acme/b": 1}),
             line(1, drift_new={"acme/a": 2})]
    result = evaluate_slo("drift", spec, lines, now=NOW, default_window=28, max_burn_rate=2.0)
    # 5 alerts in 14 days (the line 20 days ago is outside) = 2.5 a week against 1 a week allowed.
    assert (result.events, result.indicator, result.burn_rate) == (5.0, 2.5, 2.5)
    assert result.failed and result.repositories == ("acme/a", "acme/b")
    assert "SLO drift (drift-alerts) burns its error budget at 2.50x (limit 2x): acme/a, acme/b" == result.describe()


def test_no_events_burn_nothing_and_a_zero_budget_burns_infinitely() -> None:
    spec = SloSpec(kind="coverage", tier="medium", objective=1.0)
    empty = evaluate_slo("c", spec, [line(1)], now=NOW, default_window=28, max_burn_rate=2.0)
    assert (empty.events, empty.burn_rate, empty.failed, empty.budget_remaining) == (0.0, 0.0, False, 1.0)
    missed = line(1, coverage={"high": {"total": 0, "covered": 0}, "medium": {"total": 4, "covered": 3},
                               "low": {"total": 0, "covered": 0}},
                  uncovered={"high": [], "medium": ["acme/m"], "low": []})
    result = evaluate_slo("c", spec, [missed], now=NOW, default_window=28, max_burn_rate=2.0)
    assert math.isinf(result.burn_rate) and result.failed and result.to_json()["burn_rate"] is None
    assert result.repositories == ("acme/m",)


def test_fix_time_counts_open_and_fixed_findings_by_severity() -> None:
    spec = SloSpec(kind="fix-time", severity="high", days=7, objective=0.5)
    first = (NOW - dt.timedelta(days=9)).isoformat()
    recent = (NOW - dt.timedelta(days=2)).isoformat()
    lines = [
        line(3, fixed=[{"repository": "acme/a", "fingerprint": "f1", "rule": "r", "severity": "critical",
                        "first_seen": first, "fixed_at": (NOW - dt.timedelta(days=3)).isoformat()},
                       {"repository": "acme/b", "fingerprint": "f2", "rule": "r", "severity": "medium",
                        "first_seen": first, "fixed_at": NOW.isoformat()}]),
        line(0, open={"acme/c": {"f3": [first, "r", "high"], "f4": [recent, "r", "critical"],
                                 "f5": [first, "r", "low"]}}),
    ]
    result = evaluate_slo("fix", spec, lines, now=NOW, default_window=28, max_burn_rate=2.0)
    # f1 fixed after 6 days (good), f3 open 9 days (bad), f4 open 2 days (good); f2, f5 below high.
    assert (result.events, result.bad, round(result.indicator, 4), round(result.burn_rate, 4)) == (
        3.0, 1.0, 0.6667, 0.6667)
    assert not result.failed and result.repositories == ("acme/c",)
