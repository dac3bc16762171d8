"""NumPy ``.npy`` headers: the dtype decides whether the data is raw bytes or a pickle.

Format (numpy/lib/format.py): ``\\x93NUMPY``, major, minor, header length
(u16 for 1.x, u32 for 2.x/3.x), then a Python dict literal with ``descr``,
``fortran_order`` and ``shape``. An object dtype (``'|O'`` or a structured
dtype with an ``O`` field) means the data is a pickle stream, loaded only with
``allow_pickle=True``.
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass

from mlaudit.formats.byte_reader import ByteReader

_MAX_HEADER = 1 << 20


@dataclass(frozen=True)
class NpyHeader:
    """The parsed header; ``data_offset`` is where the array bytes (or the pickle) start."""

    descr: object
    shape: tuple[int, ...]
    has_object: bool
    data_offset: int


class NpyError(Exception):
    """The header is malformed."""


def read_npy_header(reader: ByteReader) -> NpyHeader:
    """Parse the header at the reader's position (the magic); raises ``NpyError``."""
    if reader.read(6) != b"\x93NUMPY":
        raise NpyError("no NumPy magic")
    major = reader.read_byte()
    reader.read_byte()
    if major == 1:
        (length,) = struct.unpack("<H", reader.read(2))
    elif major in (2, 3):
        (length,) = struct.unpack("<I", reader.read(4))
    else:
        raise NpyError(f"unsupported .npy version {major}")
    if length > _MAX_HEADER:
        raise NpyError(f"header of {length} bytes")
    text = reader.read(length).decode("latin-1" if major < 3 else "utf-8", "replace")
    try:
        header = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, RecursionError, MemoryError) as exc:
        raise NpyError(f"header is not a Python literal ({type(exc).__name__})") from None
    if not isinstance(header, dict) or not {"descr", "shape", "fortran_order"} <= header.keys():
        raise NpyError("header lacks descr/shape/fortran_order")
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise NpyError(f"invalid shape {shape!r}")
    return NpyHeader(header["descr"], shape, _has_object(header["descr"], 0), reader.tell())


def _has_object(descr: object, depth: int) -> bool:
    if depth > 32:
        return True
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, (list, tuple)):
        return any(_has_object(item, depth + 1) for item in descr)
    return False
