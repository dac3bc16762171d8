"""The licence scan cache: Git blob id -> what scancode found in that content.

Keyed by content (the Git blob id), so a file is scanned again only when its
content changed, whatever its path, branch or mtime; one cache serves every
repository. Texts that are not whole files (a source file's licence regions, a
dependency's licence string) are keyed by ``text_key``, a SHA-256 of the text.
The scancode version is part of the file name, so a new scancode
never reuses old results. Stored by ``mlaudit.store.entry_file``: saved
atomically and merged with what another process wrote meanwhile; a corrupt or
foreign cache is discarded, never trusted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mlaudit.store.entry_file import EntryFile

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


def _valid(key: str, value: object) -> bool:
    return bool(_BLOB.match(key)) and isinstance(value, list) and len(value) in (4, 5)


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
        self._file.set(blob, [*entry, True] if scan.needs_whole_file else entry)

    def save(self) -> None:
        """Write new entries, merged with the file as it is now (another process may have written it)."""
        self._file.save()
