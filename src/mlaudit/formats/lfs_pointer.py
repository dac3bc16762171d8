"""Git LFS pointer files: the oid is the SHA-256 of the real content; nothing is downloaded.

Spec: https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md — UTF-8 lines
``key value``, ``version`` first, then keys in order; ``oid sha256:<64 hex>`` and
``size <int>`` are required. Pointers are under 1024 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_POINTER_SIZE = 1024
_VERSION_PREFIX = b"version https://git-lfs.github.com/spec/v1"
_OID = re.compile(r"^sha256:([0-9a-f]{64})$")


@dataclass(frozen=True)
class LfsPointer:
    """The facts a pointer records about the file it stands for."""

    oid_sha256: str
    size: int


def looks_like_pointer(head: bytes) -> bool:
    """Cheap test on a file's first bytes."""
    return head.startswith(_VERSION_PREFIX)


def parse_pointer(data: bytes) -> LfsPointer | None:
    """The pointer in ``data``, or None when it is not a valid LFS pointer."""
    if len(data) > MAX_POINTER_SIZE or not looks_like_pointer(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            continue
        key, sep, value = line.partition(" ")
        if not sep or key in fields:
            return None
        fields[key] = value
    oid = _OID.match(fields.get("oid", ""))
    size = fields.get("size", "")
    if oid is None or not size.isdigit():
        return None
    return LfsPointer(oid_sha256=oid.group(1), size=int(size))
