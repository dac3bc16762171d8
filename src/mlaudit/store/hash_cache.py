"""Digest caches, so unchanged files are never re-hashed.

Two caches, both JSON files under the cache directory:

- the **stat cache**, one file per repository root: (path, size, mtime_ns,
  ctime_ns, inode) -> SHA-256;
- the **content cache**, shared by every root: Git blob id -> (size, SHA-256).
  A blob id names content, so the answer holds in any clone or worktree of any
  repository: a fresh CI checkout, or the base worktree of a pull request,
  hashes only what Git has never seen hashed. Only files Git reports as
  unmodified carry a blob id.

Both are safe when two processes run at once: writes go to a temporary file
renamed over the old one (readers see the old or the new file, never half of
one), and a save merges the entries another process wrote meanwhile. A cache
that cannot be read or does not have the expected shape is discarded and
rebuilt, never trusted; the caller can see that it happened (``rebuilt``).

Like Git's index, an entry is "racily clean" when the file changed within the
timestamp granularity of when it was hashed; such entries are not stored, so a
write right after hashing can never hide behind an unchanged stat.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from mlaudit.formats.bounded_json import loads_json
from mlaudit.store.atomic_file import write_json_atomic

CACHE_VERSION = 1
RACY_WINDOW_NS = 2_000_000_000
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_BLOB_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")

StatKey = tuple[int, int, int, int]


def stat_key(st: os.stat_result) -> StatKey:
    """What must be unchanged for a cached digest to be trusted."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def cache_file_for(cache_dir: Path, root: Path) -> Path:
    """The stat cache file of one repository root."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir / "hashes" / f"{key}.json"


def content_cache_file(cache_dir: Path) -> Path:
    """The content cache file, shared by every repository."""
    return cache_dir / "hashes" / "content.json"


def _is_racy(st: os.stat_result) -> bool:
    return time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_WINDOW_NS


class _EntryFile:
    """A JSON file of ``{"version": 1, "entries": {key: [...]}}``, loaded lazily, saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rebuilt = False
        """True when an existing cache file was unreadable or corrupt and was discarded."""
        self._entries: dict[str, list[object]] | None = None
        self._dirty = False

    @staticmethod
    def _valid(key: str, value: object) -> bool:
        raise NotImplementedError

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
            data = loads_json(raw)
            entries = data.get("entries") if data.get("version") == CACHE_VERSION else None
            if not isinstance(entries, dict) or not all(self._valid(k, v) for k, v in entries.items()):
                raise ValueError("unexpected cache layout")
        except (ValueError, TypeError, AttributeError):
            self.rebuilt = True
            return {}
        return entries

    def _set(self, key: str, value: list[object]) -> None:
        entries = self._load()
        if entries.get(key) != value:
            entries[key] = value
            self._dirty = True

    def save(self) -> None:
        """Write the cache atomically, merged with what other processes wrote meanwhile."""
        if not self._dirty or self._entries is None:
            return
        was_rebuilt = self.rebuilt
        merged = {**self._read(), **self._entries}
        self.rebuilt = was_rebuilt
        write_json_atomic(self.path, {"version": CACHE_VERSION, "entries": merged})
        self._dirty = False


class ContentDigests(_EntryFile):
    """Git blob id -> (size, SHA-256), valid in any repository."""

    @staticmethod
    def _valid(key: str, value: object) -> bool:
        return (
            bool(_BLOB_ID.match(key))
            and isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], int)
            and not isinstance(value[0], bool)
            and isinstance(value[1], str)
            and bool(_HEX64.match(value[1]))
        )

    def get(self, blob_id: str, size: int) -> str | None:
        """The digest of that content, when known and of that size."""
        value = self._load().get(blob_id)
        return str(value[1]) if value is not None and value[0] == size else None

    def put(self, blob_id: str, size: int, digest: str) -> None:
        """Remember the digest of that content."""
        self._set(blob_id, [size, digest])


class HashCache(_EntryFile):
    """Stat cache of one repository, backed by the shared content cache when Git knows the files."""

    def __init__(
        self,
        path: Path,
        *,
        content: ContentDigests | None = None,
        blob_ids: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__(path)
        self.content = content
        self._blob_ids_source = blob_ids
        self._blob_ids: Mapping[str, str] | None = None
        self._listed_at_ns = 0

    @staticmethod
    def _valid(key: str, value: object) -> bool:
        return (
            isinstance(value, list)
            and len(value) == 5
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:4])
            and isinstance(value[4], str)
            and bool(_HEX64.match(value[4]))
        )

    def _blob_id(self, rel_path: str) -> str | None:
        if self.content is None or self._blob_ids_source is None:
            return None
        if self._blob_ids is None:  # asked only on the first stat-cache miss: Git costs a few ms
            self._listed_at_ns = time.time_ns()
            self._blob_ids = self._blob_ids_source()
        return self._blob_ids.get(rel_path)

    def get(self, rel_path: str, st: os.stat_result) -> str | None:
        """The cached digest when the file's stat is unchanged or Git knows its content, else None."""
        value = self._load().get(rel_path)
        if value is not None and tuple(value[:4]) == stat_key(st):
            return str(value[4])
        blob = self._blob_id(rel_path)
        if blob is None or self.content is None:
            return None
        return self.content.get(blob, st.st_size)

    def put(self, rel_path: str, st: os.stat_result, digest: str) -> None:
        """Remember a digest, unless the file is too recently changed to trust its stat."""
        if _is_racy(st):
            return
        self._set(rel_path, [*stat_key(st), digest])
        blob = self._blob_id(rel_path)
        # Git vouched for the content when it listed the blob ids: a file changed since
        # then must not teach the shared cache a wrong digest for that blob.
        if blob is not None and self.content is not None and st.st_mtime_ns < self._listed_at_ns:
            self.content.put(blob, st.st_size, digest)

    def save(self) -> None:
        """Write both caches atomically."""
        super().save()
        if self.content is not None:
            self.content.save()
