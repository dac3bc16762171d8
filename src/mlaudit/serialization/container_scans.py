"""Containers: zip (PyTorch, Keras, NumPy ``.npz``, plain), tar and compressed streams, member by member.

PyTorch zip checkpoints: every ``.pkl`` member is walked (not only
``data.pkl``); members under ``<archive>/data/`` are raw tensor storage that
``torch.load`` reads as bytes, and are not parsed. Keras ``.keras``: its
``config.json`` is searched for Lambda layers and foreign modules. Other
members are scanned when their content (or name) is a model format; nested
archives recurse up to the depth limit.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from typing import IO, TYPE_CHECKING

from mlaudit.formats.compressed_stream import open_decompressed
from mlaudit.formats.model_format import HEAD_SIZE, detect_format
from mlaudit.formats.zip_container import audit_zip_members, path_escapes
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport

if TYPE_CHECKING:
    import tarfile

    from mlaudit.serialization.scanner import ModelScanner

_TORCH_STORAGE = re.compile(r"(^|/)data/[^/]+$")
_TORCH_METADATA = re.compile(r"(^|/)(version|byteorder|\.format_version|\.storage_alignment|"
                             r"\.data/serialization_id|\.data/version)$")
_MAX_CONFIG = 64 << 20
# What reading a hostile member can raise: corrupt deflate data, unsupported methods, bad headers.
_MEMBER_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, struct.error,
                  zlib.error)


def scan_container(scanner: ModelScanner, report: FileReport, fmt: str, fh: IO[bytes], size: int | None, *,
                   name: str, member: str, depth: int) -> None:
    """Scan an archive or compressed stream and its members."""
    if fmt == "zip":
        _scan_zip(scanner, report, fh, member=member, depth=depth)
    elif fmt == "tar":
        _scan_tar(scanner, report, fh, member=member, depth=depth, streaming=False)
    else:
        _scan_compressed(scanner, report, fmt, fh, name=name, member=member, depth=depth)


def _join(outer: str, inner: str) -> str:
    return f"{outer}!{inner}" if outer else inner


def _scan_zip(scanner: ModelScanner, report: FileReport, fh: IO[bytes], *, member: str, depth: int) -> None:
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError,
            struct.error) as exc:
        report.add_unscanned(f"unreadable zip archive: {type(exc).__name__}: {exc}", member=member)
        return
    with zf:
        infos, issues = audit_zip_members(zf, fh, scanner.settings.zip_limits)
        for issue in issues:
            report.add_issue(issue, _join(member, issue.subject) if issue.subject != "members" else member)
        names = {i.filename for i in infos}
        torch_zip = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
        keras_zip = "config.json" in names and ("metadata.json" in names or "model.weights.h5" in names)
        report.understood("torch-zip" if torch_zip else "keras" if keras_zip else "zip")
        for info in infos:
            if info.is_dir():
                continue
            inner = _join(member, info.filename)
            if torch_zip and (_TORCH_STORAGE.search(info.filename) or _TORCH_METADATA.search(info.filename)):
                continue
            if keras_zip and info.filename == "config.json":
                _scan_keras_config(scanner, report, zf, info, inner)
                continue
            _scan_zip_member(scanner, report, zf, info, inner, depth, force_pickle=info.filename.endswith(".pkl"))


def _scan_zip_member(scanner: ModelScanner, report: FileReport, zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                     inner: str, depth: int, *, force_pickle: bool) -> None:
    try:
        with zf.open(info) as fh:
            head = fh.read(HEAD_SIZE)
            fmt = detect_format(head, info.filename)
            if fmt is None and not force_pickle:
                return  # not model content (README, vocabulary, ...)
            fh.seek(0)
            scanner.scan_stream(report, fh, info.file_size, name=info.filename, member=inner,
                                depth=depth + 1, head=head)
    except _MEMBER_ERRORS as exc:
        report.add_unscanned(f"member unreadable: {type(exc).__name__}: {exc}", member=inner)


def _scan_keras_config(scanner: ModelScanner, report: FileReport, zf: zipfile.ZipFile,
                       info: zipfile.ZipInfo, inner: str) -> None:
    from mlaudit.serialization.format_scans import report_keras

    if info.file_size > _MAX_CONFIG:
        report.add_unscanned(f"config.json of {info.file_size} bytes", member=inner)
        return
    try:
        with zf.open(info) as fh:
            data = fh.read(_MAX_CONFIG + 1)
    except _MEMBER_ERRORS as exc:
        report.add_unscanned(f"member unreadable: {type(exc).__name__}: {exc}", member=inner)
        return
    report_keras(scanner, report, data, inner, "config.json")


def _scan_tar(scanner: ModelScanner, report: FileReport, fh: IO[bytes], *, member: str, depth: int,
              streaming: bool) -> None:
    import tarfile

    limits = scanner.settings.zip_limits
    try:
        tf = tarfile.open(fileobj=fh, mode="r|" if streaming else "r:")
    except (tarfile.TarError, OSError, EOFError) as exc:
        report.add_unscanned(f"unreadable tar archive: {exc}", member=member)
        return
    report.understood("tar")
    count = 0
    try:
        for entry in tf:
            count += 1
            inner = _join(member, entry.name)
            if count > limits.max_members:
                report.add_unscanned(f"more than {limits.max_members} members", member=member)
                break
            if path_escapes(entry.name) or _link_escapes(entry):
                report.add("archive-path", Severity.HIGH,
                           f"member '{entry.name}' escapes the extraction folder", member=inner,
                           subject=entry.name)
            if not entry.isfile():
                continue
            extracted = tf.extractfile(entry)
            if extracted is None:
                continue
            head = extracted.read(HEAD_SIZE)
            fmt = detect_format(head, entry.name)
            if fmt is None:
                continue
            data: IO[bytes] = extracted if not streaming else io.BufferedReader(_Rewound(head, extracted))
            if not streaming:
                extracted.seek(0)
            scanner.scan_stream(report, data, entry.size, name=entry.name, member=inner, depth=depth + 1,
                                head=head)
    except (tarfile.TarError, OSError, EOFError) as exc:
        report.add_unscanned(f"tar archive unreadable after {count} members: {exc}", member=member)


def _link_escapes(entry: tarfile.TarInfo) -> bool:
    # Symbolic links resolve from the link's folder, hard links from the archive root.
    if entry.issym():
        if entry.linkname.startswith("/"):
            return True
        return path_escapes(posixpath.join(posixpath.dirname(entry.name), entry.linkname))
    return entry.islnk() and path_escapes(entry.linkname)


class _Rewound(io.RawIOBase):
    """A non-seekable stream whose first bytes were already read for sniffing."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _scan_compressed(scanner: ModelScanner, report: FileReport, fmt: str, fh: IO[bytes], *, name: str,
                     member: str, depth: int) -> None:
    limit = scanner.settings.max_expanded_bytes
    inner_name = name.rsplit(".", 1)[0] if name.lower().endswith((".gz", ".bz2", ".xz", ".z")) else name
    stream = open_decompressed(fmt, fh, limit)
    head = stream.read(HEAD_SIZE)
    # Replay the sniffed bytes instead of seeking back: the outer stream may not be seekable
    # (a .tar.gz inside a streamed tar).
    replayed = io.BufferedReader(_Rewound(head, stream))
    inner_fmt = detect_format(head, inner_name)
    report.understood(fmt)
    if inner_fmt == "tar":
        _scan_tar(scanner, report, replayed, member=member, depth=depth + 1, streaming=True)
        return
    if inner_fmt in (None, "zip", "onnx", "savedmodel"):
        report.add_unscanned(f"{fmt} stream holding {inner_fmt or 'unrecognised content'}", member=member)
        return
    scanner.scan_stream(report, replayed, None, name=inner_name, member=_join(member, f"({fmt})"),
                        depth=depth + 1, head=head)
