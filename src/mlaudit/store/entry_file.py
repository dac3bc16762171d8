"""One JSON file of cache entries: the storage of every mlaudit cache.

The weight digest caches, the licence scan cache, the serialization scan cache
and the vulnerability answers all keep ``{"version": N, "entries": {key: value}}``
in a file of the user's cache folder. This module is the one place that reads
and writes such a file, with the rules every cache shares:

- **an optimisation, never evidence**: a file that cannot be read, is too large,
  too deeply nested, not valid JSON, of another version, holds one entry the
  cache's ``valid`` rule rejects (poisoned), or is not the user's own (another
  owner, or writable by group/others: foreign) is discarded whole and rebuilt;
  ``rebuilt`` tells the caller it happened;
- **atomic**: saved to a temporary file renamed over the old one
  (``store.atomic_file``), so a reader sees the old or the new file;
- **merged**: a save re-reads the file and keeps the entries another process
  wrote meanwhile (its own entries win on the same key);
- **best effort**: a cache that cannot be written only costs the work again.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from mlaudit.store.atomic_file import write_json_atomic

MAX_BYTES = 256 * 1024 * 1024
"""A cache file larger than this is not read (discarded and rebuilt)."""
MAX_DEPTH = 32
"""Nesting deeper than this in a cache file is not read (discarded and rebuilt)."""

EntryRule = Callable[[str, object], bool]


class CacheRejected(ValueError):
    """A cache file that must not be trusted (why, for tests and diagnostics)."""


def _depth_within(value: object, limit: int) -> bool:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def read_entries(path: Path, version: int, valid: EntryRule, *, max_bytes: int = MAX_BYTES,
                 max_depth: int = MAX_DEPTH) -> dict[str, object] | None:
    """The entries of a cache file; None when there is no file; ``CacheRejected`` when it cannot be trusted."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheRejected(f"unreadable: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise CacheRejected("not a regular file")
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
            raise CacheRejected("foreign: not owned by this user, or writable by others")
        if st.st_size > max_bytes:
            raise CacheRejected(f"larger than {max_bytes} bytes")
        raw = fh.read(max_bytes + 1)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise CacheRejected("not JSON") from None
    if not _depth_within(data, max_depth):
        raise CacheRejected(f"nested deeper than {max_depth}")
    entries = data.get("entries") if isinstance(data, dict) and data.get("version") == version else None
    if not isinstance(entries, dict):
        raise CacheRejected("unexpected layout or version")
    for key, value in entries.items():
        if not valid(key, value):
            raise CacheRejected(f"invalid entry {key[:80]!r}")
    return entries


class EntryFile:
    """The entries of one cache file, loaded on first use and saved atomically, merged with the disk."""

    def __init__(self, path: Path, *, version: int, valid: EntryRule) -> None:
        self.path = path
        self.version = version
        self._valid = valid
        self.rebuilt = False
        """True when an existing file was unreadable, corrupt, poisoned or foreign and was discarded."""
        self.rejected = ""
        """Why the file was discarded (empty when it was not)."""
        self._entries: dict[str, object] | None = None
        self._changed: dict[str, object] = {}

    def _read(self) -> dict[str, object]:
        try:
            return read_entries(self.path, self.version, self._valid) or {}
        except CacheRejected as exc:
            self.rebuilt, self.rejected = True, str(exc)
            return {}

    @property
    def entries(self) -> Mapping[str, object]:
        """Every entry (read from the file on first use)."""
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def get(self, key: str) -> object | None:
        """The value of ``key``, or None."""
        return self.entries.get(key)

    def set(self, key: str, value: object) -> None:
        """Remember ``value`` for ``key`` (written by ``save``); a value must pass the cache's rule."""
        if not self._valid(key, value):
            raise ValueError(f"cache entry {key!r} does not have the cache's shape")
        current = self.entries
        if current.get(key) != value:
            assert self._entries is not None
            self._entries[key] = value
            self._changed[key] = value

    def save(self) -> bool:
        """Write the file if anything changed, merged with what is on disk now; False when it could not be written."""
        if not self._changed:
            return True
        try:
            on_disk = read_entries(self.path, self.version, self._valid) or {}
        except CacheRejected:
            on_disk = {}
        merged = {**on_disk, **self._changed}
        try:
            write_json_atomic(self.path, {"version": self.version, "entries": merged})
        except OSError:
            return False
        self._entries = {**merged, **(self._entries or {})}
        self._changed = {}
        return True
