"""Decompressing readers for gzip, bz2, xz and bare zlib streams, with a ceiling on the expanded size.

A pickle (joblib ``compress=``), a tar archive or another model may sit
inside a compressed stream; the ceiling makes a decompression bomb end in
``LimitExceeded`` after at most ``limit`` bytes, whatever the ratio.
"""

from __future__ import annotations

import io
import zlib
from typing import IO

from mlaudit.formats.byte_reader import LimitExceeded

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


class _Limited(io.RawIOBase):
    """Raises ``LimitExceeded`` once more than ``limit`` bytes were read."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._left = limit
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise LimitExceeded(f"expands to more than {self._limit} bytes (decompression bomb?)")
        self._left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def open_decompressed(kind: str, raw: IO[bytes], limit: int) -> IO[bytes]:
    """A reader of the decompressed bytes of ``raw`` (``kind``: gzip, bz2, xz or zlib)."""
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
    else:
        raise ValueError(f"not a compression format: {kind}")
    return io.BufferedReader(_Limited(inner, limit), _CHUNK)
