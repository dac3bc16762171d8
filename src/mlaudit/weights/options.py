"""``[tool.mlaudit.weights]``: where the manifest lives and which files are weights."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeightsOptions:
    """``[tool.mlaudit.weights]``."""

    manifest: str = "weights.lock.json"
    """Path of the manifest, relative to the repository root."""
    include: tuple[str, ...] = ()
    """Extra globs of weight files (beyond the known extensions and magic bytes)."""
    exclude: tuple[str, ...] = ()
    """Globs of files never treated as weights."""
    detect_by_content: bool = True
    """Also recognise weight files by magic bytes, whatever their extension."""
    workers: int = 0
    """Hashing threads; 0 means one per core."""
