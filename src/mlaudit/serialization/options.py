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
    """Severity of an import on neither list that the pickle only names; one that loading calls is ``high``."""
    mislabelled_severity: Severity = Severity.MEDIUM
    """Severity of a file whose content is not the format its name says."""
    unscanned_severity: Severity = Severity.HIGH
    """Severity of a file (or part of one) a loader would read but mlaudit could not scan (fail closed)."""
    max_archive_depth: int = 3
    """How many archives deep members are scanned."""
    max_expanded_mb: int = 16384
    """Most bytes one file may expand to, all its members and nesting levels together (decompression bombs)."""
    max_expansion_ratio: int = 1000
    """A file may expand to this many times its size (at least 256 MiB, at most ``max_expanded_mb``)."""
    max_scan_seconds: int = 300
    """Most seconds spent expanding one file."""
    max_audit_expanded_mb: int = 65536
    """Most bytes all files of one run may expand to together."""
    max_audit_scan_seconds: int = 900
    """Most seconds one run spends expanding files in all."""
    cache: bool = True
    """Reuse the findings of content already scanned (keyed by the content's Git blob id)."""

    def __post_init__(self) -> None:
        if self.max_archive_depth < 0 or self.max_expanded_mb <= 0:
            raise ValueError("max_archive_depth must be >= 0 and max_expanded_mb > 0")
        if min(self.max_expansion_ratio, self.max_scan_seconds, self.max_audit_expanded_mb,
               self.max_audit_scan_seconds) <= 0:
            raise ValueError("max_expansion_ratio, max_scan_seconds, max_audit_expanded_mb and "
                             "max_audit_scan_seconds must be > 0")
