"""``weights.lock.json``: the committed manifest of every weight file's size and SHA-256.

The layout follows OpenSSF Model Signing (``model_signing``) so the manifest can
be signed as is: ``resources`` entries carry ``name`` (POSIX relative path),
``algorithm`` and ``digest`` (plus ``size``, an mlaudit addition OMS verifiers
ignore), ``serialization`` holds the hashing parameters, and ``root_digest`` is
SHA-256 over the raw bytes of every resource digest in name order, the digest
``model_signing`` puts in the in-toto subject. One resource per line, sorted by
name, so a change to one file is a one-line diff.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.store.atomic_file import write_text_atomic
from mlaudit.weights.hashing import HASH_PARAMETERS

MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(Exception):
    """A manifest that cannot be trusted; ``line`` points at the problem when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ManifestEntry:
    """One recorded weight file."""

    name: str
    size: int
    digest: str
    line: int | None = None


@dataclass(frozen=True)
class WeightManifest:
    """The recorded weight files, by POSIX relative path."""

    entries: Mapping[str, ManifestEntry]
    ignore_paths: tuple[str, ...] = ()

    @property
    def root_digest(self) -> str:
        """The OMS root digest over the recorded digests."""
        return compute_root_digest(e.digest for _, e in sorted(self.entries.items()))


def compute_root_digest(digests_in_name_order: Iterable[str]) -> str:
    """SHA-256 over the concatenated raw digests, as ``model_signing`` computes its subject digest."""
    hasher = hashlib.sha256()
    for digest in digests_in_name_order:
        hasher.update(bytes.fromhex(digest))
    return hasher.hexdigest()


def _line_of(text: str, needle: str, default: int | None) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else default


def parse_manifest(text: str) -> WeightManifest:
    """Parse and validate manifest text; raises ``ManifestError`` with a line where possible."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    if not isinstance(data, dict):
        raise ManifestError("the manifest must be a JSON object", 1)
    version = data.get("version")
    if version != MANIFEST_VERSION:
        raise ManifestError(
            f"unsupported manifest version {version!r} (expected {MANIFEST_VERSION})",
            _line_of(text, '"version"', 1),
        )
    serialization = data.get("serialization", {})
    if not isinstance(serialization, dict) or serialization.get("hash_type", "sha256") != "sha256":
        raise ManifestError("serialization.hash_type must be sha256", _line_of(text, '"serialization"', 1))
    resources = data.get("resources")
    resources_line = _line_of(text, '"resources"', 1)
    if not isinstance(resources, list):
        raise ManifestError("'resources' must be a list of entries", resources_line)
    entries: dict[str, ManifestEntry] = {}
    for index, item in enumerate(resources):
        name = item.get("name") if isinstance(item, dict) else None
        line = _line_of(text, json.dumps(name), resources_line) if isinstance(name, str) else resources_line
        entries_problem = _entry_problem(item)
        if entries_problem:
            raise ManifestError(f"resources[{index}]: {entries_problem}", line)
        assert isinstance(item, dict) and isinstance(name, str)
        if name in entries:
            raise ManifestError(f"resources[{index}]: '{name}' is listed twice", line)
        entries[name] = ManifestEntry(name=name, size=item["size"], digest=item["digest"], line=line)
    declared_root = data.get("root_digest", {})
    manifest = WeightManifest(entries=entries, ignore_paths=tuple(serialization.get("ignore_paths", ())))
    if isinstance(declared_root, dict) and "sha256" in declared_root:
        if declared_root["sha256"] != manifest.root_digest:
            raise ManifestError(
                "root_digest does not match the listed digests (edited by hand?); "
                "regenerate with `mlaudit hash --update`",
                _line_of(text, '"root_digest"', 1),
            )
    return manifest


def _entry_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "each entry must be an object with name, size, algorithm and digest"
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return "'name' must be a non-empty string"
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        return f"'{name}' must be a POSIX path relative to the repository root, inside it"
    if item.get("algorithm", "sha256") != "sha256":
        return f"'{name}': algorithm must be sha256"
    digest = item.get("digest")
    if not isinstance(digest, str) or not _HEX64.match(digest):
        return f"'{name}': digest must be 64 lowercase hex characters"
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"'{name}': size must be a non-negative integer"
    return None


def read_manifest(path: Path) -> WeightManifest:
    """Read a manifest file; raises ``ManifestError`` (or ``OSError`` when unreadable)."""
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"manifest is {size} bytes, over the {MAX_MANIFEST_BYTES}-byte limit")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text (byte {exc.start})", raw.count(b"\n", 0, exc.start) + 1) from None
    return parse_manifest(text)


def render_manifest(entries: Iterable[ManifestEntry], ignore_paths: Iterable[str] = ()) -> str:
    """Manifest text: stable key order, entries sorted by name, one entry per line."""
    ordered = sorted(entries, key=lambda e: e.name)
    serialization = {**HASH_PARAMETERS, "ignore_paths": sorted(set(ignore_paths))}
    root = compute_root_digest(e.digest for e in ordered)
    lines = [
        "{",
        f'  "version": {MANIFEST_VERSION},',
        f'  "serialization": {json.dumps(serialization, sort_keys=True)},',
        f'  "root_digest": {json.dumps({"sha256": root})},',
        '  "resources": [',
    ]
    for i, entry in enumerate(ordered):
        item = {"name": entry.name, "algorithm": "sha256", "digest": entry.digest, "size": entry.size}
        lines.append("    " + json.dumps(item, ensure_ascii=False) + ("," if i < len(ordered) - 1 else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def write_manifest(path: Path, entries: Iterable[ManifestEntry], ignore_paths: Iterable[str] = ()) -> None:
    """Write the manifest atomically (temporary file, then rename)."""
    write_text_atomic(path, render_manifest(entries, ignore_paths))
