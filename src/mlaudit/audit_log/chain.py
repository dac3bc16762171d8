"""A hash chain of JSON records, one per line: append, and verify nothing was edited, removed or reordered.

Each line is a JSON object with the caller's fields plus ``seq`` (0, 1, 2, ...),
``prev`` (the previous line's ``hash``, 64 zeros for the first) and ``hash``
(SHA-256 of the canonical JSON of every other field). Editing any field breaks
that line's ``hash``; removing or reordering lines breaks ``prev`` and ``seq``.
Dropping lines at the end leaves a valid shorter chain: compare the head hash
with one kept elsewhere (a signed report, a CI log) to detect it. Generic: the
records are arbitrary JSON objects (audits, fleet history).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.errors import MlauditError

GENESIS = "0" * 64
CHAIN_FIELDS = ("seq", "prev", "hash")
_TAIL_BLOCK = 64 * 1024


class ChainError(MlauditError):
    """The log cannot be appended to (unreadable, its last line corrupt)."""


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
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # two audits appending at once must not fork the chain
        try:
            last = _last_line(fh)
            if last.strip():
                try:
                    previous = json.loads(last)
                    prev_hash, seq = str(previous["hash"]), int(previous["seq"]) + 1
                except (ValueError, KeyError, TypeError):
                    raise ChainError(f"{path}: the last line is not a chain entry; run `mlaudit log verify`") from None
            else:
                prev_hash, seq = GENESIS, 0
            entry: dict[str, Any] = {**record, "seq": seq, "prev": prev_hash}
            entry["hash"] = record_hash(entry)
            fh.seek(0, os.SEEK_END)
            fh.write(canonical_json(entry) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChainError(f"{path}: cannot read: {exc.strerror}") from None
    problems: list[str] = []
    expected_prev, expected_seq, count = GENESIS, 0, 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        count += 1
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            problems.append(f"line {number}: not a JSON object ({exc})")
            expected_prev = ""
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
