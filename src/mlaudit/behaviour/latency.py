"""Latency metrics from per-request timings: ``latency_p50``, ``latency_p95``, ``latency_p99``.

They become ordinary metrics (lower is better) compared with the baseline like
any other, so a slower model fails the same gate a less accurate one does.
"""

from __future__ import annotations

from collections.abc import Sequence


def latency_metrics(timings: Sequence[float], percentiles: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """``latency_p<q>`` for each percentile ``q`` (linear interpolation, like numpy's default)."""
    import numpy as np

    if not timings:
        raise ValueError("no timings")
    values = np.asarray(timings, dtype=float)
    out: dict[str, float] = {}
    for q in percentiles:
        name = f"latency_p{q:g}".replace(".", "_")
        out[name] = float(np.percentile(values, q))
    return out
