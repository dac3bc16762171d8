"""safetensors header validation: the JSON header must describe exactly the bytes that follow.

Layout (https://github.com/huggingface/safetensors): 8-byte little-endian
header length N, N bytes of UTF-8 JSON, then the data buffer. Each tensor
entry has ``dtype`` (a known name), ``shape`` (non-negative ints) and
``data_offsets`` [begin, end) relative to the buffer, with end-begin equal to
the element count times the dtype size; entries must not overlap and must
cover the buffer without holes. ``__metadata__`` is a str->str map. Only the
header is read.
"""

from __future__ import annotations

import struct
from typing import IO, Any

from mlaudit.formats.bounded_json import loads_json
from mlaudit.formats.format_issue import FormatIssue
from mlaudit.model import Severity

MAX_HEADER = 100 * 1024 * 1024

DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16,
    "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64, "U64": 64,
    "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}


def validate_safetensors(fh: IO[bytes], size: int) -> list[FormatIssue]:
    """Issues of the safetensors file open as ``fh`` (``size`` bytes long); empty when valid."""
    head = fh.read(8)
    if len(head) < 8:
        return [_bad("file shorter than the 8-byte header length", 0)]
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER or n + 8 > size:
        return [_bad(f"declared header length {n} is larger than the file or the {MAX_HEADER}-byte limit", 0)]
    raw = fh.read(n)
    if len(raw) != n:
        return [_bad("header truncated", 8)]
    try:
        header = loads_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [_bad(f"header is not valid UTF-8 JSON: {exc}", 8)]
    if not isinstance(header, dict):
        return [_bad("header is not a JSON object", 8)]
    return _check_entries(header, size - 8 - n)


def _check_entries(header: dict[str, Any], buffer_len: int) -> list[FormatIssue]:
    issues: list[FormatIssue] = []
    spans: list[tuple[int, int, str]] = []
    for name, entry in header.items():
        if name == "__metadata__":
            if not isinstance(entry, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in entry.items()):
                issues.append(_bad("__metadata__ must map strings to strings", 8, "__metadata__"))
            continue
        problem = _entry_problem(entry, buffer_len)
        if problem:
            issues.append(_bad(f"tensor '{name}': {problem}", 8, name))
            continue
        begin, end = entry["data_offsets"]
        spans.append((begin, end, name))
    spans.sort()
    cursor = 0
    for begin, end, name in spans:
        if begin < cursor:
            issues.append(_bad(f"tensor '{name}' overlaps the previous tensor's bytes", 8, name))
        elif begin > cursor:
            issues.append(_bad(f"{begin - cursor} unaccounted bytes before tensor '{name}'", 8, name))
        cursor = max(cursor, end)
    if not issues and cursor != buffer_len:
        issues.append(_bad(f"data buffer is {buffer_len} bytes but the tensors cover {cursor}", 8, "size"))
    return issues


def _entry_problem(entry: object, buffer_len: int) -> str | None:
    if not isinstance(entry, dict):
        return "entry is not an object"
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BITS:
        return f"unknown dtype {dtype!r}"
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                               for d in shape):
        return "shape must be a list of non-negative integers"
    if not (isinstance(offsets, list) and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        return "data_offsets must be two integers"
    begin, end = offsets
    if not 0 <= begin <= end <= buffer_len:
        return f"data_offsets [{begin}, {end}] outside the {buffer_len}-byte data buffer"
    count = 1
    for dim in shape:
        count *= dim
    nbits = count * DTYPE_BITS[dtype]
    if nbits % 8 or nbits // 8 != end - begin:
        return f"{end - begin} bytes do not hold shape {shape} of {dtype}"
    return None


def _bad(message: str, offset: int, subject: str = "header") -> FormatIssue:
    return FormatIssue("safetensors-invalid", Severity.MEDIUM, message, offset=offset, subject=subject)
