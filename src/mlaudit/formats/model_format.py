"""Which model format a file really is, from its content; and what its name claims it is.

Content decides the parser; the extension only sets an expectation, and a
file whose content contradicts its name is reported as mislabelled (a
``.safetensors`` that is really a pickle is scanned as a pickle). Formats
without magic bytes (protobuf, protocol 0/1 pickles, msgpack) are recognised
by name and then validated by their parser.
"""

from __future__ import annotations

import os
import struct

from mlaudit.formats.pickle_opcodes import OPCODES
from mlaudit.formats.pickle_sniff import looks_like_pickle

HEAD_SIZE = 512

_HDF5 = b"\x89HDF\r\n\x1a\n"
_XZ = b"\xfd7zXZ\x00"
_ZSTD = b"\x28\xb5\x2f\xfd"
_JOBLIB_ZFILE = b"ZF0x"
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
TAIL_SIZE = 4096
_MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024

# extension -> formats its content may be (missing: no expectation, e.g. ``.bin``)
EXPECTED: dict[str, frozenset[str]] = {
    ".safetensors": frozenset({"safetensors"}),
    ".npy": frozenset({"numpy"}),
    ".npz": frozenset({"zip"}),
    ".gguf": frozenset({"gguf"}),
    ".h5": frozenset({"hdf5"}),
    ".hdf5": frozenset({"hdf5"}),
    ".keras": frozenset({"zip", "hdf5"}),
    ".onnx": frozenset({"onnx"}),
    ".tflite": frozenset({"tflite"}),
    ".msgpack": frozenset({"msgpack"}),
    ".pt": frozenset({"zip", "pickle"}),
    ".pth": frozenset({"zip", "pickle"}),
    ".ckpt": frozenset({"zip", "pickle"}),
    ".pkl": frozenset({"pickle", "gzip", "bz2", "xz", "zlib", "zstd", "joblib-zfile"}),
    ".pickle": frozenset({"pickle", "gzip", "bz2", "xz", "zlib", "zstd", "joblib-zfile"}),
    ".joblib": frozenset({"pickle", "gzip", "bz2", "xz", "zlib", "zstd", "joblib-zfile"}),
    ".pb": frozenset({"savedmodel", "keras-metadata"}),
    ".zip": frozenset({"zip"}),
    ".tar": frozenset({"tar"}),
    ".gz": frozenset({"gzip"}),
    ".tgz": frozenset({"gzip"}),
    ".bz2": frozenset({"bz2"}),
    ".xz": frozenset({"xz"}),
    ".zst": frozenset({"zstd"}),
}

# Names whose content has no magic: the parser decides whether it understood them.
_PICKLE_NAMES = frozenset({".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".bin", ".dat", ".p", ".dill",
                           ".sav", ".cloudpickle"})


def extension(name: str) -> str:
    """The lower-case extension of a path's last component."""
    return os.path.splitext(name.rsplit("/", 1)[-1])[1].lower()


def detect_format(head: bytes, name: str) -> str | None:
    """The format named by ``head`` (the first ``HEAD_SIZE`` bytes), falling back on ``name``."""
    fmt = magic_format(head)
    if fmt is not None:
        return fmt
    base = name.rsplit("/", 1)[-1]
    ext = extension(base)
    if base == "saved_model.pb":
        return "savedmodel"
    if base == "keras_metadata.pb":
        return "keras-metadata"
    if ext == ".onnx":
        return "onnx"
    if ext == ".msgpack" and head[:1] and (0x80 <= head[0] <= 0x8F or head[0] in (0xDE, 0xDF)):
        return "msgpack"
    if ext in _PICKLE_NAMES and head[:1] and head[0] in OPCODES:
        return "pickle"  # protocol 0/1 pickles have no header
    if looks_like_pickle(head):
        return "pickle"  # protocol 0/1 content behind any other name (model.dill, weights.dat)
    return None


def magic_format(head: bytes) -> str | None:
    """The format named by a file's magic bytes alone, or None."""
    # safetensors first: its first bytes are a length, which can look like any magic below
    # (a 128-byte header starts 0x80 0x00, a 640-byte one 0x80 0x02 like a pickle PROTO).
    # A '{' at byte 8 after a sane length is never the start of the other formats.
    if len(head) >= 9 and head[8:9] == b"{":
        (header_len,) = struct.unpack("<Q", head[:8])
        if 2 <= header_len <= _MAX_SAFETENSORS_HEADER:
            return "safetensors"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x93NUMPY"):
        return "numpy"
    if head.startswith(b"GGUF"):
        return "gguf"
    if head.startswith(_HDF5):
        return "hdf5"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bz2"
    if head.startswith(_XZ):
        return "xz"
    if head.startswith(_ZSTD):
        return "zstd"
    if head.startswith(_JOBLIB_ZFILE):
        return "joblib-zfile"  # joblib < 0.10: "ZF", the hex length, then a zlib stream
    if len(head) >= 8 and head[4:8] == b"TFL3":
        return "tflite"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"  # PROTO is only written for protocols 2 and up
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"  # joblib's default compressor writes a bare zlib stream
    return None


def mislabelled(name: str, fmt: str | None) -> frozenset[str] | None:
    """The formats ``name`` promises when ``fmt`` is not one of them, else None."""
    expected = EXPECTED.get(extension(name))
    if expected is None or fmt is None or fmt in expected:
        return None
    return expected


def zip_at_end(tail: bytes) -> bool:
    """True when ``tail`` (a file's last bytes) holds a zip end-of-central-directory record.

    zipfile, Keras and PyTorch's reader find a zip from its end, so bytes
    before it (a prefix, an LFS pointer header, another format) do not stop
    them from reading it. The record's comment length must reach the end.
    """
    at = tail.rfind(_EOCD)
    while at != -1:
        if len(tail) - at >= _EOCD_SIZE:
            comment = int.from_bytes(tail[at + 20:at + 22], "little")
            if at + _EOCD_SIZE + comment == len(tail):
                return True
        at = tail.rfind(_EOCD, 0, at)
    return False


def describe_bytes(head: bytes, offset: int = 0) -> str:
    """The first bytes of ``head`` for a message: hex and what they look like."""
    sample = head[:8]
    if not sample:
        return f"the file is empty at byte {offset}"
    shown = " ".join(f"{b:02x}" for b in sample)
    known = next((what for magic, what in _OTHER_FORMATS if head.startswith(magic)), None)
    return f"bytes {shown} at byte {offset}" + (f" ({known})" if known else "")


# Formats no model loader reads, named when a file with a model extension holds one.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x7fELF", "an ELF executable"), (b"MZ", "a Windows executable"),
    (b"<", "markup text"), (b"#!", "a script"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
