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

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded, Truncated
from mlaudit.formats.pickle_joblib import joblib_array_layout
from mlaudit.formats.pickle_machine import PickleMachine, Stop
from mlaudit.formats.pickle_scan import EmbeddedPickle, PickleCall, PickleLimits, PickleProblem, StreamScan
from mlaudit.formats.pickle_values import Instance

__all__ = ["EmbeddedPickle", "PickleCall", "PickleLimits", "PickleProblem", "StreamScan", "walk_stream"]


def walk_stream(reader: ByteReader, limits: PickleLimits | None = None, *, depth: int = 0) -> StreamScan:
    """Walk one pickle stream from the reader's position up to and including its STOP."""
    limits = limits or PickleLimits()
    scan = StreamScan()
    machine = PickleMachine(reader, limits, scan, depth, _skip_joblib_array, _walk_nested)
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


def _walk_nested(reader: ByteReader, limits: PickleLimits, depth: int) -> StreamScan:
    return walk_stream(reader, limits, depth=depth)


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
