"""Protobuf wire format, read as a stream of fields with bounds: no schema, no generated code.

ONNX models and TF SavedModels are protobuf messages that can be gigabytes
long (inline tensor data); the parsers here descend only into the fields that
matter and skip the others by seeking. Every length is checked against the
enclosing message, so a hostile length ends in ``ProtobufError``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlaudit.formats.byte_reader import ByteReader

MAX_DEPTH = 64


class ProtobufError(Exception):
    """The bytes are not a well-formed protobuf message."""


def read_varint(reader: ByteReader) -> int:
    """One base-128 varint (at most 10 bytes)."""
    result = 0
    for shift in range(0, 70, 7):
        byte = reader.read_byte()
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result
    raise ProtobufError(f"varint longer than 10 bytes at offset {reader.tell()}")


def iter_fields(reader: ByteReader, end: int) -> Iterator[tuple[int, int, int]]:
    """``(field number, wire type, value)`` for each field up to ``end``.

    For length-delimited fields (wire type 2) the value is the payload length
    and the reader sits at its first byte; a caller that does not read it
    leaves it to be skipped when the iteration resumes.
    """
    while reader.tell() < end:
        key = read_varint(reader)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError(f"field number 0 at offset {reader.tell()}")
        if wire == 0:
            yield number, wire, read_varint(reader)
        elif wire == 1:
            reader.skip(8)
        elif wire == 5:
            reader.skip(4)
        elif wire == 2:
            length = read_varint(reader)
            start = reader.tell()
            if start + length > end:
                raise ProtobufError(f"field {number} of {length} bytes overruns its message at offset {start}")
            yield number, wire, length
            here = reader.tell()
            if here > start + length:
                raise ProtobufError(f"field {number} read past its end at offset {here}")
            reader.skip(start + length - here)
        else:
            raise ProtobufError(f"unsupported wire type {wire} at offset {reader.tell()}")
    if reader.tell() != end:
        raise ProtobufError(f"message overruns its end at offset {reader.tell()}")


def read_string(reader: ByteReader, length: int, limit: int = 1 << 16) -> str:
    """A length-delimited field as text (longer ones are cut to ``limit`` bytes)."""
    data = reader.read(min(length, limit))
    return data.decode("utf-8", "replace")
