"""Does a byte string look like a pickle: a file without a PROTO header, or a field holding one (raw, hex, base64).

Protocol 0 and 1 pickles have no magic number, so a file named ``model.dill``
or a ``bytes`` field of another pickle is recognised by walking the opcodes of
its first bytes: every byte must be a valid opcode with a well-formed
argument, and the walk must reach a ``STOP`` or an import (``GLOBAL``/``INST``).
Plain text almost never survives that (``hello`` is ``BINGET`` then an
invalid opcode). Embedded pickles are also recognised hex- or base64-encoded.

Discovery by content asks a looser question of a file's first ``SNIFF_SIZE``
bytes (``headerless_pickle``: a symbolic walk, which sits above this module).
"""

from __future__ import annotations

import binascii

from mlaudit.formats.pickle_opcodes import OPCODES, Arg

SNIFF_BYTES = 512
MAX_EMBEDDED = 32 << 20
"""Longest field decoded and walked as an embedded pickle (longer ones: array data, skipped)."""

_FIXED = {Arg.NONE: 0, Arg.U1: 1, Arg.U2: 2, Arg.I4: 4, Arg.U4: 4, Arg.U8: 8, Arg.F8: 8}
_LENGTH = {Arg.BYTES_U1: 1, Arg.BYTES_I4: 4, Arg.BYTES_U4: 4, Arg.BYTES_U8: 8}
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_HEXDIGITS = b"0123456789abcdefABCDEF"


def encoded_prefix(head: bytes) -> bool:
    """Sixteen hex or base64 characters first: a str field that may hold an encoded pickle."""
    return len(head) >= 16 and not head[:16].translate(None, _BASE64)


def maybe_text_pickle(head: bytes) -> bool:
    """Cheap test for a str field (every key of a checkpoint meets it): could it hold a pickle?"""
    return head[:1] == b"\x80" or b"\n" in head or encoded_prefix(head)


def _encoded_start(decoded: bytes) -> bool:
    """The first bytes of a hex- or base64-decoded field: a PROTO header or valid opcodes."""
    if decoded[:1] == b"\x80":
        return has_proto_header(decoded) and 2 <= decoded[1]
    return _walks_like_pickle(decoded, fragment=4)


def _hex_pickle(head: bytes) -> bool:
    digits = len(head) - len(head.lstrip(_HEXDIGITS))
    return digits >= 16 and _encoded_start(bytes.fromhex(head[:digits // 2 * 2].decode("ascii")))


def has_proto_header(head: bytes) -> bool:
    """``PROTO n`` with a protocol CPython can write (0-5)."""
    return len(head) >= 2 and head[0] == 0x80 and head[1] <= 5


def looks_like_pickle(head: bytes) -> bool:
    """True when ``head`` starts a pickle of any protocol (header, or protocol 0/1 opcodes)."""
    if has_proto_header(head):
        return True
    return _walks_like_pickle(head[:SNIFF_BYTES])


def _walks_like_pickle(head: bytes, fragment: int = 0) -> bool:
    """Valid opcodes up to a STOP or an import; or, with ``fragment``, that many valid opcodes to the end."""
    pos, count, imports = 0, 0, 0
    while pos < len(head):
        entry = OPCODES.get(head[pos])
        if entry is None or head[pos] == 0x80:
            return False
        name, arg = entry
        pos += 1
        count += 1
        if name == "STOP":
            return count >= 2
        if arg in _FIXED:
            pos += _FIXED[arg]
        elif arg in _LENGTH:
            width = _LENGTH[arg]
            length = int.from_bytes(head[pos:pos + width], "little", signed=arg is Arg.BYTES_I4)
            if length < 0:  # BINSTRING with a negative length: no pickle (and a negative index would wrap)
                return False
            pos += width + length
        else:
            lines = 2 if arg is Arg.TWO_LINES else 1
            for _ in range(lines):
                end = head.find(b"\n", pos)
                if end == -1:
                    return imports > 0 or 0 < fragment <= count
                if lines == 2 and not _plausible_name(head[pos:end]):
                    return False
                pos = end + 1
            imports += lines == 2
    return (imports > 0 and count >= 2) or 0 < fragment <= count


def _plausible_name(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return 0 < len(text) <= 256 and not any(c in "\r\t\0{}[]\"'<>()=,;/\\" for c in text)


def embedded_encoding(head: bytes) -> str | None:
    """How a field that starts with ``head`` holds a pickle: ``raw``, ``hex``, ``base64``, or None."""
    if not head:
        return None
    # CPython writes PROTO only for protocols 2-5; array data starting 0x80 0x00 is not a pickle.
    if (len(head) >= 3 and head[0] == 0x80 and 2 <= head[1] <= 5 and head[2] in OPCODES) \
            or (head[0] != 0x80 and _walks_like_pickle(head, fragment=8)):
        return "raw"
    if _hex_pickle(head):
        return "hex"
    chunk = head[: len(head) // 4 * 4]
    if len(chunk) >= 16 and encoded_prefix(chunk):
        try:
            decoded = binascii.a2b_base64(chunk)
        except (binascii.Error, ValueError):
            return None
        if _encoded_start(decoded):
            return "base64"
    return None


def decode_embedded(data: bytes, encoding: str) -> bytes | None:
    """The pickle bytes inside a field, or None when the text does not decode."""
    try:
        if encoding == "hex":
            return bytes.fromhex(data.decode("ascii"))
        if encoding == "base64":
            return binascii.a2b_base64(b"".join(data.split()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return data


SNIFF_SIZE = 4096
