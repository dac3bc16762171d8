"""The symbolic pickle machine: one method per opcode, dispatched from a table built once per class.

It mirrors ``pickle._Unpickler`` (stack, mark stack, memo) with symbolic values
instead of objects, so it checks what the real unpickler checks (stack
underflow, missing memo entries, unknown opcodes) and stops where it would
stop. See ``pickle_ops`` for what is reported.
"""

from __future__ import annotations

import copyreg
import struct
from collections.abc import Callable
from typing import ClassVar

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded
from mlaudit.formats.pickle_data_ops import DataOpcodes
from mlaudit.formats.pickle_embedded import EmbeddedFields
from mlaudit.formats.pickle_joblib import JOBLIB_WRAPPERS
from mlaudit.formats.pickle_memo_ops import MemoOpcodes
from mlaudit.formats.pickle_opcodes import HIGHEST_PROTOCOL, OPCODES
from mlaudit.formats.pickle_scan import PickleCall, PickleLimits, PickleProblem, StreamScan
from mlaudit.formats.pickle_values import OPAQUE, GlobalRef, Instance, Value, expanded_size, make_tuple

_U2 = struct.Struct("<H")
_I4 = struct.Struct("<i")
_U8 = struct.Struct("<Q")
EXPANSION_LIMIT = 100_000_000  # expanded nodes of the returned object (a billion-laughs pickle: 2**40)


NO_FRAME = 1 << 62  # frame_end outside any FRAME: no offset reaches it


class Stop(Exception):
    """The walk cannot go on: ``kind`` and ``message`` say why, ``offset`` where.

    ``skip_lines``: after a line over the limit, how many lines of the opcode are left to skip.
    """

    def __init__(self, kind: str, offset: int, message: str, skip_lines: int = 0) -> None:
        super().__init__(message)
        self.kind, self.offset, self.message, self.skip_lines = kind, offset, message, skip_lines


