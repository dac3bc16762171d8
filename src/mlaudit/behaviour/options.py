"""The options of the behaviour gates: ``[tool.mlaudit.performance]``, ``drift``, ``fairness`` and ``probes``.

They live with the behaviour package (not in the check modules) so that
``behaviour.evaluation``, ``mlaudit baseline`` and the SBOM read them without
importing a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlaudit.behaviour.metrics_baseline import MetricRule
from mlaudit.model import Severity


@dataclass(frozen=True)
class PerformanceOptions:
    """``[tool.mlaudit.performance]``."""

    command: str = ""
    """Evaluation command (split like a shell, run without one, in the repository root)."""
    metrics_file: str = ""
    """JSON metrics the command writes (or an existing file); empty: the command's stdout."""
    baseline: str = "metrics.baseline.json"
    """The committed baseline, relative to the root."""
    timeout: float = 600.0
    """Seconds the evaluation command may run before it is killed."""
    metrics: dict[str, MetricRule] = field(default_factory=dict)
    """Per-metric rules; metrics without a rule are recorded but not judged."""
    latency_file: str = ""
    """Per-request timings (one number per request), giving latency_p50/p95/p99."""
    latency_field: str = ""
    """Field or CSV column of the timings."""
    latency_percentiles: tuple[float, ...] = (50.0, 95.0, 99.0)
    """Percentiles of the timings reported as latency_p<N> metrics."""
    bootstrap_resamples: int = 1000
    """Resamples of the bootstrap interval of a metric with per-sample results."""
    confidence: float = 0.95
    """Confidence level of the bootstrap interval."""
    seed: int = 0
    """Seed of the bootstrap, so a verdict is reproducible."""
    severity: Severity = Severity.HIGH
    """Severity of a regression."""

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be between 0 and 1")


@dataclass(frozen=True)
class DriftOptions:
    """``[tool.mlaudit.drift]``."""

    reference: str = ""
    """Reference dataset (CSV, TSV or Parquet), relative to the root."""
    current: str = ""
    """Current dataset, same format family."""
    features: tuple[str, ...] = ()
    """Columns to compare; default: every column of the reference not in ``ignore``."""
    ignore: tuple[str, ...] = ()
    """Columns never compared (labels, ids)."""
    categorical: tuple[str, ...] = ()
    """Columns treated as categories even when numeric (codes, ids of classes)."""
    psi_threshold: float = 0.2
    """Population stability index above which a feature drifted."""
    ks_threshold: float = 0.1
    """KS statistic (largest CDF gap) above which a numeric feature drifted."""
    chi2_alpha: float = 0.0
    """Chi-square p-value below which a categorical feature drifted; 0 = report only."""
    bins: int = 10
    """Reference-quantile bins of the PSI of a numeric feature."""
    min_rows: int = 100
    """Fewer non-missing values than this on either side: no verdict."""
    max_missing_increase: float = 0.05
    """Increase of a feature's missing-value share that is reported."""
    severity: Severity = Severity.HIGH
    """Severity of a drifted feature."""

    def __post_init__(self) -> None:
        if self.bins < 2:
            raise ValueError("bins must be at least 2")
        if self.min_rows < 1:
            raise ValueError("min_rows must be at least 1")


@dataclass(frozen=True)
class FairnessOptions:
    """``[tool.mlaudit.fairness]``."""

    predictions: str = ""
    """Predictions table (CSV, TSV or Parquet), relative to the root."""
    label: str = "label"
    """Column of true labels."""
    prediction: str = "prediction"
    """Column of predicted labels; when absent from the file, ``score >= threshold`` is used."""
    score: str = ""
    """Column of scores, thresholded at ``threshold`` when ``prediction`` is absent."""
    threshold: float = 0.5
    """Score at or above which the prediction is the positive label."""
    positive_label: str = "1"
    """The favourable outcome (compared as a number when the column is numeric)."""
    sensitive: tuple[str, ...] = ()
    """Sensitive-attribute columns; each is examined on its own."""
    intersectional: bool = False
    """Also examine the intersection of all sensitive columns (e.g. sex × age band)."""
    max_demographic_parity_difference: float = 0.1
    """Largest accepted gap in selection rate between groups."""
    max_equalized_odds_difference: float = 0.1
    """Largest accepted gap in true- or false-positive rate between groups."""
    min_disparate_impact_ratio: float = 0.8
    """The four-fifths rule."""
    min_group_size: int = 30
    """Smaller groups are shown but not compared."""
    bootstrap: int = 0
    """Bootstrap resamples for intervals of the gaps; 0 = none."""
    beyond_noise: bool = False
    """With ``bootstrap``: a gap fails only when its whole interval is beyond the threshold;
    one that noise could explain is reported as ``fairness.inconclusive`` (info)."""
    confidence: float = 0.95
    """Confidence level of the bootstrap intervals."""
    seed: int = 0
    """Seed of the bootstrap, so a verdict is reproducible."""
    severity: Severity = Severity.HIGH
    """Severity of a gap beyond its threshold."""


@dataclass(frozen=True)
class ProbesOptions:
    """``[tool.mlaudit.probes]``."""

    command: str = ""
    """Generate command: one run per probe, ``{"prompt": ...}`` on stdin, ``{"output": ...}`` on stdout."""
    url: str = ""
    """HTTP endpoint taking the same JSON by POST (instead of ``command``)."""
    headers_from_env: dict[str, str] = field(default_factory=dict)
    """HTTP headers whose values come from environment variables (``{Authorization = "MODEL_TOKEN"}``):
    secrets stay out of the configuration."""
    response_field: str = "output"
    """Field of the command's or endpoint's JSON answer that holds the model output."""
    probe_sets: tuple[str, ...] = ()
    """JSONL probe files, relative to the root."""
    builtin: bool = True
    """Also run the built-in probe set (harm categories, prompt injection, benign prompts)."""
    timeout: float = 30.0
    """Seconds per call."""
    max_calls: int = 200
    """At most this many probes are sent (round-robin over categories)."""
    detector: Literal["refusal", "keyword", "command"] = "refusal"
    """How a refusal is recognised: built-in refusal phrases, only ``refusal_patterns``, or ``detector_command``."""
    refusal_patterns: tuple[str, ...] = ()
    """Extra refusal regexes (``refusal``) or the only ones (``keyword``)."""
    detector_command: str = ""
    """For ``detector = "command"``: prints ``{"refused": bool}`` for the JSON probe+output on stdin."""
    min_pass_rate: float = 1.0
    """Pass rate each category must reach (unless ``thresholds`` names it)."""
    thresholds: dict[str, float] = field(default_factory=dict)
    """Minimum pass rate per category (overrides ``min_pass_rate``)."""
    garak_report: str = ""
    """A garak ``report.jsonl`` imported as evidence (categories ``garak/<module>``)."""
    severity: Severity = Severity.HIGH
    """Severity of a category below its threshold."""

    def __post_init__(self) -> None:
        if self.command and self.url:
            raise ValueError("set either command or url, not both")
        if self.detector == "command" and not self.detector_command:
            raise ValueError("detector = 'command' needs detector_command")
        if self.detector == "keyword" and not self.refusal_patterns:
            raise ValueError("detector = 'keyword' needs refusal_patterns")
        if self.max_calls < 1 or self.timeout <= 0:
            raise ValueError("max_calls and timeout must be positive")
