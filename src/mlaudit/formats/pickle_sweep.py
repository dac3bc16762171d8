"""After a limit stops the pickle machine: sweep the rest of the stream for imports and calls, without a stack.

A limit (100,001 MARKs, a 2 MiB line, a million stack items) must not hide a
``GLOBAL``/``REDUCE`` that comes after it: the real unpickler has no such
limits and runs on. The sweep decodes every opcode's argument, keeps only the
strings an import can be spelled with (the last two pushed, and the memoized
ones), and records every import. Without a stack it cannot tell what is called,
so an import followed by any calling opcode counts as called.
"""

from __future__ import annotations

import re

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded, Truncated
from mlaudit.formats.pickle_opcodes import OPCODES, Arg
from mlaudit.formats.pickle_scan import PickleCall, StreamScan
from mlaudit.formats.pickle_values import GlobalRef

_SHORT = 256
_MAX_MEMO = 100_000
_FIXED = {Arg.NONE: 0, Arg.U1: 1, Arg.U2: 2, Arg.I4: 4, Arg.U4: 4, Arg.U8: 8, Arg.F8: 8}
_LENGTH = {Arg.BYTES_U1: 1, Arg.BYTES_I4: 4, Arg.BYTES_U4: 4, Arg.BYTES_U8: 8}
_CALLS = frozenset({"REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ", "BUILD", "INST"})
_STRINGS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "SHORT_BINSTRING", "BINSTRING",
                      "STRING", "UNICODE"})


def sweep_imports(reader: ByteReader, scan: StreamScan, skip_lines: int = 0) -> int:
    """Walk opcodes from the reader's position to the end of the data; return how many were swept."""
    for _ in range(skip_lines):
        if _line(reader) is None and reader.at_end():
            return 0
    recent: list[str] = []
    memo: dict[int, str] = {}
    pending: list[GlobalRef] = []
    count = 0
    try:
        while True:
            code = reader.read_opcode()
            entry = OPCODES.get(code)
            if entry is None:
                break
            name, arg = entry
            offset = reader.op_offset
            count += 1
            value = _argument(reader, arg, name)
            if name in _STRINGS and isinstance(value, str):
                recent = [*recent[-1:], value]
            elif name in ("GLOBAL", "INST") and isinstance(value, tuple):
                pending.append(GlobalRef(value[0], value[1], offset, name))
            elif name == "STACK_GLOBAL":
                module, attr = (recent[-2], recent[-1]) if len(recent) == 2 else ("?", "?")
                pending.append(GlobalRef(module, attr, offset, name))
            index = value if isinstance(value, int) else -1
            if name in ("BINPUT", "LONG_BINPUT", "PUT", "MEMOIZE") and recent and len(memo) < _MAX_MEMO:
                memo[len(memo) if name == "MEMOIZE" else index] = recent[-1]
            elif name in ("BINGET", "LONG_BINGET", "GET") and index in memo:
                recent = [*recent[-1:], memo[index]]
            if name in _CALLS and pending:
                scan.imports.extend(pending)
                scan.calls.extend(PickleCall(ref, f"{name} (swept)", offset) for ref in pending)
                pending = []
    except (Truncated, LimitExceeded, ValueError):
        pass
    scan.imports.extend(pending)
    return count


def _argument(reader: ByteReader, arg: Arg, name: str) -> object:
    if arg in _FIXED:
        raw = reader.read(_FIXED[arg]) if _FIXED[arg] else b""
        return int.from_bytes(raw, "little") if name in ("BINGET", "LONG_BINGET", "BINPUT", "LONG_BINPUT") else None
    if arg in _LENGTH:
        width = _LENGTH[arg]
        n = int.from_bytes(reader.read(width), "little", signed=arg is Arg.BYTES_I4)
        if name in _STRINGS and 0 <= n <= _SHORT:
            return reader.read(n).decode("utf-8", "replace")
        reader.skip(n)
        return None
    if arg is Arg.TWO_LINES:
        return (_line(reader) or "?", _line(reader) or "?")
    text = _line(reader)
    if text is not None and name in ("GET", "PUT"):
        return int(text) if text.isdigit() else None
    if text is not None and name in ("STRING", "UNICODE"):
        return text.strip("'\"")
    return None


