"""A bounded, buffered byte reader over any binary stream: the one input type of the model parsers.

Parsers of hostile files need three things the plain file API does not give
them together: exact reads that fail loudly on truncation, skips that seek
(over gigabytes of tensor data) instead of reading, and a hard ceiling on how
many bytes may be consumed (decompression bombs). Offsets are relative to the
start of the stream the reader was given, so findings can name the byte of an
opcode inside an archive member or a decompressed stream.
"""

from __future__ import annotations

import io
from typing import IO

CHUNK = 1 << 20


class Truncated(Exception):
    """The stream ended before a declared length was satisfied."""


class LimitExceeded(Exception):
    """The stream is longer (or declares more) than the reader is allowed to consume."""


class ByteReader:
    """Exact reads, line reads, skips and a consumption limit over a binary stream."""

    def __init__(self, raw: IO[bytes], *, limit: int | None = None, size: int | None = None) -> None:
        self._raw = raw
        self._buf = b""
        self._pos = 0
        self._base = 0  # stream offset of _buf[0]
        self.limit = limit
        """Most bytes this reader may consume (None: unbounded)."""
        self.size = size
        """Total length of the stream when known (lets parsers reject impossible lengths early)."""
        self._seekable = _is_seekable(raw)
        self._eof = False
        self.op_offset = 0
        """Offset of the last byte read with ``read_opcode``."""

    def tell(self) -> int:
        """Offset of the next byte to be read."""
        return self._base + self._pos

    def remaining_hint(self) -> int | None:
        """Bytes left when the stream's size is known, else None."""
        return None if self.size is None else self.size - self.tell()

    def _check_limit(self, end: int) -> None:
        if self.limit is not None and end > self.limit:
            raise LimitExceeded(f"stream longer than the limit of {self.limit} bytes")
        if self.size is not None and end > self.size:
            raise Truncated(f"needs {end - self.tell()} more bytes at offset {self.tell()}, "
                            f"the stream has {self.size - self.tell()}")

    def _fill(self, need: int) -> None:
        # Keep unread bytes, append chunks until ``need`` bytes are buffered or EOF.
        if self._pos:
            self._base += self._pos
            self._buf = self._buf[self._pos:]
            self._pos = 0
        parts = [self._buf]
        have = len(self._buf)
        while have < need and not self._eof:
            chunk = self._raw.read(max(CHUNK, need - have))
            if not chunk:
                self._eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        self._buf = b"".join(parts)

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or ``Truncated``."""
        if n < 0:
            raise Truncated(f"negative length {n} at offset {self.tell()}")
        end = self._pos + n
        if end > len(self._buf):
            self._check_limit(self.tell() + n)
            self._fill(n)
            end = self._pos + n
            if end > len(self._buf):
                raise Truncated(f"needs {n} bytes at offset {self.tell()}, "
                                f"only {len(self._buf) - self._pos} left")
        data = self._buf[self._pos:end]
        self._pos = end
        if self.limit is not None and self._base + end > self.limit:
            raise LimitExceeded(f"stream longer than the limit of {self.limit} bytes")
        return data

    def read_byte(self) -> int:
        """One byte as an int, or ``Truncated``."""
        if self._pos >= len(self._buf):
            self._check_limit(self.tell() + 1)
            self._fill(1)
            if not self._buf:
                raise Truncated(f"stream ends at offset {self.tell()}")
        b = self._buf[self._pos]
        self._pos += 1
        return b

    def read_opcode(self) -> int:
        """One byte, remembering its offset in ``op_offset`` (the pickle machine's hot path: one call)."""
        pos = self._pos
        if pos >= len(self._buf):
            self._check_limit(self.tell() + 1)
            self._fill(1)
            pos = self._pos
            if pos >= len(self._buf):
                raise Truncated(f"stream ends at offset {self.tell()}")
        self.op_offset = self._base + pos
        self._pos = pos + 1
        return self._buf[pos]

    def peek_byte(self) -> int | None:
        """The next byte without consuming it, or None at the end of the stream."""
        if self._pos >= len(self._buf):
            if self.limit is not None and self.tell() >= self.limit:
                return None
            self._fill(1)
            if self._pos >= len(self._buf):
                return None
        return self._buf[self._pos]

    def readline(self, max_len: int) -> bytes:
        """Bytes up to and including ``\\n`` (at most ``max_len``), or ``Truncated``/``LimitExceeded``."""
        while True:
            nl = self._buf.find(b"\n", self._pos)
            if nl != -1 and nl - self._pos < max_len:
                line = self._buf[self._pos:nl + 1]
                self._pos = nl + 1
                return line
            if len(self._buf) - self._pos >= max_len:
                raise LimitExceeded(f"line longer than {max_len} bytes at offset {self.tell()}")
            before = len(self._buf) - self._pos
            self._fill(before + 1)
            if len(self._buf) - self._pos <= before:
                raise Truncated(f"unterminated line at offset {self.tell()}")

    def skip(self, n: int) -> None:
        """Move past ``n`` bytes: seek when the stream allows it, else read and drop them."""
        if n < 0:
            raise Truncated(f"negative length {n} at offset {self.tell()}")
        buffered = len(self._buf) - self._pos
        if n <= buffered:
            self._pos += n
            return
        target = self.tell() + n
        self._check_limit(target)
        left = n - buffered
        self._base = self.tell() + buffered
        self._buf, self._pos = b"", 0
        if self._seekable:
            here = self._raw.seek(left, io.SEEK_CUR)
            if self.size is None:
                end = self._raw.seek(0, io.SEEK_END)
                self._raw.seek(here)
                if end < here:
                    raise Truncated(f"skip past the end of the stream at offset {self._base}")
            self._base += left
            return
        while left:
            chunk = self._raw.read(min(left, CHUNK))
            if not chunk:
                raise Truncated(f"stream ends {left} bytes before offset {target}")
            left -= len(chunk)
            self._base += len(chunk)

    def peek(self, n: int) -> bytes:
        """Up to ``n`` next bytes without consuming them (fewer at the end of the stream)."""
        if len(self._buf) - self._pos < n:
            self._fill(n)
        return self._buf[self._pos:self._pos + n]

    def at_end(self) -> bool:
        """True when no byte is left."""
        return self.peek_byte() is None


def _is_seekable(raw: IO[bytes]) -> bool:
    try:
        return bool(raw.seekable())
    except (AttributeError, OSError, ValueError):
        return False

