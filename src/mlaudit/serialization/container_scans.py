"""Containers: zip (PyTorch, Keras, NumPy ``.npz``, plain), tar and compressed streams, member by member.

PyTorch zip checkpoints: every ``.pkl`` member is walked (not only
``data.pkl``); members under ``<archive>/data/`` are raw tensor storage that
``torch.load`` reads as bytes, and are not parsed. A ``config.json`` at the
root of any zip (Keras ``.keras``) is searched for Lambda layers and foreign
modules. Other members are scanned when their content (or name) is a model
format; nested archives recurse up to the depth limit. Compressed streams
(gzip, bz2, xz, zstd, zlib, joblib's old ``ZF`` files) are expanded through the
file's expansion budget; what needs random access (a zip inside a gzip) is
spooled to a temporary file first, charged to the same budget.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from typing import IO, TYPE_CHECKING

from mlaudit.formats.archive_limits import ExpansionBudget
from mlaudit.formats.compressed_stream import Charged, ZstdUnavailable, open_decompressed
from mlaudit.formats.pickle_sniff import SNIFF_SIZE
from mlaudit.formats.zip_container import audit_zip_members, path_escapes
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.file_sniff import sniff_format

if TYPE_CHECKING:
    import tarfile

    from mlaudit.serialization.scan_settings import StreamScanner

_TORCH_STORAGE = re.compile(r"(^|/)data/[^/]+$")
_TORCH_METADATA = re.compile(r"(^|/)(version|byteorder|\.format_version|\.storage_alignment|"
                             r"\.data/serialization_id|\.data/version)$")
_MAX_CONFIG = 64 << 20
_SPOOL_IN_MEMORY = 32 << 20
# Formats whose parsers seek: read from a spooled copy when they arrive in a stream.
_RANDOM_ACCESS = frozenset({"zip", "onnx", "savedmodel", "keras-metadata", "safetensors", "gguf"})
_ZFILE_HEADER = 2 + 19  # b"ZF" + hex(length).ljust(len(hex(2**64)))
# What reading a hostile member can raise: corrupt deflate data, unsupported methods, bad headers.
_MEMBER_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, struct.error,
                  zlib.error)


def scan_container(scanner: StreamScanner, report: FileReport, fmt: str, fh: IO[bytes], size: int | None, *,
                   name: str, member: str, depth: int) -> None:
    """Scan an archive or compressed stream and its members."""
    if fmt == "zip":
        _scan_zip(scanner, report, fh, member=member, depth=depth)
    elif fmt == "tar":
        _scan_tar(scanner, report, fh, member=member, depth=depth, streaming=False)
    elif fmt == "joblib-zfile":
        _scan_joblib_zfile(scanner, report, fh, name=name, member=member, depth=depth)
    else:
        _scan_compressed(scanner, report, fmt, fh, name=name, member=member, depth=depth)


def _join(outer: str, inner: str) -> str:
    return f"{outer}!{inner}" if outer else inner


def _scan_zip(scanner: StreamScanner, report: FileReport, fh: IO[bytes], *, member: str, depth: int) -> None:
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError,
            struct.error) as exc:
        report.add_unscanned(f"unreadable zip archive: its central directory does not parse "
                             f"({type(exc).__name__})", member=member)
        return
    with zf:
        infos, issues = audit_zip_members(zf, fh, scanner.settings.zip_limits)
        for issue in issues:
            report.add_issue(issue, _join(member, issue.subject) if issue.subject != "members" else member)
        names = {i.filename for i in infos}
        torch_zip = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
        # Keras opens any zip with a root config.json (metadata.json and the weights are optional to it).
        keras_zip = "config.json" in names
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


def _scan_zip_member(scanner: StreamScanner, report: FileReport, zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                     inner: str, depth: int, *, force_pickle: bool) -> None:
    try:
        with zf.open(info) as raw:
            stored = info.compress_type == zipfile.ZIP_STORED
            fh: IO[bytes] = raw if stored else io.BufferedReader(Charged(raw, scanner.budget))
            head = fh.read(SNIFF_SIZE)
            fmt = sniff_format(head, info.filename)
            if fmt is None and force_pickle:
                fmt = "pickle"
            if fmt is None:
                return  # not model content (README, vocabulary, ...)
            if stored:
                fh.seek(0)
                size: int | None = info.file_size
            else:
                fh, size = _replay(head, fh, fmt, scanner.budget)
            scanner.scan_stream(report, fh, size, name=info.filename, member=inner, depth=depth + 1,
                                head=head, fmt=fmt)
    except _MEMBER_ERRORS as exc:
        report.add_unscanned(f"member unreadable: its data does not decompress ({type(exc).__name__})",
                             member=inner)


def _replay(head: bytes, rest: IO[bytes], fmt: str, budget: ExpansionBudget) -> tuple[IO[bytes], int | None]:
    """The stream again from its start: spooled (charged) when its parser seeks, else replayed as it comes."""
    if fmt not in _RANDOM_ACCESS:
        return io.BufferedReader(_Rewound(head, rest)), None
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # closed when the caller drops it
    spool.write(head)
    while True:
        chunk = rest.read(1 << 20)
        if not chunk:
            break
        budget.check_clock()
        spool.write(chunk)
    size = spool.tell()
    spool.seek(0)
    return spool, size


def _scan_keras_config(scanner: StreamScanner, report: FileReport, zf: zipfile.ZipFile,
                       info: zipfile.ZipInfo, inner: str) -> None:
    from mlaudit.serialization.format_scans import report_keras

    if info.file_size > _MAX_CONFIG:
        report.add_unscanned(f"config.json of {info.file_size} bytes", member=inner)
        return
    try:
        with zf.open(info) as fh:
            data = fh.read(_MAX_CONFIG + 1)
    except _MEMBER_ERRORS as exc:
        report.add_unscanned(f"member unreadable: its data does not decompress ({type(exc).__name__})",
                             member=inner)
        return
    report_keras(scanner, report, data, inner, "config.json")


def _scan_tar(scanner: StreamScanner, report: FileReport, fh: IO[bytes], *, member: str, depth: int,
              streaming: bool) -> None:
    import tarfile

    limits = scanner.settings.zip_limits
    try:
        tf = tarfile.open(fileobj=fh, mode="r|" if streaming else "r:")
    except (tarfile.TarError, OSError, EOFError) as exc:
        report.add_unscanned(f"unreadable tar archive: its first header does not parse ({type(exc).__name__})",
                             member=member)
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
            head = extracted.read(SNIFF_SIZE)
            fmt = sniff_format(head, entry.name)
            if fmt is None:
                continue
            data: IO[bytes] = extracted
            size: int | None = entry.size
            if streaming:
                data, size = _replay(head, extracted, fmt, scanner.budget)
                size = entry.size if size is None else size
            else:
                extracted.seek(0)
            scanner.scan_stream(report, data, size, name=entry.name, member=inner, depth=depth + 1,
                                head=head, fmt=fmt)
    except (tarfile.TarError, OSError, EOFError) as exc:
        report.add_unscanned(f"tar archive unreadable after {count} members ({type(exc).__name__})",
                             member=member)


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


def _scan_compressed(scanner: StreamScanner, report: FileReport, fmt: str, fh: IO[bytes], *, name: str,
                     member: str, depth: int) -> None:
    inner_name = name.rsplit(".", 1)[0] if name.lower().endswith((".gz", ".bz2", ".xz", ".z", ".zst")) else name
    try:
        stream = open_decompressed(fmt, fh, scanner.budget)
    except ZstdUnavailable as exc:
        report.add_unscanned(str(exc), member=member)
        return
    report.understood(fmt)
    _scan_expanded(scanner, report, fmt, stream, inner_name=inner_name, member=member, depth=depth)


def _scan_expanded(scanner: StreamScanner, report: FileReport, fmt: str, stream: IO[bytes], *, inner_name: str,
                   member: str, depth: int, raw_data_ok: bool = False) -> None:
    head = stream.read(SNIFF_SIZE)
    inner_fmt = sniff_format(head, inner_name)
    inner = _join(member, f"({fmt})")
    if inner_fmt == "tar":
        # Replay the sniffed bytes instead of seeking back: the outer stream may not be seekable
        # (a .tar.gz inside a streamed tar).
        _scan_tar(scanner, report, io.BufferedReader(_Rewound(head, stream)), member=member, depth=depth + 1,
                  streaming=True)
        return
    if inner_fmt is None:
        if not raw_data_ok:
            report.not_a_model(f"the {fmt} stream holds content no model loader reads", member=inner)
        return
    data, size = _replay(head, stream, inner_fmt, scanner.budget)
    scanner.scan_stream(report, data, size, name=inner_name, member=inner, depth=depth + 1, head=head,
                        fmt=inner_fmt)


def _scan_joblib_zfile(scanner: StreamScanner, report: FileReport, fh: IO[bytes], *, name: str, member: str,
                       depth: int) -> None:
    """joblib < 0.10 (``numpy_pickle_compat.write_zfile``): b"ZF", the hex length padded to 19, zlib data."""
    header = fh.read(_ZFILE_HEADER)
    try:
        int(header[2:].strip().decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        report.add_unscanned(f"joblib ZF header at byte 2 is not a hex length ({header[2:10]!r})", member=member)
        return
    first = fh.read(1)
    rest = fh if first == b" " else io.BufferedReader(_Rewound(first, fh))  # joblib <= 0.8.4: one more space
    report.understood("joblib-zfile")
    stream = open_decompressed("zlib", rest, scanner.budget)
    # A ZF side file of an old joblib dump holds raw array bytes (read as data, never unpickled).
    _scan_expanded(scanner, report, "zlib", stream, inner_name=name, member=member, depth=depth, raw_data_ok=True)
