"""The licence scan cache: Git blob id -> what scancode found in that content.

Keyed by content (the Git blob id), so a file is scanned again only when its
content changed, whatever its path, branch or mtime; one cache serves every
repository. The scancode version is part of the file name, so a new scancode
never reuses old results. Stored by ``mlaudit.store.entry_file``: saved
atomically and merged with what another process wrote meanwhile; a corrupt or
foreign cache is discarded, never trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlaudit.store.entry_file import EntryFile

CACHE_VERSION = 1
_BLOB = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class CachedScan:
    """scancode's answer for one content: SPDX expression or None, first line, share of licence text."""

    expression: str | None
    start_line: int | None
    license_text_percent: float
    binary: bool = False


def _valid(key: str, value: object) -> bool:
    return bool(_BLOB.match(key)) and isinstance(value, list) and len(value) == 4


class ScanCache:
    """Blob id -> ``CachedScan``, loaded once, saved atomically (``store.entry_file``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = EntryFile(path, version=CACHE_VERSION, valid=_valid)
        self._file.entries  # noqa: B018 - read now, so ``rebuilt`` is known from the start

    @property
    def rebuilt(self) -> bool:
        """True when an existing cache file was unreadable, corrupt or foreign and was discarded."""
        return self._file.rebuilt

    def get(self, blob: str) -> CachedScan | None:
        """The cached result for a blob id, or None."""
        value = self._file.get(blob)
        if not isinstance(value, list):
            return None
        expression, line, percent, binary = value
        return CachedScan(
            expression if isinstance(expression, str) else None,
            line if isinstance(line, int) else None,
            float(percent) if isinstance(percent, (int, float)) else 0.0,
            bool(binary),
        )

    def put(self, blob: str, scan: CachedScan) -> None:
        """Remember the result for a blob id."""
        self._file.set(blob, [scan.expression, scan.start_line, scan.license_text_percent, scan.binary])

    def save(self) -> None:
        """Write new entries, merged with the file as it is now (another process may have written it)."""
        self._file.save()
