"""Answers of the vulnerability database, cached by (package, version, database).

A local snapshot never changes its answers, so they are kept for good; a public
service learns new advisories, so its answers expire after ``max_age_s``.
Stored by ``mlaudit.store.entry_file``: replaced atomically and merged on save,
so two audits at once lose nothing; a corrupt or foreign file is discarded,
never trusted.
"""

from __future__ import annotations

import time
from pathlib import Path

from mlaudit.store.entry_file import EntryFile
from mlaudit.vulns.pip_audit_runner import Advisory

CACHE_VERSION = 2


def _valid(key: str, value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("at"), (int, float))
            and isinstance(value.get("vulns"), list))


class AnswerCache:
    """``get``/``put`` advisories of (canonical name, version) for one database id."""

    def __init__(self, path: Path, database: str, *, max_age_s: float | None) -> None:
        self.path = path
        self.database = database
        self.max_age_s = max_age_s
        self._file = EntryFile(path, version=CACHE_VERSION, valid=_valid)

    def _key(self, name: str, version: str) -> str:
        return f"{self.database}\0{name}=={version}"

    def get(self, name: str, version: str) -> tuple[Advisory, ...] | None:
        """The cached advisories, or None when unknown or expired."""
        entry = self._file.get(self._key(name, version))
        if not isinstance(entry, dict):
            return None
        if self.max_age_s is not None and time.time() - float(entry.get("at", 0)) >= self.max_age_s:
            return None
        try:
            return tuple(Advisory.from_json(v) for v in entry["vulns"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, name: str, version: str, advisories: tuple[Advisory, ...]) -> None:
        """Remember an answer (saved by ``save``)."""
        self._file.set(self._key(name, version), {"at": time.time(), "vulns": [a.to_json() for a in advisories]})

    def save(self) -> None:
        """Merge new answers into the file on disk, atomically."""
        self._file.save()
