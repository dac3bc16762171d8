"""A streaming pickle opcode walker that never unpickles: which globals a pickle imports and calls.

It follows the stack and the memo symbolically (``pickle_values``), so imports
spelled indirectly are still seen: ``STACK_GLOBAL`` whose module and name come
from ``BINGET`` of memoized strings, ``INST``/``OBJ``/``NEWOBJ``/``NEWOBJ_EX``/
``REDUCE``/``BUILD`` on them, ``EXT1/2/4`` codes of the copyreg registry. A
stream that breaks after a dangerous call still reports everything before the
break (the real unpickler would already have run it). Hard limits on stack,
marks, memo and line lengths make hostile input end in a ``PickleProblem``;
large byte payloads are skipped by seeking, so memory does not grow with the
file. joblib's inline array data (raw bytes after a ``NumpyArrayWrapper``'s
``BUILD``) is skipped by the size its state declares, and object arrays'
nested pickles are walked too.
"""

from __future__ import annotations

import codecs
import copyreg
import struct
from dataclasses import dataclass, field

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded, Truncated
from mlaudit.formats.pickle_joblib import JOBLIB_WRAPPERS, joblib_array_layout
from mlaudit.formats.pickle_opcodes import HIGHEST_PROTOCOL, OPCODES, Arg
from mlaudit.formats.pickle_values import (
    MARK,
    OPAQUE,
    GlobalRef,
    Instance,
    TrackedDict,
    TrackedList,
    Value,
    dict_update,
    list_extend,
    make_tuple,
    small_str,
)

_U2 = struct.Struct("<H")
_I4 = struct.Struct("<i")
_U4 = struct.Struct("<I")
_U8 = struct.Struct("<Q")


@dataclass(frozen=True)
class PickleLimits:
    """Ceilings that turn hostile pickles into a problem instead of a hang or a memory blow-up."""

    max_stack: int = 1_000_000
    max_marks: int = 100_000
    max_memo: int = 1_000_000
    max_line: int = 1 << 20
    max_nested: int = 4


@dataclass(frozen=True)
class PickleProblem:
    """Why a stream could not be followed to its end (or something in it cannot be judged)."""

    kind: str  # malformed | truncated | limit | unresolved-global | extension | trailing-data
    offset: int
    message: str


@dataclass(frozen=True)
class PickleCall:
    """A global that the stream calls or instantiates (REDUCE, NEWOBJ, OBJ, INST, BUILD)."""

    target: GlobalRef
    opcode: str
    offset: int


@dataclass
class StreamScan:
    """What one walk found: imports, calls and problems, plus where the stream(s) ended."""

    imports: list[GlobalRef] = field(default_factory=list)
    calls: list[PickleCall] = field(default_factory=list)
    problems: list[PickleProblem] = field(default_factory=list)
    protocol: int | None = None
    complete: bool = False
    result: Value = OPAQUE
    opcodes: int = 0

    def merge(self, other: StreamScan) -> None:
        """Add another stream's facts to this one."""
        self.imports.extend(other.imports)
        self.calls.extend(other.calls)
        self.problems.extend(other.problems)
        self.opcodes += other.opcodes


class _Stop(Exception):
    def __init__(self, problem: PickleProblem) -> None:
        self.problem = problem


def walk_stream(reader: ByteReader, limits: PickleLimits = PickleLimits(), *, depth: int = 0) -> StreamScan:
    """Walk one pickle stream from the reader's position up to and including its STOP."""
    scan = StreamScan()
    try:
        _walk(reader, limits, scan, depth)
    except _Stop as stop:
        scan.problems.append(stop.problem)
    except Truncated as exc:
        scan.problems.append(PickleProblem("truncated", reader.tell(), f"truncated pickle: {exc}"))
    except LimitExceeded as exc:
        scan.problems.append(PickleProblem("limit", reader.tell(), str(exc)))
    return scan


