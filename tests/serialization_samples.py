"""Crafted model files for the serialization tests: bytes assembled by hand, never loaded.

Each builder returns the bytes of a malicious or benign sample; the tests write
them to temporary files and scan them with mlaudit. Nothing here unpickles or
imports model content.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from pathlib import Path

from mlaudit.model import Finding, Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.scanner import ModelScanner, ScanSettings


def short_unicode(text: str) -> bytes:
    """SHORT_BINUNICODE."""
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def global_op(module: str, name: str) -> bytes:
    """GLOBAL (protocol 0 text form)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def call_with_string(callable_bytes: bytes, arg: str = "id") -> bytes:
    """``callable(arg)`` as MARK arg TUPLE REDUCE."""
    return callable_bytes + b"(" + short_unicode(arg) + b"tR"


def proto(n: int = 4) -> bytes:
    """PROTO n."""
    return b"\x80" + bytes([n])


def stream(body: bytes, protocol: int = 4) -> bytes:
    """A complete pickle stream: PROTO, body, STOP."""
    return proto(protocol) + body + b"."


def reduce_pickle(module: str, name: str, protocol: int = 4) -> bytes:
    """``module.name('id')`` with STACK_GLOBAL."""
    return stream(call_with_string(short_unicode(module) + short_unicode(name) + b"\x93"), protocol)


class _Reducer:
    """An object whose pickle calls ``target(*args)``: made with pickle.dumps, never loaded."""

    def __init__(self, target: object, args: tuple[object, ...]) -> None:
        self._target, self._args = target, args

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return self._target, self._args


def dumped_call(target: object, args: tuple[object, ...], protocol: int) -> bytes:
    """The pickle the real pickler writes for a call of ``target`` (e.g. ``os.system``)."""
    return pickle.dumps({"weights": [1, 2, 3], "payload": _Reducer(target, args)}, protocol=protocol)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    """A zip archive with these members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def safetensors_bytes(header: dict[str, object], data: bytes) -> bytes:
    """A safetensors file with this header and data buffer."""
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def pb_varint(value: int) -> bytes:
    """A protobuf varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb_field(number: int, payload: bytes | str) -> bytes:
    """A length-delimited protobuf field."""
    data = payload.encode() if isinstance(payload, str) else payload
    return pb_varint(number << 3 | 2) + pb_varint(len(data)) + data


def gguf_bytes(metadata: dict[str, str | list[str]], version: int = 3) -> bytes:
    """A GGUF file with string / string-array metadata and no tensors."""
    def gstr(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    body = b""
    for key, value in metadata.items():
        body += gstr(key)
        if isinstance(value, list):
            body += struct.pack("<IIQ", 9, 8, len(value)) + b"".join(gstr(v) for v in value)
        else:
            body += struct.pack("<I", 8) + gstr(value)
    return b"GGUF" + struct.pack("<IQQ", version, 0, len(metadata)) + body


def scan_bytes(tmp_path: Path, name: str, data: bytes, settings: ScanSettings | None = None) -> FileReport:
    """Write ``data`` as ``name`` and scan it."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ModelScanner(settings).scan_path(path, name)


def rules(report: FileReport) -> set[str]:
    """The rule ids of a report's findings."""
    return {f.rule for f in report.findings}


def imports_found(report: FileReport) -> dict[str, Finding]:
    """Findings about imports, by the dotted import they name."""
    return {str(f.details["import"]): f for f in report.findings if "import" in f.details}


def worst(report: FileReport) -> Severity | None:
    """The most severe finding's severity."""
    return max((f.severity for f in report.findings), key=lambda s: s.rank, default=None)
