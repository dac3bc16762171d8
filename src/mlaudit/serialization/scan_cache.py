"""The scan cache: findings by content, so the hook and the audit do not rescan what they already judged.

Keyed by the content that was scanned, never by a stat taken after the scan:
the scanner hashes the very file descriptor it scans (Git's blob id,
``sha1("blob <size>\\0" + content)``) and checks with ``fstat`` that the file
did not change while it was read; only then is the report stored, under that
id. A lookup uses the blob id Git reports for a clean tracked file (Git's own
index checks inode, ctime, mtime and size, and re-hashes racily clean entries),
and otherwise hashes the file. A file swapped by rename during or between
audits has another id and is rescanned. Per repository root and per policy (the
options, the mlaudit version and a stamp of the scanner's modules are part of
the file name). Stored by ``mlaudit.store.entry_file``: written atomically,
merged; a corrupt or foreign cache is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from mlaudit import __version__
from mlaudit.model import Finding, Severity
from mlaudit.options import options_to_json
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.options import SerializationOptions
from mlaudit.store.entry_file import EntryFile
from mlaudit.store.hash_cache import RACY_WINDOW_NS

CACHE_VERSION = 3
_LIST_FIELDS = ("parsers", "unscanned", "findings")
_CHUNK = 1 << 20


def _valid(key: str, value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(f), list) for f in _LIST_FIELDS)


class ScanCache:
    """Cached ``FileReport``s of one repository under one policy."""

    def __init__(self, cache_dir: Path, root: Path, options: SerializationOptions) -> None:
        policy = json.dumps([CACHE_VERSION, __version__, _code_stamp(), options_to_json(options)], sort_keys=True)
        key = hashlib.sha256(f"{root.resolve()}\0{policy}".encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = cache_dir / "serialization" / f"{key}.json"
        self._root = root
        self._file = EntryFile(self.path, version=CACHE_VERSION, valid=_valid)
        self._clean: dict[str, str] | None = None

    def get(self, rel: str) -> FileReport | None:
        """The cached report of ``rel``'s current content, else None."""
        key = self._blob_ids().get(rel) or content_id(self._root / rel)
        entry = self._file.get(key) if key else None
        if not isinstance(entry, dict):
            return None
        try:
            report = FileReport(rel, parsers=list(entry["parsers"]), unscanned=list(entry["unscanned"]))
            report.findings = [_finding(f, rel) for f in entry["findings"]]
            report.companions = list(entry.get("companions", []))
            report.not_model = entry.get("not_model")
            report.raw_data = entry.get("raw_data")
        except (KeyError, TypeError, ValueError):
            return None
        report.content_key = key
        return report

    def put(self, rel: str, report: FileReport) -> None:
        """Remember ``report`` under the id of the content it scanned (nothing when that is not known)."""
        key = report.content_key
        if key is None:
            return
        self._file.set(key, {
            "parsers": report.parsers,
            "unscanned": report.unscanned,
            "findings": [_finding_json(f) for f in report.findings],
            "companions": report.companions,
            "not_model": report.not_model,
            "raw_data": report.raw_data,
        })

    def _blob_ids(self) -> dict[str, str]:
        if self._clean is None:
            from mlaudit.repo_files import clean_blob_ids

            self._clean = clean_blob_ids(self._root)
        return self._clean

    def save(self) -> None:
        """Write the cache atomically (merged with entries another process saved meanwhile)."""
        self._file.save()  # a cache that cannot be written only costs a rescan


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


def _finding(data: dict[str, Any], rel: str) -> Finding:
    # The path is the file's, not the one the content was first seen under (same content, two names).
    return Finding(rule=data["rule"], severity=Severity(data["severity"]), message=data["message"],
                   path=rel, remediation=data["remediation"], key=data["key"],
                   details=data["details"])


def blob_id_of(fh: Any, size: int) -> str:
    """Git's blob id of the open file's content (read from its start)."""
    digest = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    fh.seek(0)
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
    fh.seek(0)
    return digest.hexdigest()


def content_id(path: Path) -> str | None:
    """Git's blob id of the regular file at ``path``, or None when it cannot be read."""
    from mlaudit.serialization.file_sniff import open_regular

    try:
        with open_regular(path) as fh:
            return blob_id_of(fh, os.fstat(fh.fileno()).st_size)
    except OSError:
        return None


def unchanged_while_read(before: os.stat_result, after: os.stat_result, now_ns: int) -> bool:
    """True when the file's stat did not move while it was read, and not too recently to tell."""
    keys = ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev")
    if any(getattr(before, k) != getattr(after, k) for k in keys):
        return False
    return now_ns - max(after.st_mtime_ns, after.st_ctime_ns) >= RACY_WINDOW_NS
