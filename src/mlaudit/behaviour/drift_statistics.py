"""Per-feature drift between a reference and a current sample.

Numeric features: population stability index (PSI) over reference-quantile bins
and the two-sample Kolmogorov–Smirnov test (SciPy). Categorical features: PSI
over categories and the chi-square test of homogeneity (SciPy), plus the
categories the reference never saw. Missing values are counted apart and never
enter the statistics. A feature with fewer than ``min_rows`` non-missing values
on either side gets no verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

PSI_EPSILON = 1e-4  # floor of a bin's share so an empty bin does not make PSI infinite
MAX_CATEGORIES = 200  # beyond, the rarest reference categories are pooled (ids are not categories)
MAX_NEW_CATEGORIES_SHOWN = 20
OTHER = "(other)"


@dataclass(frozen=True)
class DriftThresholds:
    """When a feature counts as drifted."""

    psi: float = 0.2
    ks_statistic: float = 0.1
    chi2_alpha: float = 0.0
    """Chi-square p-value below this also flags a categorical feature; 0 = report only."""
    bins: int = 10
    min_rows: int = 100


@dataclass(frozen=True)
class FeatureDrift:
    """The statistics and verdict of one feature."""

    feature: str
    kind: Literal["numeric", "categorical"]
    verdict: Literal["drifted", "stable", "no-verdict"]
    reference_rows: int
    current_rows: int
    reference_missing: float
    current_missing: float
    psi: float | None = None
    ks_statistic: float | None = None
    ks_pvalue: float | None = None
    chi2_pvalue: float | None = None
    new_categories: dict[str, int] = field(default_factory=dict)
    """The most frequent unseen categories (at most ``MAX_NEW_CATEGORIES_SHOWN``) and their counts."""
    new_category_count: int = 0
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form for evidence and templates."""
        return {
            "feature": self.feature,
            "kind": self.kind,
            "verdict": self.verdict,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "reference_missing": _round(self.reference_missing),
            "current_missing": _round(self.current_missing),
            "psi": _round(self.psi),
            "ks_statistic": _round(self.ks_statistic),
            "ks_pvalue": _round(self.ks_pvalue, 6),
            "chi2_pvalue": _round(self.chi2_pvalue, 6),
            "new_categories": dict(self.new_categories),
            "new_category_count": self.new_category_count,
            "reasons": list(self.reasons),
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def population_stability_index(ref_share: npt.NDArray[np.float64], cur_share: npt.NDArray[np.float64]) -> float:
    """PSI = Σ (cur − ref) · ln(cur / ref) over bins, shares floored at ``PSI_EPSILON``."""
    import numpy as np

    ref = np.maximum(ref_share, PSI_EPSILON)
    cur = np.maximum(cur_share, PSI_EPSILON)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def numeric_drift(name: str, reference: pd.Series, current: pd.Series, limits: DriftThresholds) -> FeatureDrift:
    """PSI and KS of a numeric feature."""
    import numpy as np

    ref_all = reference.to_numpy(dtype=float, na_value=np.nan)
    cur_all = current.to_numpy(dtype=float, na_value=np.nan)
    ref = ref_all[np.isfinite(ref_all)]
    cur = cur_all[np.isfinite(cur_all)]
    base = _base(name, "numeric", ref_all.size, cur_all.size, ref.size, cur.size)
    if min(ref.size, cur.size) < limits.min_rows:
        return FeatureDrift(**base, verdict="no-verdict", reasons=(_too_few(ref.size, cur.size, limits),))
    ref.sort()
    cur.sort()
    # Interior quantile edges of the reference; duplicates collapse (a spike is one bin).
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, limits.bins + 1)[1:-1]))
    ref_counts = np.diff(np.searchsorted(ref, edges, side="right"), prepend=0, append=ref.size)
    cur_counts = np.diff(np.searchsorted(cur, edges, side="right"), prepend=0, append=cur.size)
    psi = population_stability_index(ref_counts / ref.size, cur_counts / cur.size)
    ks_stat, ks_p = ks_two_sample_sorted(ref, cur)
    reasons = []
    if psi > limits.psi:
        reasons.append(f"PSI {psi:.3f} > {limits.psi:g}")
    if ks_stat > limits.ks_statistic:
        reasons.append(f"KS statistic {ks_stat:.3f} > {limits.ks_statistic:g}")
    return FeatureDrift(
        **base, verdict="drifted" if reasons else "stable", psi=psi,
        ks_statistic=ks_stat, ks_pvalue=ks_p, reasons=tuple(reasons),
    )


EXACT_KS_BELOW = 10_000


