"""What a walk of a pickle stream finds, and the limits it walks under: the types the walker's parts share.

A leaf below the machine (``pickle_machine`` and its mixins), the sweep and the
walker (``pickle_ops``, which re-exports these names): each records into a
``StreamScan`` without importing the others.
"""

from __future__ import annotations

from typing import NamedTuple

from mlaudit.formats.pickle_values import OPAQUE, GlobalRef, Value


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