class PickleMachine(EmbeddedFields, MemoOpcodes, DataOpcodes):
    """Walks one stream; the owner reads ``scan`` afterwards."""

    DISPATCH: ClassVar[dict[int, Callable[[PickleMachine], None]]] = {}
    """Opcode to handler (an unbound method), filled once below the class: discovery walks thousands of
    small files, and building the table per walk was most of the cost of a trial walk."""

    def __init__(self, reader: ByteReader, limits: PickleLimits, scan: StreamScan, depth: int,
                 on_build: Callable[[PickleMachine, Instance], None],
                 walk_nested: Callable[[ByteReader, PickleLimits, int], StreamScan]) -> None:
        self.reader = reader
        self.limits = limits
        self.scan = scan
        self.depth = depth
        self.stack: list[Value] = []
        self.marks: list[int] = []
        self.memo: dict[int, Value] = {}
        self.name = ""
        self.done = False
        self.code = 0
        """The opcode being executed (named in problems)."""
        self.frame_end = NO_FRAME
        """Where the current FRAME ends (CPython's pure-Python reader enforces it, the C one does not)."""
        self.seen_proto = False
        self.memo_overflow = False
        """True once the memo ceiling dropped an entry."""
        self._on_build = on_build
        self.walk_nested = walk_nested
        """Walks a pickle held in a field (``pickle_ops.walk_stream``, handed down: it sits above the machine)."""

    def run(self) -> None:
        """Execute opcodes symbolically until STOP (or raise ``Stop``)."""
        stack, dispatch, reader = self.stack, self.DISPATCH, self.reader
        read_opcode, max_stack = reader.read_opcode, self.limits.max_stack
        count = 0
        try:
            while not self.done:
                code = read_opcode()
                if reader.op_offset >= self.frame_end:  # self.code is still the previous opcode here
                    self._frame_passed()
                self.code = code
                handler = dispatch.get(code)
                if handler is None:
                    raise Stop("malformed", self.offset, f"invalid opcode 0x{code:02x} at byte {self.offset}")
                handler(self)
                count += 1
                if len(stack) > max_stack:
                    raise Stop("limit", self.offset, f"pickle stack deeper than {max_stack} items")
        finally:
            self.scan.opcodes += count

    @property
    def opname(self) -> str:
        """Name of the opcode being executed."""
        entry = OPCODES.get(self.code)
        return entry[0] if entry else f"0x{self.code:02x}"

    def problem(self, kind: str, message: str) -> None:
        """Record a problem that does not stop the walk."""
        self.scan.problems.append(PickleProblem(kind, self.offset, message))

    def _frame_passed(self) -> None:
        """The opcode just read starts at or past the frame's end: if past, the previous one straddled it."""
        end, start = self.frame_end, self.reader.op_offset
        self.frame_end = NO_FRAME
        if start > end:
            self.scan.problems.append(PickleProblem("frame-divergence", end, (
                f"{self.opname} reads across the end of the FRAME at byte {end} (the next opcode starts at byte "
                f"{start}): CPython's C unpickler (pickle.load, torch.load) reads on, its pure-Python unpickler "
                "and frame-bounded scanners stop there, so they see different pickles")))

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

    def line(self, lines_after: int = 0) -> bytes:
        try:
            return self.reader.readline(self.limits.max_line)[:-1]
        except LimitExceeded:
            raise Stop("limit", self.offset, f"{self.opname} at byte {self.offset} has a line longer than "
                                             f"{self.limits.max_line} bytes", skip_lines=1 + lines_after) from None

    def name_line(self, encoding: str, lines_after: int = 0) -> str:
        """A module or class name line of GLOBAL (UTF-8) or INST (ASCII), decoded as CPython decodes it.

        Bytes that do not decode stop both of CPython's unpicklers (UnicodeDecodeError) before they import
        anything: the walk stops there too, so raw data that happens to hold 'c' or 'i' is no import.
        """
        raw = self.line(lines_after)
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            raise Stop("malformed", self.offset, f"{self.opname} at byte {self.offset} names a module or class in "
                                                 f"bytes that are not {encoding.upper()} text: the unpickler stops "
                                                 "there, before importing anything") from None

    def make_global(self, module: Value, attr: Value, opcode: str) -> GlobalRef:
        if not isinstance(module, str) or not isinstance(attr, str):
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
            calls = self.scan.calls
            calls.append(PickleCall(target, opcode, self.offset))
            if isinstance(args, tuple):
                # A callable handed to a call may be called by it (copyreg._reconstructor calls
                # base.__init__, functools.partial wraps it): it counts as called.
                for arg in args:
                    if isinstance(arg, GlobalRef):
                        calls.append(PickleCall(arg, f"passed to {target.dotted} by {opcode}", self.offset))
            return Instance(target, args)
        return OPAQUE

    # -- opcodes -------------------------------------------------------
    def op_MARK(self) -> None:
        if len(self.marks) >= self.limits.max_marks:
            raise Stop("limit", self.offset, f"more than {self.limits.max_marks} nested MARKs")
        self.marks.append(len(self.stack))

    def op_STOP(self) -> None:
        self.scan.result = self.pop()
        self.scan.complete = True
        self.done = True
        size = expanded_size(self.scan.result, EXPANSION_LIMIT)
        if size >= EXPANSION_LIMIT:
            self.problem("suspicious", f"the object STOP at byte {self.offset} returns expands to more than "
                                       f"{EXPANSION_LIMIT:,} items through shared references (memo/DUP expansion): "
                                       "printing, copying or serialising it exhausts memory")

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
        if isinstance(obj, GlobalRef):  # BUILD on an imported object calls its __setstate__
            self.scan.calls.append(PickleCall(obj, "BUILD", self.offset))
        if isinstance(obj, Instance):
            self.scan.calls.append(PickleCall(obj.cls, "BUILD", self.offset))
            obj.state = state
            if obj.cls.dotted in JOBLIB_WRAPPERS:
                self._on_build(self, obj)
                self.frame_end = NO_FRAME  # joblib writes the array after closing the frame
                self.stack[-1] = OPAQUE

    def op_GLOBAL(self) -> None:
        module = self.name_line("utf-8", 1)
        attr = self.name_line("utf-8")
        self.stack.append(self.make_global(module, attr, "GLOBAL"))

    def op_STACK_GLOBAL(self) -> None:
        attr = self.pop()
        self.stack.append(self.make_global(self.pop(), attr, "STACK_GLOBAL"))

    def op_INST(self) -> None:
        module = self.name_line("ascii", 1)
        attr = self.name_line("ascii")
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

    def op_PROTO(self) -> None:
        version = self.reader.read_byte()
        if self.seen_proto:
            self.problem("suspicious", f"PROTO at byte {self.offset} repeats the protocol header "
                                      "(CPython never writes two; a sign of a spliced pickle)")
        self.seen_proto = True
        self.scan.protocol = version
        if version > HIGHEST_PROTOCOL:
            raise Stop("malformed", self.offset, f"unsupported pickle protocol {version}")

    def op_FRAME(self) -> None:
        length = _U8.unpack(self.reader.read(8))[0]
        left = self.reader.remaining_hint()
        if left is not None and length > left:
            raise Stop("malformed", self.offset, f"FRAME at byte {self.offset} declares {length} bytes, "
                                                 f"only {left} left")
        if self.offset < self.frame_end != NO_FRAME:
            self.problem("suspicious", f"FRAME at byte {self.offset} starts inside the frame ending at byte "
                                      f"{self.frame_end} (frames in frames: the pure-Python unpickler refuses it)")
        self.frame_end = self.reader.tell() + length if length else NO_FRAME

    def op_READONLY_BUFFER(self) -> None:
        self.top()


PickleMachine.DISPATCH.update({code: getattr(PickleMachine, "op_" + name) for code, (name, _) in OPCODES.items()})