def _walk(reader: ByteReader, limits: PickleLimits, scan: StreamScan, depth: int) -> None:
    stack: list[Value] = []
    marks: list[int] = []
    memo: dict[int, Value] = {}
    max_line = limits.max_line

    def fail(kind: str, offset: int, message: str) -> _Stop:
        return _Stop(PickleProblem(kind, offset, message))

    def pop() -> Value:
        floor = marks[-1] if marks else 0
        if len(stack) <= floor:
            raise fail("malformed", offset, f"stack underflow at {name}")
        return stack.pop()

    def pop_mark() -> list[Value]:
        if not marks:
            raise fail("malformed", offset, f"{name} without MARK")
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    def top() -> Value:
        floor = marks[-1] if marks else 0
        if len(stack) <= floor:
            raise fail("malformed", offset, f"stack underflow at {name}")
        return stack[-1]

    def make_global(module: Value, attr: Value, opcode: str) -> GlobalRef:
        if not isinstance(module, str) or not isinstance(attr, str):
            scan.problems.append(PickleProblem(
                "unresolved-global", offset,
                f"{opcode} whose module or name is not a plain string (cannot be judged statically)"))
            ref = GlobalRef("?", "?", offset, opcode)
        else:
            ref = GlobalRef(module, attr, offset, opcode)
        scan.imports.append(ref)
        return ref

    def call(target: Value, opcode: str, args: Value) -> Value:
        if isinstance(target, GlobalRef):
            scan.calls.append(PickleCall(target, opcode, offset))
            return Instance(target, args)
        return OPAQUE

    while True:
        offset = reader.tell()
        code = reader.read_byte()
        spec = OPCODES.get(code)
        if spec is None:
            raise fail("malformed", offset, f"invalid opcode 0x{code:02x}")
        name, kind = spec
        scan.opcodes += 1
        if len(stack) > limits.max_stack:
            raise fail("limit", offset, f"pickle stack deeper than {limits.max_stack} items")

        # Argument decoding first (by encoding), then the stack effect (by name).
        arg: object = None
        if kind is Arg.U1:
            arg = reader.read_byte()
        elif kind is Arg.BYTES_U1:
            n = reader.read_byte()
            arg = reader.read(n)
        elif kind is Arg.I4:
            arg = _I4.unpack(reader.read(4))[0]
        elif kind is Arg.U4:
            arg = _U4.unpack(reader.read(4))[0]
        elif kind is Arg.U2:
            arg = _U2.unpack(reader.read(2))[0]
        elif kind is Arg.U8:
            arg = _U8.unpack(reader.read(8))[0]
        elif kind is Arg.F8:
            reader.skip(8)
        elif kind in (Arg.BYTES_I4, Arg.BYTES_U4, Arg.BYTES_U8):
            if kind is Arg.BYTES_I4:
                n = _I4.unpack(reader.read(4))[0]
                if n < 0:
                    raise fail("malformed", offset, f"{name} with negative length {n}")
            elif kind is Arg.BYTES_U4:
                n = _U4.unpack(reader.read(4))[0]
            else:
                n = _U8.unpack(reader.read(8))[0]
            # Long payloads are data, never import names: skip them without reading.
            if n > 4096 and name not in ("LONG4",):
                reader.skip(n)
                arg = None
            elif name == "LONG4" and n > 64:
                reader.skip(n)
                arg = None
            else:
                arg = reader.read(n)
        elif kind is Arg.LINE:
            arg = reader.readline(max_line)[:-1]
        elif kind is Arg.TWO_LINES:
            arg = (reader.readline(max_line)[:-1], reader.readline(max_line)[:-1])

        if name == "BINPUT" or name == "LONG_BINPUT" or name == "PUT" or name == "MEMOIZE":
            if name == "MEMOIZE":
                idx = len(memo)
            elif name == "PUT":
                idx = _parse_int(arg, offset, name)
            else:
                idx = arg  # type: ignore[assignment]
            if len(memo) >= limits.max_memo and idx not in memo:
                raise fail("limit", offset, f"pickle memo larger than {limits.max_memo} entries")
            memo[idx] = top()  # type: ignore[index]
        elif name == "BINGET" or name == "LONG_BINGET" or name == "GET":
            idx = _parse_int(arg, offset, name) if name == "GET" else arg
            if idx not in memo:
                raise fail("malformed", offset, f"{name} of memo entry {idx!r} that was never stored")
            stack.append(memo[idx])  # type: ignore[index]
        elif name == "SHORT_BINUNICODE" or name == "BINUNICODE" or name == "BINUNICODE8":
            stack.append(OPAQUE if arg is None else _utf8(arg))  # type: ignore[arg-type]
        elif name == "MARK":
            if len(marks) >= limits.max_marks:
                raise fail("limit", offset, f"more than {limits.max_marks} nested MARKs")
            marks.append(len(stack))
        elif name in ("BININT", "BININT1", "BININT2"):
            stack.append(arg)  # type: ignore[arg-type]
        elif name == "TUPLE":
            stack.append(make_tuple(pop_mark()))
        elif name == "TUPLE1":
            stack.append((pop(),))
        elif name == "TUPLE2":
            b = pop()
            stack.append((pop(), b))
        elif name == "TUPLE3":
            c = pop()
            b = pop()
            stack.append((pop(), b, c))
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name == "NONE":
            stack.append(None)
        elif name == "NEWTRUE" or name == "NEWFALSE":
            stack.append(name == "NEWTRUE")
        elif name == "REDUCE":
            args = pop()
            stack.append(call(pop(), name, args))
        elif name == "NEWOBJ":
            args = pop()
            stack.append(call(pop(), name, args))
        elif name == "NEWOBJ_EX":
            pop()  # kwargs
            args = pop()
            stack.append(call(pop(), name, args))
        elif name == "BUILD":
            state = pop()
            obj = top()
            if isinstance(obj, Instance):
                scan.calls.append(PickleCall(obj.cls, name, offset))
                obj.state = state
                if obj.cls.dotted in JOBLIB_WRAPPERS:
                    _skip_joblib_array(reader, obj, limits, scan, depth, offset)
                    stack[-1] = OPAQUE
        elif name == "GLOBAL":
            module, attr = arg  # type: ignore[misc]
            stack.append(make_global(_text(module), _text(attr), name))
        elif name == "STACK_GLOBAL":
            attr_v = pop()
            stack.append(make_global(pop(), attr_v, name))
        elif name == "INST":
            module, attr = arg  # type: ignore[misc]
            ref = make_global(_text(module), _text(attr), name)
            stack.append(call(ref, name, make_tuple(pop_mark())))
        elif name == "OBJ":
            items = pop_mark()
            if not items:
                raise fail("malformed", offset, "OBJ without a class")
            stack.append(call(items[0], name, make_tuple(items[1:])))
        elif name in ("EXT1", "EXT2", "EXT4"):
            stack.append(_extension(arg, offset, name, scan))  # type: ignore[arg-type]
        elif name == "EMPTY_DICT":
            stack.append(TrackedDict())
        elif name == "EMPTY_LIST" or name == "EMPTY_SET":
            stack.append(TrackedList())
        elif name == "DICT":
            d = TrackedDict()
            dict_update(d, pop_mark())
            stack.append(d)
        elif name == "LIST":
            lst = TrackedList()
            list_extend(lst, pop_mark())
            stack.append(lst)
        elif name == "FROZENSET":
            stack.append(make_tuple(pop_mark()))
        elif name == "APPEND":
            v = pop()
            list_extend(top(), [v])
        elif name == "APPENDS" or name == "ADDITEMS":
            items = pop_mark()
            list_extend(top(), items)
        elif name == "SETITEM":
            v = pop()
            k = pop()
            dict_update(top(), [k, v])
        elif name == "SETITEMS":
            items = pop_mark()
            dict_update(top(), items)
        elif name in ("SHORT_BINSTRING", "BINSTRING"):
            stack.append(OPAQUE if arg is None else small_str(arg.decode("latin-1")))  # type: ignore[attr-defined]
        elif name in ("SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8", "BINFLOAT", "NEXT_BUFFER"):
            stack.append(OPAQUE)
        elif name in ("LONG1", "LONG4"):
            stack.append(OPAQUE if arg is None else int.from_bytes(arg, "little", signed=True))  # type: ignore[arg-type]
        elif name == "INT" or name == "LONG":
            stack.append(_parse_int_literal(arg))  # type: ignore[arg-type]
        elif name == "FLOAT":
            stack.append(OPAQUE)
        elif name == "STRING":
            stack.append(_string_literal(arg))  # type: ignore[arg-type]
        elif name == "UNICODE":
            stack.append(_unicode_literal(arg))  # type: ignore[arg-type]
        elif name == "BINPERSID":
            pop()
            stack.append(OPAQUE)
        elif name == "PERSID":
            stack.append(OPAQUE)
        elif name == "POP":
            if marks and marks[-1] == len(stack):
                marks.pop()
            else:
                pop()
        elif name == "POP_MARK":
            pop_mark()
        elif name == "DUP":
            stack.append(top())
        elif name == "PROTO":
            scan.protocol = arg  # type: ignore[assignment]
            if arg > HIGHEST_PROTOCOL:  # type: ignore[operator]
                raise fail("malformed", offset, f"unsupported pickle protocol {arg}")
        elif name == "FRAME":
            hint = reader.remaining_hint()
            if hint is not None and arg > hint:  # type: ignore[operator]
                raise fail("malformed", offset, f"FRAME of {arg} bytes, only {hint} left")
        elif name == "READONLY_BUFFER":
            top()
        elif name == "STOP":
            scan.result = pop()
            scan.complete = True
            return
        else:  # pragma: no cover - every table entry is handled above
            raise fail("malformed", offset, f"unhandled opcode {name}")


