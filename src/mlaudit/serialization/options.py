"""``[tool.mlaudit.serialization]``: the policy's additions, severities and limits."""

from __future__ import annotations

from dataclasses import dataclass

from mlaudit.model import Severity

DEFAULT_INCLUDE = (
    "saved_model.pb", "*.pickle", "*.pkl.gz", "*.pkl.bz2", "*.pkl.xz", "*.joblib.gz", "*.tar",
    "*.tar.gz", "*.tgz", "*.hdf5",
)


@dataclass(frozen=True)
class SerializationOptions:
    """Options of the ``serialization`` check, the ``mlaudit-unsafe-models`` hook and ``mlaudit scan``."""

    allow: tuple[str, ...] = ()
    """Extra imports real checkpoints of this project use: ``module.name``, ``module.*``, ``package.**``."""
    deny: tuple[str, ...] = ()
    """Extra imports to treat as dangerous (severity ``high``)."""
    include: tuple[str, ...] = DEFAULT_INCLUDE
    """Globs of files to scan besides the weight files (SavedModels, pickles, archives)."""
    exclude: tuple[str, ...] = ()
    """Globs of files never scanned."""
    unknown_import_severity: Severity = Severity.MEDIUM
    """Severity of an import on neither list (and of Keras layers from unknown modules)."""
    mislabelled_severity: Severity = Severity.MEDIUM
    """Severity of a file whose content is not the format its name says."""
    unscanned_severity: Severity = Severity.MEDIUM
    """Severity of a file (or part of one) that could not be scanned."""
    max_archive_depth: int = 3
    """How many archives deep members are scanned."""
    max_expanded_mb: int = 16384
    """Most bytes a compressed stream may expand to (decompression bombs)."""
    cache: bool = True
    """Reuse the findings of files unchanged since the last scan (same size, mtime, inode)."""

    def __post_init__(self) -> None:
        if self.max_archive_depth < 0 or self.max_expanded_mb <= 0:
            raise ValueError("max_archive_depth must be >= 0 and max_expanded_mb > 0")
