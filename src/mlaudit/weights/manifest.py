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
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.formats.bounded_json import BoundedParseError, loads_json
from mlaudit.store.atomic_file import write_text_atomic
from mlaudit.weights.hashing import HASH_PARAMETERS

MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")  # fullmatch: `$` would accept a trailing newline
_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_NAME_FIELD = re.compile(r'"name"\s*:\s*("(?:[^"\\]|\\.)*")')


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
    return hashlib.sha256(bytes.fromhex("".join(digests_in_name_order))).hexdigest()


def _line_of(text: str, needle: str, default: int | None) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else default


def _name_lines(text: str) -> dict[str, int]:
    """The line of each ``"name": ...`` in one pass (a ``find()`` per entry made 100k entries take hours)."""
    lines: dict[str, int] = {}
    line, position = 1, 0
    for match in _NAME_FIELD.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        quoted = match.group(1)
        if "\\" in quoted:
            try:
                name = json.loads(quoted)
            except ValueError:
                continue
        else:
            name = quoted[1:-1]
        lines.setdefault(name, line)
    return lines


def parse_manifest(text: str) -> WeightManifest:
    """Parse and validate manifest text; raises ``ManifestError`` with a line where possible."""
    markers = ("<" * 7 in text) or ("=" * 7 in text) or (">" * 7 in text)  # C-speed test before the regex
    conflict = _CONFLICT_MARKER.search(text) if markers else None
    if conflict:
        raise ManifestError(
            "holds merge-conflict markers; resolve the conflict (keep both sides' entries), "
            "then run `mlaudit hash --check`",
            text.count("\n", 0, conflict.start()) + 1,
        )
    try:
        data = loads_json(text, max_depth=None)  # every value's type is checked below: no deep value survives
    except BoundedParseError as exc:
        raise ManifestError(str(exc), exc.line) from None
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
    ignore_paths = serialization.get("ignore_paths", [])
    if not isinstance(ignore_paths, list) or not all(isinstance(p, str) for p in ignore_paths):
        raise ManifestError("serialization.ignore_paths must be a list of strings",
                            _line_of(text, '"serialization"', 1))
    resources = data.get("resources")
    resources_line = _line_of(text, '"resources"', 1)
    if not isinstance(resources, list):
        raise ManifestError("'resources' must be a list of entries", resources_line)
    name_lines = _name_lines(text)
    entries: dict[str, ManifestEntry] = {}
    for index, item in enumerate(resources):
        if not _plainly_valid(item):  # the exact check, only for an entry the quick one does not clear
            name = item.get("name") if isinstance(item, dict) else None
            line = name_lines.get(name, resources_line) if isinstance(name, str) else resources_line
            entries_problem = _entry_problem(item)
            if entries_problem:
                raise ManifestError(f"resources[{index}]: {entries_problem}", line)
        name = item["name"]
        if name in entries:
            raise ManifestError(f"resources[{index}]: {json.dumps(name)} is listed twice",
                                name_lines.get(name, resources_line))
        entries[name] = ManifestEntry(name, item["size"], item["digest"], name_lines.get(name, resources_line))
    declared_root = data.get("root_digest", {})
    manifest = WeightManifest(entries=entries, ignore_paths=tuple(ignore_paths))
    if isinstance(declared_root, dict) and "sha256" in declared_root:
        if declared_root["sha256"] != manifest.root_digest:
            raise ManifestError(
                "root_digest does not match the listed digests (edited by hand?); "
                "regenerate with `mlaudit hash --update`",
                _line_of(text, '"root_digest"', 1),
            )
    return manifest


def _plainly_valid(item: Any) -> bool:
    """True for the common entry, cleared without ``_entry_problem``'s work; false means "look closer"."""
    if type(item) is not dict:
        return False
    name, digest, size = item.get("name"), item.get("digest"), item.get("size")
    return (
        type(name) is str and type(digest) is str and type(size) is int and size >= 0
        and name != "" and name.isascii() and "\x00" not in name and "\\" not in name and ".." not in name
        and name[0] != "/" and item.get("algorithm", "sha256") == "sha256"
        and _HEX64.fullmatch(digest) is not None
    )


def _entry_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "each entry must be an object with name, size, algorithm and digest"
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return "'name' must be a non-empty string"
    problem = _name_problem(name)
    if problem is None and item.get("algorithm", "sha256") != "sha256":
        problem = "algorithm must be sha256"
    digest = item.get("digest")
    if problem is None and (not isinstance(digest, str) or not _HEX64.fullmatch(digest)):
        problem = "digest must be 64 lowercase hex characters"
    size = item.get("size")
    if problem is None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        problem = "size must be a non-negative integer"
    return None if problem is None else f"{json.dumps(name)}: {problem}"  # escaped: the repository's text


def _name_problem(name: str) -> str | None:
    if "\x00" in name:
        return "a file name cannot contain a NUL character"
    if not name.isascii():
        try:
            os.fsencode(name)
        except UnicodeError:
            return "not a file name this system can represent"
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        return "must be a POSIX path relative to the repository root, inside it"
    return None


def read_manifest(path: Path) -> WeightManifest:
    """Read a manifest file; raises ``ManifestError`` (or ``OSError`` when unreadable, even absent).

    Opened without blocking and checked to be a regular file before anything is
    read: a FIFO would hang the hook, a device would never end, a folder would
    be a traceback.
    """
    mode = os.stat(path).st_mode  # refused before opening: opening a device can already do something
    if not stat.S_ISREG(mode):
        raise ManifestError(f"is not a regular file ({_file_kind(mode)})")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for something else since the stat
            raise ManifestError(f"is not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(f"manifest is {info.st_size} bytes, over the {MAX_MANIFEST_BYTES}-byte limit")
        raw = fh.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"manifest is over the {MAX_MANIFEST_BYTES}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text (byte {exc.start})", raw.count(b"\n", 0, exc.start) + 1) from None
    return parse_manifest(text)


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


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
        lines.append("    " + _entry_json(item) + ("," if i < len(ordered) - 1 else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def _entry_json(item: dict[str, Any]) -> str:
    text = json.dumps(item, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (surrogate escapes): \udcff keeps its bytes
        return json.dumps(item)
    return text


def write_manifest(path: Path, entries: Iterable[ManifestEntry], ignore_paths: Iterable[str] = ()) -> None:
    """Write the manifest atomically (temporary file, then rename), keeping the file's mode."""
    write_text_atomic(path, render_manifest(entries, ignore_paths), mode=_mode_for(path))


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # read the umask: the only portable way is to set it and put it back
        os.umask(umask)
        return 0o666 & ~umask
