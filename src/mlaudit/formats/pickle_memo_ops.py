"""The memo opcodes (GET/BINGET/LONG_BINGET, PUT/BINPUT/LONG_BINPUT, MEMOIZE): a mixin of the pickle machine.

Imports are often spelled with memoized strings (``BINGET`` before
``STACK_GLOBAL``), so the memo is followed exactly up to ``max_memo`` entries.
Past that ceiling new entries are dropped (memory stays bounded) and a fetch
of a dropped one yields an unknown value: an import spelled with it is then
unresolved (high), never silently resolved to something else.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_values import OPAQUE, Value

if TYPE_CHECKING:
    from mlaudit.formats.pickle_scan import PickleLimits

_U4 = struct.Struct("<I")
_MISSING = object()


class MemoOpcodes:
    """Memo reads and writes; the machine provides the stack and the error type."""

    reader: ByteReader
    limits: PickleLimits
    stack: list[Value]
    marks: list[int]
    memo: dict[int, Value]
    memo_overflow: bool

    @property
    def offset(self) -> int:
        raise NotImplementedError

    @property
    def opname(self) -> str:
        raise NotImplementedError

    def line(self, lines_after: int = 0) -> bytes:
        raise NotImplementedError

    def stop(self, kind: str, message: str) -> Exception:
        raise NotImplementedError

    def memo_put(self, idx: int) -> None:
        memo = self.memo
        stack = self.stack
        if len(stack) <= (self.marks[-1] if self.marks else 0):
            raise self.stop("malformed", "stack underflow")
        if len(memo) >= self.limits.max_memo and idx not in memo:
            # Past the ceiling new entries are not kept (memory stays bounded); a later fetch of one
            # yields an unknown value, so an import spelled with it is unresolved (high), never missed.
            self.memo_overflow = True
            return
        memo[idx] = stack[-1]

    def memo_get(self, idx: object) -> None:
        value = self.memo.get(idx, _MISSING)  # type: ignore[call-overload]
        if value is _MISSING:
            if not self.memo_overflow:
                raise self.stop("malformed", f"{self.opname} at byte {self.offset} fetches memo entry {idx!r}, "
                                             "never stored")
            value = OPAQUE
        self.stack.append(value)

    def text_int(self) -> int:
        raw = self.line()
        try:
            return int(raw)
        except ValueError:
            raise self.stop("malformed", f"{self.opname} at byte {self.offset} has a non-integer memo index") from None

    def op_GET(self) -> None:
        self.memo_get(self.text_int())

    def op_BINGET(self) -> None:
        self.memo_get(self.reader.read_byte())

    def op_LONG_BINGET(self) -> None:
        self.memo_get(_U4.unpack(self.reader.read(4))[0])

    def op_PUT(self) -> None:
        self.memo_put(self.text_int())

    def op_BINPUT(self) -> None:
        self.memo_put(self.reader.read_byte())

    def op_LONG_BINPUT(self) -> None:
        self.memo_put(_U4.unpack(self.reader.read(4))[0])

    def op_MEMOIZE(self) -> None:
        self.memo_put(len(self.memo))
