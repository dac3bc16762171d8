"""GGUF header and metadata: bounded parsing of the key/value section and tensor table.

Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md — ``GGUF``,
version (u32), tensor count and key/value count (u64), then typed key/value
pairs, then tensor infos. Every declared length and count is checked against
what is left of the file before anything is read, so a header claiming 2^63
entries ends in an issue, not an allocation. Only the chat templates are kept;
other strings (a vocabulary of 150k tokens) are skipped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from mlaudit.formats.byte_reader import ByteReader, LimitExceeded, Truncated
from mlaudit.formats.format_issue import FormatIssue
from mlaudit.model import Severity

_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
_MAX_KEY = 1 << 16
_MAX_TEMPLATE = 1 << 20
_MAX_DIMS = 8
_MAX_TENSORS = 10_000_000
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


@dataclass
class GgufHeader:
    """What the header says: version, counts and the chat templates by key."""

    version: int = 0
    tensor_count: int = 0
    kv_count: int = 0
    templates: dict[str, str] = field(default_factory=dict)
    issues: list[FormatIssue] = field(default_factory=list)


def read_gguf_header(reader: ByteReader) -> GgufHeader:
    """Parse the header from ``reader`` (positioned at the magic); issues say where it went wrong."""
    out = GgufHeader()
    try:
        _parse(reader, out)
    except (Truncated, LimitExceeded) as exc:
        out.issues.append(_bad(f"header ends or overflows at offset {reader.tell()}: {exc}", reader.tell()))
    return out


def _parse(reader: ByteReader, out: GgufHeader) -> None:
    if reader.read(4) != b"GGUF":
        out.issues.append(_bad("no GGUF magic", 0))
        return
    out.version = _U32.unpack(reader.read(4))[0]
    if out.version not in (2, 3):
        out.issues.append(_bad(f"unsupported GGUF version {out.version}", 4))
        return
    out.tensor_count = _U64.unpack(reader.read(8))[0]
    out.kv_count = _U64.unpack(reader.read(8))[0]
    left = reader.remaining_hint() or 0
    if out.kv_count * 13 > left or out.tensor_count > _MAX_TENSORS or out.tensor_count * 24 > left:
        out.issues.append(_bad(f"declares {out.kv_count} keys and {out.tensor_count} tensors, "
                               f"more than {left} remaining bytes can hold", 16))
        return
    for _ in range(out.kv_count):
        at = reader.tell()
        key = _string(reader, _MAX_KEY, keep=True)
        vtype = _U32.unpack(reader.read(4))[0]
        if key is not None and key.startswith("tokenizer.chat_template") and vtype == _STRING:
            value = _string(reader, _MAX_TEMPLATE, keep=True)
            if value is None:
                out.issues.append(_bad(f"{key} is not UTF-8 or longer than {_MAX_TEMPLATE} bytes", at))
                continue
            out.templates[key] = value
            continue
        if not _skip_value(reader, vtype, depth=0):
            out.issues.append(_bad(f"key {key!r}: unknown value type {vtype}", at))
            return
    for _ in range(out.tensor_count):
        at = reader.tell()
        _string(reader, _MAX_KEY, keep=False)
        n_dims = _U32.unpack(reader.read(4))[0]
        if n_dims > _MAX_DIMS:
            out.issues.append(_bad(f"tensor with {n_dims} dimensions", at))
            return
        reader.skip(8 * n_dims + 4 + 8)


def _string(reader: ByteReader, limit: int, *, keep: bool) -> str | None:
    n = _U64.unpack(reader.read(8))[0]
    left = reader.remaining_hint()
    if left is not None and n > left:
        raise Truncated(f"string of {n} bytes, only {left} left")
    if not keep or n > limit:
        reader.skip(n)
        return None
    try:
        return reader.read(n).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _skip_value(reader: ByteReader, vtype: int, depth: int) -> bool:
    if vtype in _SCALARS:
        reader.skip(_SCALARS[vtype])
        return True
    if vtype == _STRING:
        _string(reader, 0, keep=False)
        return True
    if vtype != _ARRAY or depth > 2:
        return False
    etype = _U32.unpack(reader.read(4))[0]
    count = _U64.unpack(reader.read(8))[0]
    left = reader.remaining_hint() or 0
    if etype in _SCALARS:
        if count * _SCALARS[etype] > left:
            raise Truncated(f"array of {count} elements, only {left} bytes left")
        reader.skip(count * _SCALARS[etype])
        return True
    if count * 8 > left:
        raise Truncated(f"array of {count} elements, only {left} bytes left")
    return all(_skip_value(reader, etype, depth + 1) for _ in range(count))


def _bad(message: str, offset: int) -> FormatIssue:
    return FormatIssue("gguf-invalid", Severity.MEDIUM, message, offset=offset, subject="header",
                       incomplete=True)
