"""Percentile bootstrap confidence intervals (numpy, vectorised, seeded).

A regression gate must not fail on noise: with per-sample results (0/1
correctness, per-example loss) the mean's interval says how far the metric may
move by chance alone. Resampling is done in chunks so memory stays bounded on
large sample sets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_CHUNK_CELLS = 4_000_000  # resamples x samples drawn per chunk
NORMAL_APPROXIMATION_FROM = 200_000  # samples; beyond, the CLT interval equals the bootstrap's to 3 digits


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    resamples: int

    def to_json(self) -> dict[str, float]:
        """JSON-safe form for evidence."""
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "resamples": self.resamples,
        }


def bootstrap_mean(
    samples: Sequence[float], *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> Interval:
    """The mean of ``samples`` with a percentile bootstrap interval.

    From ``NORMAL_APPROXIMATION_FROM`` samples on, the normal (CLT) interval is
    returned instead (``resamples`` = 0 says so in the evidence).
    """
    import numpy as np

    values = np.asarray(samples, dtype=float)
    if values.size == 0:
        raise ValueError("no samples to bootstrap")
    if values.size >= NORMAL_APPROXIMATION_FROM:
        # Resampling a million values a thousand times costs minutes; the mean is normal by then.
        from statistics import NormalDist

        mean = float(values.mean())
        half = NormalDist().inv_cdf(0.5 + confidence / 2) * float(values.std(ddof=1)) / values.size**0.5
        return Interval(mean, mean - half, mean + half, confidence, 0)
    rng = np.random.default_rng(seed)
    n = values.size
    per_chunk = max(1, _CHUNK_CELLS // n)
    means = np.empty(resamples)
    done = 0
    while done < resamples:
        k = min(per_chunk, resamples - done)
        idx = rng.integers(0, n, size=(k, n))
        means[done : done + k] = values[idx].mean(axis=1)
        done += k
    return _interval(float(values.mean()), means, confidence, resamples)


def bootstrap_statistic(
    n: int,
    statistic: Callable[[npt.NDArray[np.intp]], float],
    *,
    resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Interval of ``statistic(indices)`` over row resamples of a table of ``n`` rows.

    ``statistic`` receives the resampled row indices; the estimate is the
    statistic on all rows. Used for fairness differences, which are not means.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    estimate = statistic(np.arange(n))
    values = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(resamples)])
    values = values[np.isfinite(values)]
    return _interval(estimate, values, confidence, resamples)


def _interval(estimate: float, draws: Any, confidence: float, resamples: int) -> Interval:
    import numpy as np

    if len(draws) == 0:
        return Interval(estimate, float("nan"), float("nan"), confidence, resamples)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [alpha, 1.0 - alpha])
    return Interval(estimate, float(low), float(high), confidence, resamples)