def _skip_joblib_array(reader: ByteReader, wrapper: Instance, limits: PickleLimits, scan: StreamScan,
                       depth: int, offset: int) -> None:
    layout = joblib_array_layout(wrapper.state)
    if layout is None:
        raise _Stop(PickleProblem("malformed", offset,
                                  "joblib array wrapper whose state does not say how much data follows"))
    if layout.has_object:
        if depth >= limits.max_nested:
            raise _Stop(PickleProblem("limit", offset, "joblib object arrays nested too deep"))
        nested = walk_stream(reader, limits, depth=depth + 1)
        scan.merge(nested)
        if not nested.complete:
            raise _Stop(PickleProblem("malformed", reader.tell(), "nested joblib pickle did not end"))
        return
    if layout.aligned:
        pad = reader.read_byte()
        reader.skip(pad)
    reader.skip(layout.nbytes)


def _extension(code: int, offset: int, opcode: str, scan: StreamScan) -> Value:
    # The registry is the loader's, not ours; CPython ships it empty. A code we
    # can resolve here is judged by its name; one we cannot is an import nobody
    # can judge statically.
    key = copyreg._inverted_registry.get(code)  # type: ignore[attr-defined]
    if key is None:
        scan.problems.append(PickleProblem(
            "extension", offset, f"{opcode} code {code}: import through the copyreg extension registry"))
        ref = GlobalRef("copyreg.extension", str(code), offset, opcode)
    else:
        ref = GlobalRef(key[0], key[1], offset, opcode)
    scan.imports.append(ref)
    return ref


def _text(raw: object) -> str:
    assert isinstance(raw, bytes)
    return raw.decode("utf-8", "surrogateescape")


def _utf8(raw: bytes) -> Value:
    try:
        return small_str(raw.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return OPAQUE


def _parse_int(arg: object, offset: int, name: str) -> int:
    try:
        return int(arg)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        raise _Stop(PickleProblem("malformed", offset, f"{name} with a non-integer argument")) from None


def _parse_int_literal(raw: bytes) -> Value:
    if raw == b"01":
        return True
    if raw == b"00":
        return False
    try:
        return int(raw.rstrip(b"L")) if len(raw) <= 64 else OPAQUE
    except ValueError:
        return OPAQUE


def _string_literal(raw: bytes) -> Value:
    if len(raw) >= 2 and raw[:1] == raw[-1:] and raw[:1] in (b"'", b'"'):
        try:
            return small_str(codecs.escape_decode(raw[1:-1])[0].decode("latin-1"))  # type: ignore[attr-defined]
        except (ValueError, UnicodeDecodeError):
            return OPAQUE
    return OPAQUE


def _unicode_literal(raw: bytes) -> Value:
    try:
        return small_str(raw.decode("raw-unicode-escape"))
    except UnicodeDecodeError:
        return OPAQUE
