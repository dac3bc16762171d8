"""Metrics, the committed baseline, and the per-metric rule that compares them.

A metrics document is JSON: either ``{"metrics": {...}}`` or a flat object;
nested objects are flattened with dots (``{"f1": {"macro": 0.8}}`` gives
``f1.macro``); non-numeric leaves are ignored. The baseline file is
``{"metrics": {name: value}, "updated_at": ..., "source": ...}``, written with
sorted keys so a change reads well in a diff.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlaudit.behaviour.bootstrap import Interval
from mlaudit.errors import CheckError
from mlaudit.formats.bounded_json import loads_json
from mlaudit.store.atomic_file import write_json_atomic


@dataclass(frozen=True)
class MetricRule:
    """``[tool.mlaudit.performance.metrics.<name>]``: how one metric is judged."""

    direction: Literal["higher", "lower"] = "higher"
    """Which way is better."""
    abs_tolerance: float = 0.0
    """A worsening up to this much (in the metric's units) is accepted."""
    rel_tolerance: float = 0.0
    """A worsening up to this fraction of the baseline is accepted (the larger allowance wins)."""
    samples: str = ""
    """Per-sample results of this metric (for a bootstrap interval); path relative to the root."""
    samples_field: str = ""
    """Field or CSV column holding the per-sample values."""
    required: bool = True
    """A metric missing from the output is a finding."""


@dataclass(frozen=True)
class Baseline:
    """The committed baseline."""

    metrics: dict[str, float]
    updated_at: str = ""
    source: str = ""


@dataclass(frozen=True)
class MetricVerdict:
    """The comparison of one metric with its baseline."""

    name: str
    verdict: Literal["ok", "improved", "regressed", "within-noise", "missing", "no-baseline"]
    current: float | None
    baseline: float | None
    allowed: float
    direction: str
    interval: Interval | None = None

    @property
    def delta(self) -> float | None:
        """current − baseline (None when either is absent)."""
        if self.current is None or self.baseline is None:
            return None
        return self.current - self.baseline

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form for evidence."""
        data: dict[str, Any] = {
            "name": self.name,
            "verdict": self.verdict,
            "current": self.current,
            "baseline": self.baseline,
            "delta": self.delta,
            "allowed_worsening": self.allowed,
            "direction": self.direction,
        }
        if self.interval is not None:
            data["interval"] = self.interval.to_json()
        return data


def flatten_metrics(document: object, *, label: str) -> dict[str, float]:
    """The numeric metrics of a metrics document; ``CheckError`` if there are none."""
    if isinstance(document, Mapping) and isinstance(document.get("metrics"), Mapping):
        document = document["metrics"]
    if not isinstance(document, Mapping):
        raise CheckError(f"{label}: metrics must be a JSON object, got {type(document).__name__}")
    out: dict[str, float] = {}
    _flatten(document, "", out)
    if not out:
        raise CheckError(f"{label}: no numeric metrics in the output")
    return out


def _flatten(node: Mapping[str, Any], prefix: str, out: dict[str, float]) -> None:
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            out[name] = float(value)


def read_metrics_file(path: Path, *, label: str) -> dict[str, float]:
    """Metrics from a JSON file the evaluation wrote (or that already exists)."""
    try:
        document = loads_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckError(f"{label}: metrics file not found") from None
    except ValueError as exc:
        raise CheckError(f"{label}: not a JSON metrics file ({exc})") from None
    return flatten_metrics(document, label=label)


def load_baseline(path: Path, *, label: str) -> Baseline | None:
    """The baseline at ``path``; None when absent; ``CheckError`` when malformed."""
    try:
        document = loads_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise CheckError(f"{label}: baseline is not valid JSON ({exc})") from None
    if not isinstance(document, Mapping) or not isinstance(document.get("metrics"), Mapping):
        raise CheckError(f"{label}: baseline must be an object with a 'metrics' object")
    metrics: dict[str, float] = {}
    _flatten(document["metrics"], "", metrics)
    return Baseline(metrics, str(document.get("updated_at", "")), str(document.get("source", "")))


@dataclass(frozen=True)
class BaselineChanges:
    """What ``write_baseline`` changed: names added, removed, and (old, new) of changed values."""

    added: dict[str, float]
    removed: dict[str, float]
    changed: dict[str, tuple[float, float]]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def write_baseline(path: Path, metrics: Mapping[str, float], previous: Baseline | None, source: str) -> BaselineChanges:
    """Atomically replace the baseline with ``metrics``; returns what changed."""
    old = previous.metrics if previous else {}
    changes = BaselineChanges(
        added={k: v for k, v in metrics.items() if k not in old},
        removed={k: v for k, v in old.items() if k not in metrics},
        changed={k: (old[k], v) for k, v in metrics.items() if k in old and old[k] != v},
    )
    if not changes and previous is not None:
        return changes
    body = {
        "metrics": dict(sorted(metrics.items())),
        "source": source,
        "updated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    write_json_atomic(path, body, compact=False)
    return changes


def compare_metric(
    name: str, rule: MetricRule, current: float | None, baseline: float | None, interval: Interval | None = None
) -> MetricVerdict:
    """Judge one metric: worse than the baseline beyond tolerance *and* beyond noise is a regression.

    With an interval (from per-sample results), the metric regresses only when
    the whole interval lies beyond the tolerated worsening: a drop the noise
    could explain passes.
    """
    if current is None:
        return MetricVerdict(name, "missing", None, baseline, 0.0, rule.direction, interval)
    if baseline is None:
        return MetricVerdict(name, "no-baseline", current, None, 0.0, rule.direction, interval)
    allowed = max(rule.abs_tolerance, rule.rel_tolerance * abs(baseline))
    sign = 1.0 if rule.direction == "higher" else -1.0
    worse_by = sign * (baseline - current)
    if worse_by < 0:
        verdict: Literal["ok", "improved", "regressed", "within-noise"] = "improved"
    elif worse_by <= allowed:
        verdict = "ok"
    elif interval is not None and _interval_reaches(interval, baseline, allowed, sign):
        verdict = "within-noise"
    else:
        verdict = "regressed"
    return MetricVerdict(name, verdict, current, baseline, allowed, rule.direction, interval)


def _interval_reaches(interval: Interval, baseline: float, allowed: float, sign: float) -> bool:
    # The most favourable end of the interval still within tolerance -> noise could explain it.
    best = interval.high if sign > 0 else interval.low
    if math.isnan(best):
        return False
    return sign * (baseline - best) <= allowed
