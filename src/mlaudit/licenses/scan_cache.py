"""The licence scan cache: Git blob id -> what scancode found in that content.

Keyed by content (the Git blob id), so a file is scanned again only when its
content changed, whatever its path, branch or mtime; one cache serves every
repository. Texts that are not whole files (a source file's licence regions, a
dependency's licence string) are keyed by ``text_key``, a SHA-256 of the text.
The scancode version is part of the file name, so a new scancode
never reuses old results. Saved atomically and merged with what another
process wrote meanwhile; a corrupt cache is discarded, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from mlaudit.store.atomic_file import write_json_atomic

CACHE_VERSION = 1
_BLOB = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class CachedScan:
    """scancode's answer for one content: SPDX expression or None, first line, share of licence text.

    ``needs_whole_file`` marks the answer for a source file's licence regions that
    scancode matched only approximately: the regions alone do not decide, the whole
    file is scanned instead.
    """

    expression: str | None
    start_line: int | None
    license_text_percent: float
    binary: bool = False
    needs_whole_file: bool = False


def text_key(kind: str, text: str) -> str:
    """The cache key of a text that is not a whole file (a file's licence regions, a licence string).

    A SHA-256 over the kind and the text: it cannot collide with a file's Git blob id
    (SHA-1, or SHA-256 over ``blob <size>\\0``), and two kinds never share an answer.
    """
    digest = hashlib.sha256(f"mlaudit-licence-text\0{kind}\0".encode())
    digest.update(text.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


class ScanCache:
    """Blob id -> ``CachedScan``, loaded once, saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rebuilt = False
        self._entries = self._read()
        self._new: dict[str, list[object]] = {}

    def _read(self) -> dict[str, list[object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            self.rebuilt = True
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and _BLOB.match(k) and isinstance(v, list) and len(v) in (4, 5)
            for k, v in entries.items()
        ):
            self.rebuilt = True
            return {}
        return entries

    def get(self, blob: str) -> CachedScan | None:
        """The cached result for a blob id, or None."""
        value = self._new.get(blob) or self._entries.get(blob)
        if value is None:
            return None
        expression, line, percent, binary, *rest = value
        return CachedScan(
            expression if isinstance(expression, str) else None,
            line if isinstance(line, int) else None,
            float(percent) if isinstance(percent, (int, float)) else 0.0,
            bool(binary),
            bool(rest and rest[0]),
        )

    def put(self, blob: str, scan: CachedScan) -> None:
        """Remember the result for a blob id."""
        entry: list[object] = [scan.expression, scan.start_line, scan.license_text_percent, scan.binary]
        self._new[blob] = [*entry, True] if scan.needs_whole_file else entry

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
