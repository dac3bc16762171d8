"""The symbolic pickle machine: one method per opcode, dispatched from a table built once per walk.

It mirrors ``pickle._Unpickler`` (stack, mark stack, memo) with symbolic values
instead of objects, so it checks what the real unpickler checks (stack
underflow, missing memo entries, unknown opcodes) and stops where it would
stop. See ``pickle_ops`` for what is reported.
"""

from __future__ import annotations

import copyreg
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_data_ops import DataOpcodes
from mlaudit.formats.pickle_joblib import JOBLIB_WRAPPERS
from mlaudit.formats.pickle_opcodes import HIGHEST_PROTOCOL, OPCODES
from mlaudit.formats.pickle_values import OPAQUE, GlobalRef, Instance, Value, make_tuple

if TYPE_CHECKING:
    from mlaudit.formats.pickle_ops import PickleLimits, StreamScan

_U2 = struct.Struct("<H")
_I4 = struct.Struct("<i")
_U4 = struct.Struct("<I")
_U8 = struct.Struct("<Q")
_KEEP = 4096  # payloads longer than this are data, never import names: skipped, not read


class Stop(Exception):
    """The walk cannot go on: ``kind`` and ``message`` say why, ``offset`` where."""

    def __init__(self, kind: str, offset: int, message: str) -> None:
        super().__init__(message)
        self.kind, self.offset, self.message = kind, offset, message