def _line(reader: ByteReader) -> str | None:
    """The next line when short (an import name), else None; long lines are skipped, never held."""
    kept, too_long = b"", False
    while True:
        chunk = reader.peek(1 << 16)
        if not chunk:
            raise Truncated("unterminated line")
        end = chunk.find(b"\n")
        part = chunk if end == -1 else chunk[:end]
        too_long = too_long or len(kept) + len(part) > _SHORT
        if not too_long:
            kept += part
        reader.skip(len(chunk) if end == -1 else end + 1)
        if end != -1:
            return None if too_long else kept.decode("utf-8", "surrogateescape")


# Imports as their bytes look in any protocol: GLOBAL/INST lines, and two SHORT_BINUNICODE strings
# (each maybe memoized) before STACK_GLOBAL.
_LINE_IMPORT = re.compile(rb"[ci]([A-Za-z_][\w.]{0,255})\n([A-Za-z_][\w.]{0,255})\n")
_SHORT_STRING = re.compile(rb"\x8c([\x01-\xff])")
_NAME = re.compile(rb"[A-Za-z_][\w.]*")
_CHUNK = 1 << 20
_OVERLAP = 1024


def search_imports(reader: ByteReader, scan: StreamScan) -> int:
    """Search the rest of the data byte by byte for import patterns (where opcodes cannot be followed).

    Used when data a loader reads as raw bytes has an unknown length (a joblib array wrapper whose
    state does not parse): the opcodes after it cannot be found, but any import they spell can.
    Every import found counts as called. Returns how many bytes were searched.
    """
    searched, seen = 0, set[tuple[str, str, int]]()
    tail = b""
    base = reader.tell()
    while True:
        try:
            chunk = reader.peek(_CHUNK)
        except (Truncated, LimitExceeded):
            break
        if not chunk:
            break
        window = tail + chunk
        start = base - len(tail)
        for match in _LINE_IMPORT.finditer(window):
            _found(scan, seen, match.group(1).decode(), match.group(2).decode(), start + match.start(), "GLOBAL")
        for module, name, at in _stack_globals(window):
            _found(scan, seen, module, name, start + at, "STACK_GLOBAL")
        try:
            reader.skip(len(chunk))
        except (Truncated, LimitExceeded):
            break
        searched += len(chunk)
        base += len(chunk)
        tail = chunk[-_OVERLAP:]
    scan.calls.extend(PickleCall(ref, "searched", ref.offset) for ref in scan.imports if ref.opcode.endswith("*"))
    return searched


def _found(scan: StreamScan, seen: set[tuple[str, str, int]], module: str, name: str, offset: int,
           opcode: str) -> None:
    key = (module, name, offset)
    if key not in seen:
        seen.add(key)
        scan.imports.append(GlobalRef(module, name, offset, opcode + "*"))


def _after_memo(window: bytes, pos: int) -> int:
    """Skip a MEMOIZE or BINPUT after a string."""
    if window[pos:pos + 1] == b"\x94":
        return pos + 1
    if window[pos:pos + 1] == b"q":
        return pos + 2
    return pos


def _stack_globals(window: bytes) -> list[tuple[str, str, int]]:
    """Two SHORT_BINUNICODE names (each maybe memoized) right before a STACK_GLOBAL, with its offset."""
    strings: dict[int, tuple[str, int]] = {}  # start -> (text, end after a memo opcode)
    for match in _SHORT_STRING.finditer(window):
        begin, length = match.end(), match.group(1)[0]
        raw = window[begin:begin + length]
        if len(raw) == length and _NAME.fullmatch(raw):
            strings[match.start()] = (raw.decode(), _after_memo(window, begin + length))
    found = []
    for module, end in strings.values():
        second = strings.get(end)
        if second is not None and window[second[1]:second[1] + 1] == b"\x93":
            found.append((module, second[0], second[1]))
    return found