def ks_two_sample_sorted(ref: npt.NDArray[np.float64], cur: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Two-sided two-sample KS statistic and p-value of two *sorted* samples.

    Small samples go to ``scipy.stats.ks_2samp`` (exact p-value). Large ones use
    the samples being sorted already: each empirical CDF is evaluated at the
    other sample's points with one ``searchsorted`` of sorted keys (half the
    lookups SciPy makes on the unsorted union), and the p-value is SciPy's
    asymptotic one (``kstwo`` at n·m/(n+m)), exactly what ``ks_2samp`` uses
    for samples this size.
    """
    import numpy as np
    from scipy import stats

    n1, n2 = ref.size, cur.size
    if min(n1, n2) < EXACT_KS_BELOW:
        result = stats.ks_2samp(ref, cur)
        return float(result.statistic), float(result.pvalue)
    # At the last of each run of equal values, the CDF of a sample is (index + 1) / n.
    ref_last = np.r_[ref[1:] != ref[:-1], True]
    cur_last = np.r_[cur[1:] != cur[:-1], True]
    cdf1_at_ref = (np.flatnonzero(ref_last) + 1) / n1
    cdf2_at_ref = np.searchsorted(cur, ref[ref_last], side="right") / n2
    cdf2_at_cur = (np.flatnonzero(cur_last) + 1) / n2
    cdf1_at_cur = np.searchsorted(ref, cur[cur_last], side="right") / n1
    statistic = float(max(np.abs(cdf1_at_ref - cdf2_at_ref).max(), np.abs(cdf1_at_cur - cdf2_at_cur).max()))
    pvalue = float(np.clip(stats.kstwo.sf(statistic, np.round(n1 * n2 / (n1 + n2))), 0.0, 1.0))
    return statistic, pvalue


def categorical_drift(name: str, reference: pd.Series, current: pd.Series, limits: DriftThresholds) -> FeatureDrift:
    """PSI over categories, chi-square test, and categories new in the current sample."""
    import numpy as np
    from scipy import stats

    ref_counts = reference.dropna().astype(str).value_counts()
    cur_counts = current.dropna().astype(str).value_counts()
    ref_n, cur_n = int(ref_counts.sum()), int(cur_counts.sum())
    base = _base(name, "categorical", len(reference), len(current), ref_n, cur_n)
    unseen = cur_counts[~cur_counts.index.isin(ref_counts.index)]
    new = {str(k): int(v) for k, v in unseen.head(MAX_NEW_CATEGORIES_SHOWN).items()}
    if len(ref_counts) > MAX_CATEGORIES:
        kept = ref_counts.index[: MAX_CATEGORIES - 1]  # value_counts sorts by frequency
        ref_counts = _pool(ref_counts, kept)
        cur_counts = _pool(cur_counts, kept)
    if min(ref_n, cur_n) < limits.min_rows:
        return FeatureDrift(**base, verdict="no-verdict", new_categories=new, new_category_count=len(unseen),
                            reasons=(_too_few(ref_n, cur_n, limits),))
    categories = ref_counts.index.union(cur_counts.index)
    ref_vec = ref_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    cur_vec = cur_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    psi = population_stability_index(ref_vec / ref_n, cur_vec / cur_n)
    chi2_p: float | None = None
    if len(categories) > 1:
        chi2_p = float(stats.chi2_contingency(np.vstack([ref_vec, cur_vec]))[1])
    reasons = []
    if psi > limits.psi:
        reasons.append(f"PSI {psi:.3f} > {limits.psi:g}")
    if limits.chi2_alpha > 0 and chi2_p is not None and chi2_p < limits.chi2_alpha:
        reasons.append(f"chi-square p {chi2_p:.2g} < {limits.chi2_alpha:g}")
    return FeatureDrift(**base, verdict="drifted" if reasons else "stable", psi=psi, chi2_pvalue=chi2_p,
                        new_categories=new, new_category_count=len(unseen), reasons=tuple(reasons))


def _pool(counts: pd.Series, kept: pd.Index) -> pd.Series:
    """Counts of the ``kept`` categories plus one ``(other)`` bucket for the rest."""
    import pandas as pd

    inside = counts[counts.index.isin(kept)]
    pooled: pd.Series = pd.concat([inside, pd.Series({OTHER: int(counts.sum() - inside.sum())})])
    return pooled


def _base(name: str, kind: str, ref_total: int, cur_total: int, ref_n: int, cur_n: int) -> dict[str, Any]:
    return {
        "feature": name,
        "kind": kind,
        "reference_rows": ref_n,
        "current_rows": cur_n,
        "reference_missing": 1 - ref_n / ref_total if ref_total else 0.0,
        "current_missing": 1 - cur_n / cur_total if cur_total else 0.0,
    }


def _too_few(ref_n: int, cur_n: int, limits: DriftThresholds) -> str:
    return f"too few values for a verdict ({ref_n} reference, {cur_n} current; need {limits.min_rows})"


def is_numeric_column(series: pd.Series) -> bool:
    """Numbers (not booleans) are numeric; everything else is a category."""
    from pandas.api import types

    return bool(types.is_numeric_dtype(series) and not types.is_bool_dtype(series))


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, features: list[str], categorical: set[str],
    limits: DriftThresholds,
) -> list[FeatureDrift]:
    """Drift of every feature, in the given order.

    Features are independent and numpy's sort and search release the GIL, so
    they are computed on a few threads.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    def one(name: str) -> FeatureDrift:
        ref, cur = reference[name], current[name]
        numeric = name not in categorical and is_numeric_column(ref) and is_numeric_column(cur)
        return numeric_drift(name, ref, cur, limits) if numeric else categorical_drift(name, ref, cur, limits)

    workers = max(1, min(4, os.cpu_count() or 1, len(features)))
    if workers == 1:
        return [one(name) for name in features]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, features))
