"""Whole pickle files: several concatenated streams, and legacy (non-zip) PyTorch files.

A loader may call ``pickle.load`` repeatedly on one file, so every stream in it
is walked, not just the first. Legacy ``torch.save`` files (``_use_new_zipfile_serialization=False``)
are five streams — magic number, protocol version, system info, the object,
the storage keys — followed by raw storage bytes that ``torch.load`` reads as
data, never unpickles; they are recognised by the magic number and the raw
tail is not parsed as pickle.
"""

from __future__ import annotations

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_opcodes import is_opcode
from mlaudit.formats.pickle_ops import PickleLimits, PickleProblem, StreamScan, walk_stream

LEGACY_TORCH_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_TORCH_STREAMS = 5
MAX_STREAMS = 10_000


class PickleFileScan:
    """Every stream of a pickle file, merged, and how the file is laid out."""

    __slots__ = ("complete", "legacy_torch", "scan", "streams")

    def __init__(self) -> None:
        self.scan = StreamScan()
        self.streams = 0
        self.legacy_torch = False
        self.complete = False


def walk_pickle_file(reader: ByteReader, limits: PickleLimits | None = None) -> PickleFileScan:
    """Walk every pickle stream from the reader's position to the end of the data."""
    limits = limits or PickleLimits()
    out = PickleFileScan()
    while True:
        nxt = reader.peek_byte()
        if nxt is None:
            out.complete = out.streams > 0 and not _stopped_early(out.scan)
            if out.streams == 0:
                out.scan.problems.append(PickleProblem("truncated", reader.tell(), "empty pickle"))
            return out
        if out.streams and not is_opcode(nxt):
            out.scan.problems.append(PickleProblem(
                "trailing-data", reader.tell(),
                "bytes after the last pickle stream are not a pickle (not scanned)"))
            return out
        if out.streams >= MAX_STREAMS:
            out.scan.problems.append(PickleProblem(
                "limit", reader.tell(), f"more than {MAX_STREAMS} concatenated pickle streams"))
            from mlaudit.formats.pickle_sweep import sweep_imports  # the rest is still swept for imports

            out.scan.swept += sweep_imports(reader, out.scan)
            return out
        stream = walk_stream(reader, limits)
        out.streams += 1
        out.scan.merge(stream)
        if out.streams == 1:
            out.scan.protocol = stream.protocol
            out.legacy_torch = stream.complete and stream.result == LEGACY_TORCH_MAGIC
        if not stream.complete:
            return out
        if out.legacy_torch and out.streams == LEGACY_TORCH_STREAMS:
            # The rest is raw storage data, read by torch as bytes.
            out.complete = not _stopped_early(out.scan)
            return out


def _stopped_early(scan: StreamScan) -> bool:
    return any(p.kind in ("malformed", "truncated", "limit", "unparsed", "trailing-data") for p in scan.problems)
