"""Zip archives as attack surface: members listed with the checks a loader's zip reader does not make.

Checks each central-directory entry against its local header (a name that
differs lets two readers see two different archives), duplicate names, paths
that escape the extraction folder, encrypted members, and compression ratios
or declared sizes of a decompression bomb. Nothing is extracted.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from typing import IO

from mlaudit.formats.archive_limits import ZipLimits
from mlaudit.formats.format_issue import FormatIssue
from mlaudit.model import Severity

_LOCAL = struct.Struct("<4s22xHH")
_LOCAL_SIG = b"PK\x03\x04"


def audit_zip_members(zf: zipfile.ZipFile, raw: IO[bytes],
                      limits: ZipLimits | None = None) -> tuple[list[zipfile.ZipInfo], list[FormatIssue]]:
    """The members safe to examine, and the issues of the archive and of the members left out."""
    limits = limits or ZipLimits()
    infos = zf.infolist()
    issues: list[FormatIssue] = []
    if len(infos) > limits.max_members:
        issues.append(FormatIssue(
            "unscanned", Severity.HIGH, f"archive has {len(infos)} members; only the first "
            f"{limits.max_members} were examined", subject="members", incomplete=True))
        infos = infos[:limits.max_members]
    seen: set[str] = set()
    usable: list[zipfile.ZipInfo] = []
    for info in infos:
        name = info.filename
        if name in seen:
            issues.append(FormatIssue(
                "archive-duplicate", Severity.HIGH,
                f"member '{name}' appears more than once: loaders disagree on which copy they read",
                subject=name))
        seen.add(name)
        if path_escapes(name):
            issues.append(FormatIssue(
                "archive-path", Severity.HIGH,
                f"member '{name}' escapes the extraction folder (absolute path or '..')", subject=name))
        local = _local_name(raw, info)
        if local is None:
            issues.append(FormatIssue(
                "archive-name-mismatch", Severity.HIGH,
                f"member '{name}': no valid local header at offset {info.header_offset}",
                offset=info.header_offset, subject=name))
            continue
        if local != _central_name(info):
            issues.append(FormatIssue(
                "archive-name-mismatch", Severity.HIGH,
                f"member '{name}' is named '{local.decode('utf-8', 'replace')}' in its local header: "
                "different zip readers will see different files", offset=info.header_offset, subject=name))
            continue
        if info.flag_bits & 0x1:
            # torch's reader and NumPy/Keras (zipfile without a password) refuse encrypted members.
            issues.append(FormatIssue("not-a-model", Severity.LOW,
                                      f"member '{name}' is encrypted: no model loader opens it", subject=name))
            continue
        if info.is_dir():
            continue
        if _is_bomb(info, limits):
            issues.append(FormatIssue(
                "archive-bomb", Severity.HIGH,
                f"member '{name}' declares {info.file_size} bytes from {info.compress_size} compressed "
                "(decompression bomb); not expanded", subject=name, incomplete=True))
            continue
        usable.append(info)
    return usable, issues


def _is_bomb(info: zipfile.ZipInfo, limits: ZipLimits) -> bool:
    if info.file_size > limits.max_member_bytes:
        return True
    if info.compress_type == zipfile.ZIP_STORED:
        return False
    return info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1)


def path_escapes(name: str) -> bool:
    """True when an archive member name is absolute or climbs out of the extraction folder."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return posixpath.normpath(normal).split("/")[0] == ".."


def _central_name(info: zipfile.ZipInfo) -> bytes:
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        return info.orig_filename.encode(encoding)
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8")


def _local_name(raw: IO[bytes], info: zipfile.ZipInfo) -> bytes | None:
    try:
        raw.seek(info.header_offset)
        head = raw.read(_LOCAL.size)
        if len(head) != _LOCAL.size:
            return None
        sig, name_len, _extra_len = _LOCAL.unpack(head)
        if sig != _LOCAL_SIG:
            return None
        name = raw.read(name_len)
        return name if len(name) == name_len else None
    except (OSError, ValueError):
        return None
