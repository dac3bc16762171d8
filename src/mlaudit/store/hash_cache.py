"""The stat cache: (path, size, mtime_ns, ctime_ns, inode) -> SHA-256, so unchanged files are never re-hashed.

One JSON file per repository root under the cache directory. Safe when two
processes run at once: writes go to a temporary file renamed over the old one
(readers see the old or the new file, never half of one), and a save merges the
entries another process wrote meanwhile. A cache that cannot be read or does not
have the expected shape is discarded and rebuilt, never trusted; the caller can
see that it happened (``rebuilt``).

Like Git's index, an entry is "racily clean" when the file changed within the
timestamp granularity of when it was hashed; such entries are not stored, so a
write right after hashing can never hide behind an unchanged stat.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

from mlaudit.store.atomic_file import write_json_atomic

CACHE_VERSION = 1
RACY_WINDOW_NS = 2_000_000_000
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

StatKey = tuple[int, int, int, int]


def stat_key(st: os.stat_result) -> StatKey:
    """What must be unchanged for a cached digest to be trusted."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def cache_file_for(cache_dir: Path, root: Path) -> Path:
    """The cache file of one repository root."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir / "hashes" / f"{key}.json"


class HashCache:
    """Digest cache of one repository, loaded lazily, saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rebuilt = False
        """True when an existing cache file was unreadable or corrupt and was discarded."""
        self._entries: dict[str, list[object]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, list[object]]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, list[object]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError:
            self.rebuilt = True
            return {}
        try:
            data = json.loads(raw)
            if data.get("version") != CACHE_VERSION or not isinstance(data.get("entries"), dict):
                raise ValueError("unexpected cache layout")
            entries = data["entries"]
            for value in entries.values():
                _validate(value)
        except (ValueError, TypeError, AttributeError):
            self.rebuilt = True
            return {}
        return entries  # type: ignore[no-any-return]

    def get(self, rel_path: str, st: os.stat_result) -> str | None:
        """The cached digest when the file's stat is unchanged, else None."""
        value = self._load().get(rel_path)
        if value is None or tuple(value[:4]) != stat_key(st):
            return None
        return str(value[4])

    def put(self, rel_path: str, st: os.stat_result, digest: str) -> None:
        """Remember a digest, unless the file is too recently changed to trust its stat."""
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        if time.time_ns() - newest < RACY_WINDOW_NS:
            return
        entries = self._load()
        value: list[object] = [*stat_key(st), digest]
        if entries.get(rel_path) != value:
            entries[rel_path] = value
            self._dirty = True

    def save(self) -> None:
        """Write the cache atomically, merged with what other processes wrote meanwhile."""
        if not self._dirty or self._entries is None:
            return
        merged = {**self._read_quietly(), **self._entries}
        write_json_atomic(self.path, {"version": CACHE_VERSION, "entries": merged})
        self._dirty = False

    def _read_quietly(self) -> dict[str, list[object]]:
        was_rebuilt = self.rebuilt
        entries = self._read()
        self.rebuilt = was_rebuilt
        return entries


def _validate(value: object) -> None:
    if not (
        isinstance(value, list)
        and len(value) == 5
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:4])
        and isinstance(value[4], str)
        and _HEX64.match(value[4])
    ):
        raise ValueError("malformed cache entry")
