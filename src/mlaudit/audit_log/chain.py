"""A hash chain of JSON records, one per line: append, and verify nothing was edited, removed or reordered.

Each line is a JSON object with the caller's fields plus ``seq`` (0, 1, 2, ...),
``prev`` (the previous line's ``hash``, 64 zeros for the first) and ``hash``
(SHA-256 of the canonical JSON of every other field). Editing any field breaks
that line's ``hash``; removing or reordering lines breaks ``prev`` and ``seq``.
A line must be exactly the canonical JSON of what it holds, with no key twice:
otherwise what a reader sees (``"status": "TAMPERED"`` written before the real
key, which a parser then overwrites) is not what was hashed.
Dropping lines at the end leaves a valid shorter chain: compare the head hash
with one kept elsewhere (a signed report, a CI log) to detect it. Generic: the
records are arbitrary JSON objects (audits, fleet history).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.errors import MlauditError
from mlaudit.formats.bounded_json import BoundedParseError, loads_json

GENESIS = "0" * 64
CHAIN_FIELDS = ("seq", "prev", "hash")
_TAIL_BLOCK = 64 * 1024


class ChainError(MlauditError):
    """The log cannot be used (not a regular file, unreadable, its last line corrupt): exit 2."""

    exit_code = 2


def parse_line(line: bytes) -> dict[str, Any]:
    """One log line as an object; raises ``BoundedParseError`` unless it is exactly canonical JSON.

    Duplicate keys, extra spaces, unsorted keys or other encodings are refused: the
    hash covers the canonical bytes, so the line must be those bytes.
    """
    entry = loads_json(line, reject_duplicates=True)
    if not isinstance(entry, dict):
        raise BoundedParseError("not an object")
    if canonical_json(entry) != line:
        raise BoundedParseError("not in canonical form (keys sorted, no spaces, no key twice)")
    return entry


def _open_regular(path: Path, flags: int) -> int:
    """Open ``path`` (without blocking on a FIFO) and make sure it is a regular file."""
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise ChainError(f"{path}: cannot open the log: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ChainError(f"{path}: not a regular file; give --log a file path")
    os.set_blocking(fd, True)
    return fd


def canonical_json(value: Any) -> bytes:
    """The bytes hashed: sorted keys, no insignificant spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of an entry without its own ``hash`` field."""
    return hashlib.sha256(canonical_json({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _last_line(fh: Any) -> bytes:
    end = fh.seek(0, os.SEEK_END)
    buffer = b""
    position = end
    while position > 0:
        step = min(_TAIL_BLOCK, position)
        position -= step
        fh.seek(position)
        buffer = bytes(fh.read(step)) + buffer
        stripped = buffer.rstrip(b"\n")
        if b"\n" in stripped:
            return stripped.rsplit(b"\n", 1)[1]
    return buffer.rstrip(b"\n")


def append_record(path: Path, record: Mapping[str, Any]) -> dict[str, Any]:
    """Append ``record`` chained to the last line of ``path`` (created if absent); return the line written."""
    clash = [k for k in CHAIN_FIELDS if k in record]
    if clash:
        raise ValueError(f"record fields {clash} are reserved for the chain")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChainError(f"{path.parent}: cannot create the log's folder: {exc.strerror or exc}") from None
    fd = _open_regular(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
    try:
        with os.fdopen(fd, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # two audits appending at once must not fork the chain
            try:
                entry = _chain_to_last(fh, path, record)
                fh.seek(0, os.SEEK_END)
                fh.write(canonical_json(entry) + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError as exc:  # a full disk, or a "file" such as /proc/version that cannot be appended to
        raise ChainError(f"{path}: cannot append to the log: {exc.strerror or exc}") from None
    return entry


def _chain_to_last(fh: Any, path: Path, record: Mapping[str, Any]) -> dict[str, Any]:
    last = _last_line(fh)
    if last.strip():
        try:
            previous = parse_line(last)
            prev_hash, seq = str(previous["hash"]), int(previous["seq"]) + 1
        except (ValueError, KeyError, TypeError):
            raise ChainError(f"{path}: the last line is not a chain entry; run `mlaudit log verify`") from None
    else:
        prev_hash, seq = GENESIS, 0
    entry: dict[str, Any] = {**record, "seq": seq, "prev": prev_hash}
    entry["hash"] = record_hash(entry)
    return entry


@dataclass(frozen=True)
class ChainVerification:
    """The result of checking a whole log."""

    entries: int
    head: str
    """``hash`` of the last entry (GENESIS when empty)."""
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every line holds and links to the one before."""
        return not self.problems


def verify_chain(path: Path) -> ChainVerification:
    """Check every line: its own hash, its link to the previous line, its sequence number."""
    return verify_chain_bytes(read_log_bytes(path))


def read_log_bytes(path: Path) -> bytes:
    """The whole log, read once from a regular file (``ChainError`` otherwise): verify and use the same bytes."""
    fd = _open_regular(path, os.O_RDONLY)
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ChainError(f"{path}: cannot read: {exc.strerror or exc}") from None


def verify_chain_bytes(raw: bytes) -> ChainVerification:
    """``verify_chain`` over a log's bytes already read."""
    problems: list[str] = []
    expected_prev, expected_seq, count = GENESIS, 0, 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        count += 1
        try:
            entry = parse_line(line)
        except ValueError as exc:
            problems.append(f"line {number}: not a JSON object as the chain writes it ({exc})")
            expected_prev = ""
            expected_seq += 1
            continue
        if entry.get("hash") != record_hash(entry):
            problems.append(f"line {number}: content does not match its hash (edited)")
        if entry.get("prev") != expected_prev:
            problems.append(f"line {number}: does not follow the previous line (an entry was removed, "
                            "inserted or reordered before it)")
        if entry.get("seq") != expected_seq:
            problems.append(f"line {number}: sequence number {entry.get('seq')!r}, expected {expected_seq}")
        expected_prev = str(entry.get("hash"))
        expected_seq = entry["seq"] + 1 if isinstance(entry.get("seq"), int) else expected_seq + 1
    return ChainVerification(entries=count, head=expected_prev if count else GENESIS, problems=tuple(problems))
