"""Fields of a pickle that hold another pickle (raw, hex or base64): a mixin of the pickle machine.

A ``bytes`` or ``str`` value is data to the unpickler, but an application that
unpickles it later (a cached object, a serialized callback) runs whatever it
imports. Short payloads are read (they may be import names) and sniffed; long
ones are sniffed from their first bytes and skipped unless they hold a pickle,
which is then walked as an ``EmbeddedPickle`` (up to ``max_nested`` deep).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_scan import EmbeddedPickle, PickleLimits, StreamScan
from mlaudit.formats.pickle_sniff import MAX_EMBEDDED, decode_embedded, embedded_encoding, maybe_text_pickle
from mlaudit.formats.pickle_values import Value

_KEEP = 4096  # payloads longer than this are data, never import names: skipped, not read


class EmbeddedFields:
    """Reading payloads, and walking the ones that are pickles; the machine provides the rest."""

    reader: ByteReader
    limits: PickleLimits
    scan: StreamScan
    depth: int
    walk_nested: Callable[[ByteReader, PickleLimits, int], StreamScan]

    @property
    def offset(self) -> int:
        raise NotImplementedError

    @property
    def opname(self) -> str:
        raise NotImplementedError

    def problem(self, kind: str, message: str) -> None:
        raise NotImplementedError

    def payload(self, n: int, text: bool = False) -> bytes | None:
        """A payload: kept when short (import names), walked when it is itself a pickle, else skipped.

        ``text``: a str field, sniffed only when it could hold a pickle (a cheap test: every key meets it).
        """
        reader = self.reader
        if n <= _KEEP:
            data = reader.read(n)
            if n >= 8 and (not text or maybe_text_pickle(data)):
                self.check_bytes(data)
            return data
        head = reader.peek(64)
        if n <= MAX_EMBEDDED and (not text or maybe_text_pickle(head)):
            encoding = embedded_encoding(head)
            if encoding is not None:
                self.walk_embedded(reader.read(n), encoding)
                return None
        reader.skip(n)
        return None

    def check_text(self, value: Value) -> None:
        """A protocol 0 string that holds a pickle (hex, base64 or raw text) is walked too."""
        if isinstance(value, str) and len(value) >= 8:
            data = value.encode("latin-1", "replace")
            if maybe_text_pickle(data):
                self.check_bytes(data)

    def check_bytes(self, data: bytes) -> None:
        """A short field already read: walked when it holds a pickle."""
        encoding = embedded_encoding(data[:64])
        if encoding is not None:
            self.walk_embedded(data, encoding)

    def walk_embedded(self, data: bytes, encoding: str) -> None:
        """Walk a pickle held in a bytes or str field; what it imports runs only if the application unpickles it."""
        decoded = decode_embedded(data, encoding)
        if decoded is None:
            return
        if self.depth >= self.limits.max_nested:
            self.problem("limit", f"{self.opname} at byte {self.offset}: pickles embedded more than "
                                  f"{self.limits.max_nested} deep (not scanned)")
            return
        inner = self.walk_nested(ByteReader(io.BytesIO(decoded), size=len(decoded)), self.limits, self.depth + 1)
        self.scan.embedded.append(EmbeddedPickle(self.offset, self.opname, encoding, inner))
