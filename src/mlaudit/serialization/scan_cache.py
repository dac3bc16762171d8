"""The scan cache: findings of files unchanged since their last scan, so the hook and the audit do not rescan.

Keyed like the weight hash cache (``mlaudit.store.hash_cache.stat_key``: size,
mtime, ctime, inode), per repository root and per policy (the options, the
mlaudit version and a stamp of the scanner's modules are part of the file
name, so changing the allow-list, upgrading or patching a parser rescans
everything). Files changed within the timestamp granularity
of the scan are not stored ("racily clean"). Written atomically; a corrupt
cache is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from mlaudit import __version__
from mlaudit.formats.bounded_json import loads_json
from mlaudit.model import Finding, Severity
from mlaudit.options import options_to_json
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.options import SerializationOptions
from mlaudit.store.atomic_file import write_json_atomic
from mlaudit.store.hash_cache import RACY_WINDOW_NS, stat_key

CACHE_VERSION = 1


class ScanCache:
    """Cached ``FileReport``s of one repository under one policy."""

    def __init__(self, cache_dir: Path, root: Path, options: SerializationOptions) -> None:
        policy = json.dumps([CACHE_VERSION, __version__, _code_stamp(), options_to_json(options)], sort_keys=True)
        key = hashlib.sha256(f"{root.resolve()}\0{policy}".encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = cache_dir / "serialization" / f"{key}.json"
        self._root = root
        self._entries = self._read()
        self._dirty = False

    def _read(self) -> dict[str, Any]:
        try:
            data = loads_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, rel: str) -> FileReport | None:
        """The cached report of ``rel`` when the file is unchanged, else None."""
        entry = self._entries.get(rel)
        if not isinstance(entry, dict):
            return None
        try:
            if list(stat_key(os.stat(self._root / rel))) != entry["stat"]:
                return None
            report = FileReport(rel, parsers=list(entry["parsers"]), unscanned=list(entry["unscanned"]))
            report.findings = [_finding(f) for f in entry["findings"]]
            report.companions = list(entry.get("companions", []))
        except (OSError, KeyError, TypeError, ValueError):
            return None
        return report

    def put(self, rel: str, report: FileReport) -> None:
        """Remember ``report`` for the file as it is now (unless it changed too recently to trust)."""
        try:
            st = os.stat(self._root / rel)
        except OSError:
            return
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_WINDOW_NS:
            return
        self._entries[rel] = {
            "stat": list(stat_key(st)),
            "parsers": report.parsers,
            "unscanned": report.unscanned,
            "findings": [_finding_json(f) for f in report.findings],
            "companions": report.companions,
        }
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically (merged with entries another process saved meanwhile)."""
        if not self._dirty:
            return
        merged = {**self._read(), **self._entries}
        try:
            write_json_atomic(self.path, merged)
        except OSError:
            return  # a cache that cannot be written only costs a rescan


def _code_stamp() -> str:
    """Size and mtime of the scanner's own modules: a changed parser or policy never reuses old results."""
    import mlaudit.formats
    import mlaudit.serialization

    parts = []
    for package in (mlaudit.formats, mlaudit.serialization):
        for folder in package.__path__:
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity.value, "message": finding.message,
            "path": finding.path, "remediation": finding.remediation, "key": finding.key,
            "details": dict(finding.details)}


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(rule=data["rule"], severity=Severity(data["severity"]), message=data["message"],
                   path=data["path"], remediation=data["remediation"], key=data["key"],
                   details=data["details"])
