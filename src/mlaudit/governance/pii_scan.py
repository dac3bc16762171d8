"""Scan sample data files for personal data and secrets; report file, line or row and kind, never the value.

Text-like files (CSV, TSV, JSON, JSONL, text) are read whole up to a size cap
and handed to the detectors in one block, so the regular expressions run at C
speed over the file; offsets are turned into line numbers only for the hits.
Parquet files (pyarrow, imported lazily) are read batch by batch, each row's
string cells joined into one line of a block, so a hit maps back to its row.
"""

from __future__ import annotations

import bisect
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
    """Scan one file (never raises: unreadable or oversized files say why in ``skipped``)."""
    result = FileScan(rel_path)
    found = contained_file(root, rel_path)
    if isinstance(found, OutsideRepository):
        result.outside = found.reason
        return result
    path = found.real
    try:
        size = path.stat().st_size
    except OSError as exc:
        result.skipped = f"cannot read: {exc.strerror or exc}"
        return result
    if size > max_bytes:
        result.skipped = f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB cap"
        return result
    try:
        if rel_path.lower().endswith(PARQUET_SUFFIXES):
            result.unit = "row"
            for first_row, block in _parquet_blocks(path):
                _record(result, block, detector.detect(block), first=first_row)
        else:
            text = path.read_bytes().decode("utf-8", "replace")
            _record(result, text, detector.detect(text), first=1)
    except Exception as exc:  # noqa: BLE001 - a hostile or broken file is reported, never a crash
        result.skipped = f"cannot parse: {type(exc).__name__}: {str(exc)[:200]}"
    return result


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


def _parquet_blocks(path: Path, batch_rows: int = 65536) -> Iterator[tuple[int, str]]:
    import pyarrow.parquet as pq

    row = 1
    with pq.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=batch_rows):
            columns = [c.to_pylist() for c in batch.columns]
            lines = (
                "\t".join("" if v is None else str(v).replace("\n", " ") for v in cells)
                for cells in zip(*columns, strict=True)
            )
            yield row, "\n".join(lines)
            row += batch.num_rows
