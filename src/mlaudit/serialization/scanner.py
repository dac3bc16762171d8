"""Scan one model file: detect its real format from its content and hand it to the parser that understands it.

Containers (zip, tar, compressed streams) recurse into their members up to a
depth limit; everything is read through bounded readers, nothing is loaded or
executed. The result is a ``FileReport`` whose findings name the member and the
byte offset, and whose coverage says what was not examined and why.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from mlaudit.formats.archive_limits import ZipLimits
from mlaudit.formats.byte_reader import LimitExceeded, Truncated
from mlaudit.formats.lfs_pointer import looks_like_pointer
from mlaudit.formats.model_format import HEAD_SIZE, detect_format, mislabelled
from mlaudit.formats.pickle_ops import PickleLimits
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.policy import ImportPolicy

DATA_ONLY = {"tflite": "TFLite flatbuffer", "msgpack": "msgpack (Flax)"}


class ScanSettings:
    """Policy, severities and limits of a scan (a plain class: it is on the scan's start-up path)."""

    def __init__(
        self,
        policy: ImportPolicy | None = None,
        *,
        mislabelled_severity: Severity = Severity.MEDIUM,
        unscanned_severity: Severity = Severity.MEDIUM,
        max_depth: int = 3,
        max_expanded_bytes: int = 16 << 30,
        zip_limits: ZipLimits | None = None,
        pickle_limits: PickleLimits | None = None,
    ) -> None:
        self.policy = policy or ImportPolicy()
        self.mislabelled_severity = mislabelled_severity
        self.unscanned_severity = unscanned_severity
        self.max_depth = max_depth
        self.max_expanded_bytes = max_expanded_bytes
        self.zip_limits = zip_limits or ZipLimits()
        self.pickle_limits = pickle_limits or PickleLimits()


class ModelScanner:
    """Scans files with one set of settings."""

    def __init__(self, settings: ScanSettings | None = None) -> None:
        self.settings = settings or ScanSettings()

    def scan_path(self, path: Path, label: str | None = None) -> FileReport:
        """Scan the file at ``path``; ``label`` (default: the path) names it in findings."""
        report = FileReport(label or path.as_posix(), unscanned_severity=self.settings.unscanned_severity)
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                head = fh.read(HEAD_SIZE)
                if looks_like_pointer(head):
                    report.add_unscanned("Git LFS pointer: the content is not in the working tree")
                    return report
                fh.seek(0)
                self.scan_stream(report, fh, size, name=path.name, member="", depth=0, head=head,
                                 folder=path.parent)
        except OSError as exc:
            report.add_unscanned(f"cannot read the file: {exc.strerror or exc}")
        return report

    def scan_stream(self, report: FileReport, fh: IO[bytes], size: int | None, *, name: str, member: str,
                    depth: int, head: bytes, folder: Path | None = None) -> None:
        """Scan ``fh`` (positioned at its start) whose content begins with ``head``."""
        fmt = detect_format(head, name)
        promised = mislabelled(name, fmt)
        if promised is not None:
            report.add("mislabelled", self.settings.mislabelled_severity,
                       f"named like {'/'.join(sorted(promised))} but its content is {fmt}; scanned as {fmt}",
                       member=member, subject=f"{fmt}", details={"format": fmt})
        if fmt is None:
            report.add_unscanned(f"content of '{name}' is not a model format mlaudit recognises",
                                 member=member)
            return
        if fmt in DATA_ONLY:
            report.understood(fmt)  # data-only formats: no construct in them runs code
            return
        try:
            self._dispatch(report, fmt, fh, size, name=name, member=member, depth=depth, folder=folder)
        except Truncated as exc:
            report.add_unscanned(f"{fmt} truncated: {exc}", member=member)
        except LimitExceeded as exc:
            report.add_unscanned(f"{fmt} over a limit: {exc}", member=member)
        except (OSError, EOFError, ValueError) as exc:
            report.add_unscanned(f"{fmt} unreadable: {exc}", member=member)
        except RecursionError:
            report.add_unscanned(f"{fmt} nested too deep", member=member)
        except Exception as exc:  # noqa: BLE001 - hostile bytes reach stdlib parsers (zipfile, tarfile,
            # struct) whose failure modes are not all documented; any of them is a file not scanned,
            # never a crashed audit.
            report.add_unscanned(f"{fmt} parser failed: {type(exc).__name__}: {exc}", member=member)

    def _dispatch(self, report: FileReport, fmt: str, fh: IO[bytes], size: int | None, *, name: str,
                  member: str, depth: int, folder: Path | None) -> None:
        from mlaudit.serialization import format_scans as scans

        if fmt == "pickle":
            scans.scan_pickle(self, report, fh, size, member)
        elif fmt == "numpy":
            scans.scan_npy(self, report, fh, size, member)
        elif fmt == "safetensors":
            scans.scan_safetensors(report, fh, size, member)
        elif fmt == "gguf":
            scans.scan_gguf(report, fh, size, member)
        elif fmt == "hdf5":
            scans.scan_hdf5(self, report, fh, member)
        elif fmt == "onnx":
            scans.scan_onnx(report, fh, size, member, folder)
        elif fmt == "savedmodel":
            scans.scan_savedmodel(report, fh, size, member)
        elif fmt in ("zip", "tar", "gzip", "bz2", "xz", "zlib"):
            from mlaudit.serialization import container_scans

            if depth >= self.settings.max_depth:
                report.add_unscanned(f"{fmt} nested more than {self.settings.max_depth} archives deep",
                                     member=member)
                return
            container_scans.scan_container(self, report, fmt, fh, size, name=name, member=member,
                                           depth=depth)
        else:  # pragma: no cover - detect_format returns only the formats above
            report.add_unscanned(f"no parser for {fmt}", member=member)
