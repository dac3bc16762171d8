"""Model behaviour gates: running the user's commands and judging what they produce.

One module per job: ``command_runner`` (subprocesses with timeouts),
``metrics_baseline`` (metrics files, the committed baseline, per-metric rules),
``bootstrap`` (confidence intervals), ``latency`` (percentiles of per-request
timings), ``tabular_data`` (CSV/Parquet loading), ``drift_statistics``,
``fairness_metrics``, ``probe_sets``, ``probe_targets``, ``probe_detectors`` and
``garak_report``. Heavy libraries (numpy, pandas, scipy, fairlearn) are imported
inside the functions that need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.errors import CheckError, CheckSkipped

if TYPE_CHECKING:
    from mlaudit.context import AuditContext


def require_configuration(ctx: AuditContext, section: str, present: bool, needs: str) -> None:
    """Raise ``CheckSkipped("not configured: …")`` unless ``[tool.mlaudit.<section>]`` sets ``needs``.

    The behaviour gates need inputs only the user can name (a command, a
    dataset); without them the check does not apply, which is never a pass.
    """
    if section not in ctx.config.tables or not present:
        raise CheckSkipped(f"not configured: set {needs} in [{ctx.config.prefix}{section}]")


def inside_root(root: Path, rel: str, key: str) -> Path:
    """``root / rel`` resolved, refusing paths that leave the repository (``../``, symlinks out, /etc/...)."""
    from mlaudit.repo_paths import OutsideRepository, resolve_in_repo, shown

    try:
        return resolve_in_repo(root, rel, expect="file").real
    except OutsideRepository as exc:
        raise CheckError(f"'{key}' = {shown(rel)} cannot be used (outside the repository): {exc.reason}") from None
