"""The licence scan cache: Git blob id -> what scancode found in that content.

Keyed by content (the Git blob id), so a file is scanned again only when its
content changed, whatever its path, branch or mtime; one cache serves every
repository. The scancode version is part of the file name, so a new scancode
never reuses old results. Saved atomically and merged with what another
process wrote meanwhile; a corrupt cache is discarded, never trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlaudit.formats.bounded_json import loads_json
from mlaudit.store.atomic_file import write_json_atomic

CACHE_VERSION = 1
_BLOB = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class CachedScan:
    """scancode's answer for one content: SPDX expression or None, first line, share of licence text."""

    expression: str | None
    start_line: int | None
    license_text_percent: float
    binary: bool = False


class ScanCache:
    """Blob id -> ``CachedScan``, loaded once, saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rebuilt = False
        self._entries = self._read()
        self._new: dict[str, list[object]] = {}

    def _read(self) -> dict[str, list[object]]:
        try:
            data = loads_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            self.rebuilt = True
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and _BLOB.match(k) and isinstance(v, list) and len(v) == 4 for k, v in entries.items()
        ):
            self.rebuilt = True
            return {}
        return entries

    def get(self, blob: str) -> CachedScan | None:
        """The cached result for a blob id, or None."""
        value = self._new.get(blob) or self._entries.get(blob)
        if value is None:
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
        self._new[blob] = [scan.expression, scan.start_line, scan.license_text_percent, scan.binary]

    def save(self) -> None:
        """Write new entries, merged with the file as it is now (another process may have written it)."""
        if not self._new:
            return
        merged = {**self._read_quietly(), **self._entries, **self._new}
        write_json_atomic(self.path, {"version": CACHE_VERSION, "entries": merged})
        self._entries, self._new = merged, {}

    def _read_quietly(self) -> dict[str, list[object]]:
        was = self.rebuilt
        entries = self._read()
        self.rebuilt = was
        return entries
