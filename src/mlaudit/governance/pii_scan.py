"""Scan sample data files for personal data and secrets; report file, line or row and kind, never the value.

Text-like files (CSV, TSV, JSON, JSONL, text) are read in blocks of whole lines
(8 MB) and each block is handed to the detectors, so the regular expressions
run at C speed; offsets are turned into line numbers only for the hits.
Parquet files (pyarrow, imported lazily) are read batch by batch, each row's
string cells joined into one line of a block, so a hit maps back to its row.

Every file is scanned up to a work budget (``max_bytes`` of text): a larger
file is scanned up to it and what was left is reported (``incomplete``); a file
that could not be read at all (not a regular file, unreadable, corrupt) says
why in ``skipped``. Neither is ever a clean result.
"""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.globs import compile_globs
from mlaudit.governance.pii_detectors import Detection, TextDetector
from mlaudit.repo_paths import OutsideRepository, contained_file

TEXT_SUFFIXES = (".csv", ".tsv", ".psv", ".json", ".jsonl", ".ndjson", ".txt", ".text", ".log")
PARQUET_SUFFIXES = (".parquet", ".pq")
MAX_LOCATIONS = 100
"""Lines (or rows) kept per file and kind; the count is always complete."""
TEXT_BLOCK = 8 * 1024 * 1024
"""Bytes read per block of a text file (cut after its last newline)."""


@dataclass
class KindHits:
    """Where one kind was found in one file: the first lines/rows and how many in all."""

    count: int = 0
    positions: list[int] = field(default_factory=list)

    def add(self, position: int) -> None:
        """Record one hit at a line or row."""
        self.count += 1
        if len(self.positions) < MAX_LOCATIONS:
            self.positions.append(position)


@dataclass
class FileScan:
    """The result for one file: kinds found, whether positions are rows (Parquet) or lines, problems."""

    path: str
    unit: str = "line"
    hits: dict[str, KindHits] = field(default_factory=dict)
    skipped: str = ""
    """Why the file could not be scanned at all ('' when it was)."""
    incomplete: str = ""
    """What was left unscanned when the work budget ran out ('' when the whole file was scanned)."""
    records: int = 0
    outside: str = ""
    """Why the file was not opened: a symlink out of the repository, a FIFO, a device (never followed)."""


def is_sample_data(rel_path: str) -> bool:
    """True for the file types the scan reads."""
    return rel_path.lower().endswith(TEXT_SUFFIXES + PARQUET_SUFFIXES)


def select_sample_files(files: Iterable[str], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """The files to scan: sample-data types and ``include`` globs, minus ``exclude`` globs."""
    included = compile_globs(include)
    excluded = compile_globs(exclude)
    return [p for p in files if (is_sample_data(p) or included(p)) and not excluded(p)]


def scan_file(root: Path, rel_path: str, detector: TextDetector, *, max_bytes: int) -> FileScan:
    """Scan one file up to ``max_bytes`` of text (never raises: problems are in ``skipped``/``incomplete``)."""
    result = FileScan(rel_path)
    found = contained_file(root, rel_path)
    if isinstance(found, OutsideRepository):
        result.outside = found.reason
        return result
    path = found.real
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        result.skipped = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
        return result
    if not stat.S_ISREG(info.st_mode):
        result.skipped = "not a regular file"
        return result
    try:
        if rel_path.lower().endswith(PARQUET_SUFFIXES):
            result.unit = "row"
            blocks = _parquet_blocks(path)
        else:
            blocks = _text_blocks(path, max(min(TEXT_BLOCK, max_bytes), 1))
        _scan_blocks(result, blocks, detector, max_bytes)
    except Exception as exc:  # noqa: BLE001 - a hostile or broken file is reported, never a crash
        result.skipped = f"cannot parse: {type(exc).__name__}: {str(exc)[:200]}"
    return result


def _scan_blocks(result: FileScan, blocks: Iterator[tuple[int, str, int]], detector: TextDetector,
                 max_bytes: int) -> None:
    """Detect in each block until the budget is spent; say what was left."""
    spent = 0
    for first, block, remaining in blocks:
        if spent >= max_bytes:
            left = f"{remaining / 1e6:.1f} MB" if remaining >= 0 else "the rest"
            result.incomplete = (f"only the first {spent / 1e6:.1f} MB ({result.records} {result.unit}s) were "
                                 f"scanned, {left} left: over the {max_bytes / 1e6:.0f} MB work budget")
            return
        spent += len(block)
        _record(result, block, detector.detect(block), first=first)


def _text_blocks(path: Path, block_size: int = TEXT_BLOCK) -> Iterator[tuple[int, str, int]]:
    """(first line number, text of whole lines, bytes not yet read) per block; opened without blocking."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        line, carry, done = 1, b"", 0
        while True:
            chunk = fh.read(block_size)
            if not chunk:
                break
            done += len(chunk)
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if len(data) < 4 * block_size else len(data)  # one huge line: cut anyway
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            text = data[:cut].decode("utf-8", "replace")
            yield line, text, max(size - done, 0) + len(carry)
            line += text.count("\n")
        if carry:
            yield line, carry.decode("utf-8", "replace"), 0


def _record(result: FileScan, text: str, detections: list[Detection], *, first: int) -> None:
    """Turn offsets into line (row) numbers: ``first`` is the number of the block's first line."""
    result.records += text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if not detections:
        return
    newlines = _newline_offsets(text)
    for detection in detections:
        number = first + bisect.bisect_right(newlines, detection.offset - 1)
        result.hits.setdefault(detection.kind, KindHits()).add(number)


def _newline_offsets(text: str) -> list[int]:
    out = []
    pos = text.find("\n")
    while pos != -1:
        out.append(pos)
        pos = text.find("\n", pos + 1)
    return out


def _parquet_blocks(path: Path, batch_rows: int = 65536) -> Iterator[tuple[int, str, int]]:
    import pyarrow.parquet as pq

    row = 1
    with pq.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=batch_rows):
            columns = [c.to_pylist() for c in batch.columns]
            lines = (
                "\t".join("" if v is None else str(v).replace("\n", " ") for v in cells)
                for cells in zip(*columns, strict=True)
            )
            yield row, "\n".join(lines), -1
            row += batch.num_rows
