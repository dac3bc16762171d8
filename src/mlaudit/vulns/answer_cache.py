"""Answers of the vulnerability database, cached by (package, version, database).

A local snapshot never changes its answers, so they are kept for good; a public
service learns new advisories, so its answers expire after ``max_age_s``. The
file is replaced atomically and merged on save, so two audits at once lose
nothing; a corrupt file is discarded, never trusted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mlaudit.formats.bounded_json import loads_json
from mlaudit.store.atomic_file import write_json_atomic
from mlaudit.vulns.pip_audit_runner import Advisory


def _key(name: str, version: str) -> str:
    return f"{name}=={version}"


class AnswerCache:
    """``get``/``put`` advisories of (canonical name, version) for one database id."""

    def __init__(self, path: Path, database: str, *, max_age_s: float | None) -> None:
        self.path = path
        self.database = database
        self.max_age_s = max_age_s
        self._entries: dict[str, Any] = self._load().get(database, {})
        self._new: dict[str, Any] = {}

    def _load(self) -> dict[str, Any]:
        try:
            data = loads_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()) else {}

    def get(self, name: str, version: str) -> tuple[Advisory, ...] | None:
        """The cached advisories, or None when unknown or expired."""
        entry = self._new.get(_key(name, version)) or self._entries.get(_key(name, version))
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
        self._new[_key(name, version)] = {"at": time.time(), "vulns": [a.to_json() for a in advisories]}

    def save(self) -> None:
        """Merge new answers into the file on disk, atomically."""
        if not self._new:
            return
        data = self._load()
        data.setdefault(self.database, {}).update(self._new)
        write_json_atomic(self.path, data)
        self._entries.update(self._new)
        self._new = {}