class PickleMachine(DataOpcodes):
    """Walks one stream; the owner reads ``scan`` afterwards."""

    def __init__(self, reader: ByteReader, limits: PickleLimits, scan: StreamScan, depth: int,
                 on_build: Callable[[PickleMachine, Instance], None]) -> None:
        self.reader = reader
        self.limits = limits
        self.scan = scan
        self.depth = depth
        self.stack: list[Value] = []
        self.marks: list[int] = []
        self.memo: dict[int, Value] = {}
        self.name = ""
        self.done = False
        self._on_build = on_build
        self._dispatch: dict[int, Callable[[], None]] = {
            code: getattr(self, "op_" + name) for code, (name, _) in OPCODES.items()
        }

    def run(self) -> None:
        """Execute opcodes symbolically until STOP (or raise ``Stop``)."""
        stack, dispatch = self.stack, self._dispatch
        read_opcode, max_stack = self.reader.read_opcode, self.limits.max_stack
        count = 0
        try:
            while not self.done:
                code = read_opcode()
                handler = dispatch.get(code)
                if handler is None:
                    raise Stop("malformed", self.offset, f"invalid opcode 0x{code:02x}")
                handler()
                count += 1
                if len(stack) > max_stack:
                    raise Stop("limit", self.offset, f"pickle stack deeper than {max_stack} items")
        finally:
            self.scan.opcodes += count

    # -- stack helpers -------------------------------------------------
    def pop(self) -> Value:
        floor = self.marks[-1] if self.marks else 0
        if len(self.stack) <= floor:
            raise Stop("malformed", self.offset, "stack underflow")
        return self.stack.pop()

    def top(self) -> Value:
        floor = self.marks[-1] if self.marks else 0
        if len(self.stack) <= floor:
            raise Stop("malformed", self.offset, "stack underflow")
        return self.stack[-1]

    def pop_mark(self) -> list[Value]:
        if not self.marks:
            raise Stop("malformed", self.offset, "MARK expected")
        start = self.marks.pop()
        items = self.stack[start:]
        del self.stack[start:]
        return items

    @property
    def offset(self) -> int:
        """Offset of the opcode being executed."""
        return self.reader.op_offset

    def stop(self, kind: str, message: str) -> Exception:
        return Stop(kind, self.offset, message)

    def payload(self, n: int) -> bytes | None:
        if n > _KEEP:
            self.reader.skip(n)
            return None
        return self.reader.read(n)

    def line(self) -> bytes:
        return self.reader.readline(self.limits.max_line)[:-1]

    def make_global(self, module: Value, attr: Value, opcode: str) -> GlobalRef:
        if not isinstance(module, str) or not isinstance(attr, str):
            from mlaudit.formats.pickle_ops import PickleProblem

            self.scan.problems.append(PickleProblem(
                "unresolved-global", self.offset,
                f"{opcode} whose module or name is not a plain string (cannot be judged statically)"))
            ref = GlobalRef("?", "?", self.offset, opcode)
        else:
            ref = GlobalRef(module, attr, self.offset, opcode)
        self.scan.imports.append(ref)
        return ref

    def call(self, target: Value, opcode: str, args: Value) -> Value:
        if isinstance(target, GlobalRef):
            from mlaudit.formats.pickle_ops import PickleCall

            self.scan.calls.append(PickleCall(target, opcode, self.offset))
            return Instance(target, args)
        return OPAQUE

    def memo_put(self, idx: int) -> None:
        memo = self.memo
        if len(memo) >= self.limits.max_memo and idx not in memo:
            raise Stop("limit", self.offset, f"pickle memo larger than {self.limits.max_memo} entries")
        stack = self.stack
        if len(stack) <= (self.marks[-1] if self.marks else 0):
            raise Stop("malformed", self.offset, "stack underflow")
        memo[idx] = stack[-1]

    def memo_get(self, idx: object) -> None:
        if idx not in self.memo:
            raise Stop("malformed", self.offset, f"memo entry {idx!r} fetched but never stored")
        self.stack.append(self.memo[idx])

    def text_int(self) -> int:
        raw = self.line()
        try:
            return int(raw)
        except ValueError:
            raise Stop("malformed", self.offset, "non-integer memo index") from None

    # -- opcodes -------------------------------------------------------
    def op_MARK(self) -> None:
        if len(self.marks) >= self.limits.max_marks:
            raise Stop("limit", self.offset, f"more than {self.limits.max_marks} nested MARKs")
        self.marks.append(len(self.stack))

    def op_STOP(self) -> None:
        self.scan.result = self.pop()
        self.scan.complete = True
        self.done = True

    def op_POP(self) -> None:
        if self.marks and self.marks[-1] == len(self.stack):
            self.marks.pop()
        else:
            self.pop()

    def op_POP_MARK(self) -> None:
        self.pop_mark()

    def op_DUP(self) -> None:
        self.stack.append(self.top())

    def op_PERSID(self) -> None:
        self.line()
        self.stack.append(OPAQUE)

    def op_BINPERSID(self) -> None:
        self.pop()
        self.stack.append(OPAQUE)

    def op_REDUCE(self) -> None:
        args = self.pop()
        self.stack.append(self.call(self.pop(), "REDUCE", args))

    def op_BUILD(self) -> None:
        state = self.pop()
        obj = self.top()
        if isinstance(obj, Instance):
            from mlaudit.formats.pickle_ops import PickleCall

            self.scan.calls.append(PickleCall(obj.cls, "BUILD", self.offset))
            obj.state = state
            if obj.cls.dotted in JOBLIB_WRAPPERS:
                self._on_build(self, obj)
                self.stack[-1] = OPAQUE

    def op_GLOBAL(self) -> None:
        module, attr = _text(self.line()), _text(self.line())
        self.stack.append(self.make_global(module, attr, "GLOBAL"))

    def op_STACK_GLOBAL(self) -> None:
        attr = self.pop()
        self.stack.append(self.make_global(self.pop(), attr, "STACK_GLOBAL"))

    def op_INST(self) -> None:
        module, attr = _text(self.line()), _text(self.line())
        ref = self.make_global(module, attr, "INST")
        self.stack.append(self.call(ref, "INST", make_tuple(self.pop_mark())))

    def op_OBJ(self) -> None:
        items = self.pop_mark()
        if not items:
            raise Stop("malformed", self.offset, "OBJ without a class")
        self.stack.append(self.call(items[0], "OBJ", make_tuple(items[1:])))

    def op_NEWOBJ(self) -> None:
        args = self.pop()
        self.stack.append(self.call(self.pop(), "NEWOBJ", args))

    def op_NEWOBJ_EX(self) -> None:
        self.pop()  # keyword arguments
        args = self.pop()
        self.stack.append(self.call(self.pop(), "NEWOBJ_EX", args))

    def _extension(self, code: int, opcode: str) -> None:
        # The registry is the loader's, not ours (CPython ships it empty): a
        # code we cannot resolve is an import nobody can judge statically.
        key = copyreg._inverted_registry.get(code)  # type: ignore[attr-defined]
        if key is None:
            from mlaudit.formats.pickle_ops import PickleProblem

            self.scan.problems.append(PickleProblem(
                "extension", self.offset, f"{opcode} code {code}: import through the copyreg extension registry"))
            ref = GlobalRef("copyreg.extension", str(code), self.offset, opcode)
        else:
            ref = GlobalRef(key[0], key[1], self.offset, opcode)
        self.scan.imports.append(ref)
        self.stack.append(ref)

    def op_EXT1(self) -> None:
        self._extension(self.reader.read_byte(), "EXT1")

    def op_EXT2(self) -> None:
        self._extension(_U2.unpack(self.reader.read(2))[0], "EXT2")

    def op_EXT4(self) -> None:
        self._extension(_I4.unpack(self.reader.read(4))[0], "EXT4")

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

    def op_PROTO(self) -> None:
        version = self.reader.read_byte()
        self.scan.protocol = version
        if version > HIGHEST_PROTOCOL:
            raise Stop("malformed", self.offset, f"unsupported pickle protocol {version}")

    def op_FRAME(self) -> None:
        length = _U8.unpack(self.reader.read(8))[0]
        left = self.reader.remaining_hint()
        if left is not None and length > left:
            raise Stop("malformed", self.offset, f"FRAME of {length} bytes, only {left} left")

    def op_READONLY_BUFFER(self) -> None:
        self.top()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")
