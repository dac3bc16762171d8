"""Decompressing readers for gzip, bz2, xz, zstd and bare zlib streams, charged to an expansion budget.

A pickle (joblib ``compress=``), a tar or zip archive or another model may sit
inside a compressed stream; every expanded byte is charged to the file's
``ExpansionBudget`` (shared by all members and nesting levels, and by the
audit), so a decompression bomb ends in ``BudgetExceeded`` after a bounded
amount of work, whatever the ratio and however many members repeat it.
"""

from __future__ import annotations

import io
import zlib
from typing import IO

from mlaudit.formats.archive_limits import ExpansionBudget

_CHUNK = 1 << 20


class _ZlibReader(io.RawIOBase):
    """A bare zlib stream (joblib's default compressor) as a readable file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        want = len(buffer)
        while not self._pending:
            if self._inflate.eof:
                return 0
            data = self._inflate.unconsumed_tail or self._raw.read(_CHUNK)
            if not data:
                return 0
            try:
                self._pending = self._inflate.decompress(data, want)
            except zlib.error as exc:
                raise OSError(f"zlib stream corrupt: {exc}") from None
        out, self._pending = self._pending[:want], self._pending[want:]
        buffer[:len(out)] = out
        return len(out)


class Charged(io.RawIOBase):
    """Charges every byte read from ``raw`` to an ``ExpansionBudget`` (raises ``BudgetExceeded``)."""

    def __init__(self, raw: IO[bytes], budget: ExpansionBudget) -> None:
        self._raw = raw
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        self._budget.charge(len(data))
        buffer[:len(data)] = data
        return len(data)


class ZstdUnavailable(Exception):
    """A zstd stream, and no zstd decompressor installed (``pip install zstandard``)."""


def open_decompressed(kind: str, raw: IO[bytes], budget: ExpansionBudget) -> IO[bytes]:
    """A reader of the decompressed bytes of ``raw`` (``kind``: gzip, bz2, xz, zlib or zstd)."""
    import bz2
    import gzip
    import lzma

    inner: IO[bytes]
    if kind == "gzip":
        inner = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
    elif kind == "bz2":
        inner = bz2.BZ2File(raw, mode="rb")
    elif kind == "xz":
        inner = lzma.LZMAFile(raw, mode="rb")
    elif kind == "zlib":
        inner = io.BufferedReader(_ZlibReader(raw), _CHUNK)
    elif kind == "zstd":
        try:
            import zstandard
        except ImportError:
            raise ZstdUnavailable("zstd stream: no zstd decompressor is installed (pip install zstandard)") from None
        inner = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    else:
        raise ValueError(f"not a compression format: {kind}")
    return io.BufferedReader(Charged(inner, budget), _CHUNK)
