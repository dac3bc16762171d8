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
nested pickles are walked too. FRAME boundaries are read as CPython's C
unpickler reads them (not at all); where its pure-Python reader would read the
stream differently, that is a problem of its own. A limit does not end the
scan: the rest of the stream is swept for imports (``pickle_sweep``). A field
that holds a pickle (raw, hex or base64) is walked as an ``EmbeddedPickle``.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded, Truncated
from mlaudit.formats.pickle_joblib import joblib_array_layout
from mlaudit.formats.pickle_machine import PickleMachine, Stop
from mlaudit.formats.pickle_values import OPAQUE, GlobalRef, Instance, Value


class PickleLimits(NamedTuple):
    """Ceilings that turn hostile pickles into a problem instead of a hang or a memory blow-up."""

    max_stack: int = 1_000_000
    max_marks: int = 100_000
    max_memo: int = 1_000_000
    max_line: int = 1 << 20
    max_nested: int = 4


class PickleProblem(NamedTuple):
    """Why a stream could not be followed to its end (or something in it cannot be judged)."""

    kind: str  # malformed | truncated | limit | unparsed | unresolved-global | extension | trailing-data | ...
    offset: int
    message: str


class PickleCall(NamedTuple):
    """A global that the stream calls or instantiates (REDUCE, NEWOBJ, OBJ, INST, BUILD)."""

    target: GlobalRef
    opcode: str
    offset: int


class EmbeddedPickle(NamedTuple):
    """A pickle held in a bytes or str field of another pickle (runs if the application unpickles it)."""

    offset: int
    opcode: str
    encoding: str  # raw | hex | base64
    scan: StreamScan


class StreamScan:
    """What one walk found: imports, calls and problems, plus where the stream(s) ended."""

    __slots__ = ("calls", "complete", "embedded", "imports", "opcodes", "problems", "protocol", "result", "searched",
                 "swept")

    def __init__(self) -> None:
        # A plain class, not a dataclass: this module sits on `mlaudit scan`'s start-up path.
        self.imports: list[GlobalRef] = []
        self.calls: list[PickleCall] = []
        self.problems: list[PickleProblem] = []
        self.embedded: list[EmbeddedPickle] = []
        self.swept = 0
        """Opcodes read after a limit by the stackless sweep."""
        self.searched = 0
        """Bytes searched for import patterns where the opcodes could not be followed."""
        self.protocol: int | None = None
        self.complete = False
        self.result: Value = OPAQUE
        self.opcodes = 0

    def merge(self, other: StreamScan) -> None:
        """Add another stream's facts to this one."""
        self.imports.extend(other.imports)
        self.calls.extend(other.calls)
        self.problems.extend(other.problems)
        self.embedded.extend(other.embedded)
        self.opcodes += other.opcodes
        self.swept += other.swept
        self.searched += other.searched


def walk_stream(reader: ByteReader, limits: PickleLimits | None = None, *, depth: int = 0) -> StreamScan:
    """Walk one pickle stream from the reader's position up to and including its STOP."""
    limits = limits or PickleLimits()
    scan = StreamScan()
    machine = PickleMachine(reader, limits, scan, depth, _skip_joblib_array)
    try:
        machine.run()
    except Stop as stop:
        scan.problems.append(PickleProblem(stop.kind, stop.offset, stop.message))
        if stop.kind == "limit":
            from mlaudit.formats.pickle_sweep import sweep_imports  # rare: kept off the start-up path

            scan.swept = sweep_imports(reader, scan, stop.skip_lines)
        elif stop.kind == "unparsed":
            from mlaudit.formats.pickle_sweep import search_imports

            scan.searched = search_imports(reader, scan)
    except Truncated:
        scan.problems.append(PickleProblem(
            "truncated", machine.offset, f"{machine.opname} at byte {machine.offset}: the data ends before "
                                         f"its argument (stream ends at byte {reader.tell()})"))
    except LimitExceeded:
        scan.problems.append(PickleProblem(
            "limit", machine.offset, f"{machine.opname} at byte {machine.offset}: the stream is longer than "
                                     "the expansion limit"))
    except (ValueError, OverflowError, struct.error, RecursionError):
        # Hostile arguments that a decoder refuses (bad UTF-8, out-of-range lengths): the real
        # unpickler raises there too; the message names the place, not the decoder's text.
        scan.problems.append(PickleProblem(
            "malformed", machine.offset, f"{machine.opname} at byte {machine.offset} has an argument that "
                                         "does not decode"))
    return scan


def _skip_joblib_array(machine: PickleMachine, wrapper: Instance) -> None:
    reader, limits = machine.reader, machine.limits
    layout = joblib_array_layout(wrapper.state)
    if layout is None:
        # joblib.load reads the array whatever its state says, then unpickles on: the opcodes after it
        # cannot be found, so the rest is searched for imports (pickle_sweep.search_imports).
        raise Stop("unparsed", machine.offset, f"BUILD at byte {machine.offset}: a joblib array wrapper whose "
                                               "state does not say how much raw data follows")
    if layout.has_object:
        if machine.depth >= limits.max_nested:
            raise Stop("limit", machine.offset, "joblib object arrays nested too deep")
        nested = walk_stream(reader, limits, depth=machine.depth + 1)
        machine.scan.merge(nested)
        if not nested.complete:
            raise Stop("malformed", reader.tell(), "nested joblib pickle did not end")
        return
    if layout.aligned:
        reader.skip(reader.read_byte())
    reader.skip(layout.nbytes)
