"""The pickle opcodes that only build data (numbers, strings, bytes, containers), as a mixin of the machine.

None of them imports or calls anything; they matter because imports can be
spelled with the strings they push, and because joblib declares its inline
array sizes in the tuples and dicts they build. Long payloads are skipped.
"""

from __future__ import annotations

import struct

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_sniff import encoded_prefix
from mlaudit.formats.pickle_values import (
    OPAQUE,
    TrackedDict,
    TrackedList,
    Value,
    dict_update,
    int_literal,
    list_extend,
    make_tuple,
    small_str,
    string_literal,
    unicode_literal,
    utf8_value,
)

_U2 = struct.Struct("<H")
_I4 = struct.Struct("<i")
_U4 = struct.Struct("<I")
_U8 = struct.Struct("<Q")


class DataOpcodes:
    """Opcode handlers that push or fill data; the machine provides the stack primitives."""

    reader: ByteReader
    stack: list[Value]

    @property
    def offset(self) -> int:
        raise NotImplementedError

    def pop(self) -> Value:
        raise NotImplementedError

    def top(self) -> Value:
        raise NotImplementedError

    def pop_mark(self) -> list[Value]:
        raise NotImplementedError

    def line(self) -> bytes:
        raise NotImplementedError

    def payload(self, n: int, text: bool = False) -> bytes | None:
        raise NotImplementedError

    def stop(self, kind: str, message: str) -> Exception:
        raise NotImplementedError

    def check_text(self, value: Value) -> None:
        raise NotImplementedError

    def check_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def problem(self, kind: str, message: str) -> None:
        raise NotImplementedError

    def op_FLOAT(self) -> None:
        self.line()
        self.stack.append(OPAQUE)

    def op_INT(self) -> None:
        self.stack.append(int_literal(self.line()))

    op_LONG = op_INT

    def op_BININT(self) -> None:
        self.stack.append(_I4.unpack(self.reader.read(4))[0])

    def op_BININT1(self) -> None:
        self.stack.append(self.reader.read_byte())

    def op_BININT2(self) -> None:
        self.stack.append(_U2.unpack(self.reader.read(2))[0])

    def op_NONE(self) -> None:
        self.stack.append(None)

    def op_STRING(self) -> None:
        value = string_literal(self.line())
        self.check_text(value)
        self.stack.append(value)

    def op_BINSTRING(self) -> None:
        n = _I4.unpack(self.reader.read(4))[0]
        if n < 0:
            raise self.stop("malformed", f"BINSTRING with negative length {n}")
        data = self.payload(n)
        self.stack.append(OPAQUE if data is None else small_str(data.decode("latin-1")))

    def op_SHORT_BINSTRING(self) -> None:
        data = self.payload(self.reader.read_byte())
        self.stack.append(OPAQUE if data is None else small_str(data.decode("latin-1")))

    def op_UNICODE(self) -> None:
        value = unicode_literal(self.line())
        self.check_text(value)
        self.stack.append(value)

    def op_BINUNICODE(self) -> None:
        data = self.payload(_U4.unpack(self.reader.read(4))[0], text=True)
        self.stack.append(OPAQUE if data is None else utf8_value(data))

    def op_SHORT_BINUNICODE(self) -> None:
        reader = self.reader
        raw = reader.read(reader.read_byte())
        # The hot path of every key: sniffed only when it could hold a pickle (raw, protocol 0 lines, encoded).
        if len(raw) >= 8 and (raw[0] == 0x80 or 10 in raw or encoded_prefix(raw)):
            self.check_bytes(raw)
        try:  # at most 255 bytes: always short enough to track
            self.stack.append(raw.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            self.stack.append(OPAQUE)

    def op_BINUNICODE8(self) -> None:
        data = self.payload(_U8.unpack(self.reader.read(8))[0], text=True)
        self.stack.append(OPAQUE if data is None else utf8_value(data))

    def op_BINBYTES(self) -> None:
        self.payload(_U4.unpack(self.reader.read(4))[0])
        self.stack.append(OPAQUE)

    def op_SHORT_BINBYTES(self) -> None:
        self.payload(self.reader.read_byte())
        self.stack.append(OPAQUE)

    def op_BINBYTES8(self) -> None:
        self.payload(_U8.unpack(self.reader.read(8))[0])
        self.stack.append(OPAQUE)

    op_BYTEARRAY8 = op_BINBYTES8

    def op_BINFLOAT(self) -> None:
        self.reader.skip(8)
        self.stack.append(OPAQUE)

    def op_LONG1(self) -> None:
        self.stack.append(int.from_bytes(self.reader.read(self.reader.read_byte()), "little", signed=True))

    def op_LONG4(self) -> None:
        n = _I4.unpack(self.reader.read(4))[0]
        if n < 0:
            raise self.stop("malformed", f"LONG4 with negative length {n}")
        data = self.reader.read(n) if n <= 64 else None
        if n > 64:
            self.reader.skip(n)  # a 512-bit+ integer is data, never an import name
        self.stack.append(OPAQUE if data is None else int.from_bytes(data, "little", signed=True))

    def op_APPEND(self) -> None:
        value = self.pop()
        target = self.top()
        if value is target and isinstance(value, (TrackedList, TrackedDict)):
            self.problem("suspicious", f"APPEND at byte {self.offset} puts a list inside itself "
                                      "(a self-containing container: printing or copying it never ends)")
        list_extend(target, [value])

    def op_APPENDS(self) -> None:
        items = self.pop_mark()
        list_extend(self.top(), items)

    op_ADDITEMS = op_APPENDS

    def op_DICT(self) -> None:
        d = TrackedDict()
        dict_update(d, self.pop_mark())
        self.stack.append(d)

    def op_EMPTY_DICT(self) -> None:
        self.stack.append(TrackedDict())

    def op_LIST(self) -> None:
        lst = TrackedList()
        list_extend(lst, self.pop_mark())
        self.stack.append(lst)

    def op_EMPTY_LIST(self) -> None:
        self.stack.append(TrackedList())

    op_EMPTY_SET = op_EMPTY_LIST

    def op_FROZENSET(self) -> None:
        self.stack.append(make_tuple(self.pop_mark()))

    def op_SETITEM(self) -> None:
        value = self.pop()
        key = self.pop()
        target = self.top()
        if value is target and isinstance(value, (TrackedList, TrackedDict)):
            self.problem("suspicious", f"SETITEM at byte {self.offset} puts a dict inside itself "
                                      "(a self-containing container: printing or copying it never ends)")
        dict_update(target, [key, value])

    def op_SETITEMS(self) -> None:
        items = self.pop_mark()
        dict_update(self.top(), items)

    def op_TUPLE(self) -> None:
        self.stack.append(make_tuple(self.pop_mark()))

    def op_EMPTY_TUPLE(self) -> None:
        self.stack.append(())

    def op_TUPLE1(self) -> None:
        self.stack.append((self.pop(),))

    def op_TUPLE2(self) -> None:
        b = self.pop()
        self.stack.append((self.pop(), b))

    def op_TUPLE3(self) -> None:
        c = self.pop()
        b = self.pop()
        self.stack.append((self.pop(), b, c))

    def op_NEWTRUE(self) -> None:
        self.stack.append(True)

    def op_NEWFALSE(self) -> None:
        self.stack.append(False)

    def op_NEXT_BUFFER(self) -> None:
        self.stack.append(OPAQUE)
