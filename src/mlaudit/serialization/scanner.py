"""Scan one model file: detect its real format from its content and hand it to the parser that understands it.

Containers (zip, tar, compressed streams) recurse into their members up to a
depth limit; everything is read through bounded readers, nothing is loaded or
executed. Decompressed bytes of every member at every depth are charged to one
expansion budget per file (and one per audit), so bombs end in a finding. The
result is a ``FileReport`` whose findings name the member and the byte offset,
and whose coverage says what was not examined and why. Content a loader would
read but the scan could not finish is ``serialization.unscanned`` (high by
default); content no loader accepts is ``serialization.not-a-model`` (low).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from mlaudit.formats.archive_limits import BudgetExceeded, ExpansionBudget
from mlaudit.formats.byte_reader import LimitExceeded, Truncated
from mlaudit.formats.lfs_pointer import MAX_POINTER_SIZE, looks_like_pointer, parse_pointer
from mlaudit.formats.model_format import TAIL_SIZE, describe_bytes, mislabelled, zip_at_end
from mlaudit.formats.pickle_sniff import SNIFF_SIZE
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.file_sniff import NotRegularFile, open_regular, sniff_format
from mlaudit.serialization.scan_settings import ScanSettings

__all__ = ["CONTAINERS", "DATA_ONLY", "ModelScanner", "NotRegularFile", "ScanSettings", "open_regular",
           "sniff_format"]

DATA_ONLY = {"tflite": "TFLite flatbuffer", "msgpack": "msgpack (Flax)"}
CONTAINERS = ("zip", "tar", "gzip", "bz2", "xz", "zlib", "zstd", "joblib-zfile")


class ModelScanner:
    """Scans files with one set of settings."""

    def __init__(self, settings: ScanSettings | None = None) -> None:
        self.settings = settings or ScanSettings()
        self.budget = self._new_budget(0)

    def _new_budget(self, size: int) -> ExpansionBudget:
        s = self.settings
        return ExpansionBudget(size, ceiling=s.max_expanded_bytes, ratio=s.expansion_ratio,
                               max_seconds=s.max_seconds, audit=s.audit_budget)

    def scan_path(self, path: Path, label: str | None = None, *, content_key: bool = False) -> FileReport:
        """Scan the file at ``path``; ``label`` (default: the path) names it in findings.

        With ``content_key``, the report's ``content_key`` is the Git blob id of
        exactly the bytes scanned (hashed from the same descriptor), or None when
        the file changed while it was read.
        """
        report = FileReport(label or path.as_posix(), unscanned_severity=self.settings.unscanned_severity)
        try:
            with open_regular(path) as fh:
                before = os.fstat(fh.fileno())
                size = before.st_size
                key = None
                if content_key:
                    from mlaudit.serialization.scan_cache import blob_id_of

                    key = blob_id_of(fh, size)
                self.budget = self._new_budget(size)
                head = fh.read(SNIFF_SIZE)
                tail = head
                if size > len(head):
                    fh.seek(max(size - TAIL_SIZE, 0))
                    tail = fh.read(TAIL_SIZE)
                fh.seek(0)
                self._scan_file(report, fh, size, path, head, tail)
                if key is not None:
                    import time

                    from mlaudit.serialization.scan_cache import unchanged_while_read

                    if unchanged_while_read(before, os.fstat(fh.fileno()), time.time_ns()):
                        report.content_key = key
        except NotRegularFile as exc:
            report.add_unscanned(str(exc))
        except OSError as exc:
            report.add_unscanned(f"cannot read the file: {exc.strerror or 'I/O error'}")
        return report

    def _scan_file(self, report: FileReport, fh: IO[bytes], size: int, path: Path, head: bytes,
                   tail: bytes) -> None:
        if looks_like_pointer(head):
            if size <= MAX_POINTER_SIZE and parse_pointer(head) is not None:
                report.add_unscanned("Git LFS pointer: the content is not in the working tree")
                return
            if not zip_at_end(tail):
                report.not_a_model("starts like a Git LFS pointer but is not a valid one, and no loader "
                                   "reads what follows")
                return
        at_end = zip_at_end(tail)
        fmt = sniff_format(head, path.name)
        if fmt != "zip" and at_end:
            # zipfile (Keras, NumPy's zip reader, torch.jit) finds a zip from its end, whatever is before it.
            report.add("zip-prefix", Severity.MEDIUM,
                       f"a zip archive follows {describe_bytes(head)}: zip readers open it from its end; "
                       "scanned as a zip" + (f" and as {fmt}" if fmt else ""), subject="zip-prefix")
            self.scan_stream(report, fh, size, name=path.name, member="", depth=0, head=head,
                             folder=path.parent, fmt="zip")
            if fmt is None:
                return
            fh.seek(0)
        self.scan_stream(report, fh, size, name=path.name, member="", depth=0, head=head, folder=path.parent,
                         fmt=fmt, sniffed=True)

    def scan_stream(self, report: FileReport, fh: IO[bytes], size: int | None, *, name: str, member: str,
                    depth: int, head: bytes, folder: Path | None = None, fmt: str | None = None,
                    sniffed: bool = False) -> None:
        """Scan ``fh`` (positioned at its start) whose content begins with ``head``."""
        if fmt is None and not sniffed:
            fmt = sniff_format(head, name)
        promised = mislabelled(name, fmt)
        if promised is not None:
            report.add("mislabelled", self.settings.mislabelled_severity,
                       f"named like {'/'.join(sorted(promised))} but its content is {fmt}; scanned as {fmt}",
                       member=member, subject=f"{fmt}", details={"format": fmt})
        if fmt is None:
            report.not_a_model(f"{describe_bytes(head)} start no format a model loader reads", member=member)
            return
        if fmt in DATA_ONLY:
            report.understood(fmt)  # data-only formats: no construct in them runs code
            return
        try:
            self._dispatch(report, fmt, fh, size, name=name, member=member, depth=depth, folder=folder)
        except BudgetExceeded as exc:
            report.add_unscanned(str(exc), member=member)
        except Truncated as exc:
            report.add_unscanned(f"{fmt} truncated: {exc}", member=member)
        except LimitExceeded as exc:
            report.add_unscanned(f"{fmt} over a limit: {exc}", member=member)
        except OSError as exc:
            report.add_unscanned(f"{fmt} unreadable near byte {_position(fh)}: "
                                 f"{exc.strerror or 'the data is corrupt'}", member=member)
        except RecursionError:
            report.add_unscanned(f"{fmt} nested too deep", member=member)
        except Exception as exc:  # noqa: BLE001 - hostile bytes reach stdlib parsers (zipfile, tarfile,
            # struct, zlib) whose failure modes are not all documented; any of them is a file not scanned,
            # never a crashed audit. Their text is not shown: it describes mlaudit's internals, not the file.
            report.add_unscanned(f"{fmt} data invalid near byte {_position(fh)} ({type(exc).__name__})",
                                 member=member)

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
        elif fmt == "keras-metadata":
            scans.scan_keras_metadata(self, report, fh, size, member)
        elif fmt in CONTAINERS:
            from mlaudit.serialization import container_scans

            if depth >= self.settings.max_depth:
                report.add_unscanned(f"{fmt} nested more than {self.settings.max_depth} archives deep",
                                     member=member)
                return
            container_scans.scan_container(self, report, fmt, fh, size, name=name, member=member,
                                           depth=depth)
        else:  # pragma: no cover - detect_format returns only the formats above
            report.add_unscanned(f"no parser for {fmt}", member=member)


def _position(fh: IO[bytes]) -> str:
    try:
        return str(fh.tell())
    except (OSError, ValueError):
        return "?"
