"""One scan per non-container format: run its parser, turn what it found into findings."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.pickle_report import report_pickle

if TYPE_CHECKING:
    from mlaudit.serialization.scan_settings import StreamScanner

_SEVERITY = {s.value: s for s in Severity}


def scan_pickle(scanner: StreamScanner, report: FileReport, fh: IO[bytes], size: int | None,
                member: str) -> None:
    """Every pickle stream of the file (see ``pickle_report.scan_pickle_file``)."""
    from mlaudit.serialization.pickle_report import scan_pickle_file

    scan_pickle_file(report, fh, size, member, scanner.settings.policy, scanner.settings.pickle_limits)


def scan_npy(scanner: StreamScanner, report: FileReport, fh: IO[bytes], size: int | None, member: str) -> None:
    """A ``.npy`` header; the pickle behind an object dtype is walked like any pickle."""
    from mlaudit.formats.numpy_header import NpyError, read_npy_header
    from mlaudit.formats.pickle_ops import walk_stream

    reader = ByteReader(fh, size=size)
    try:
        header = read_npy_header(reader)
    except NpyError as exc:
        report.add_unscanned(f"invalid .npy header: {exc}", member=member)
        return
    report.understood("numpy")
    if not header.has_object:
        return
    report.add("numpy-object", Severity.LOW,
               f"NumPy array of dtype {header.descr!r} stores Python objects as a pickle "
               "(np.load needs allow_pickle=True)", member=member, offset=header.data_offset,
               subject="object-dtype")
    scan = walk_stream(reader, scanner.settings.pickle_limits)
    report_pickle(report, scan, scanner.settings.policy, member=member, container="numpy")


def scan_safetensors(report: FileReport, fh: IO[bytes], size: int | None, member: str) -> None:
    """Header validation (only the header is read)."""
    from mlaudit.formats.safetensors_header import validate_safetensors

    if size is None:
        data = fh.read()
        size = len(data)
        import io

        fh = io.BytesIO(data)
    issues = validate_safetensors(fh, size)
    report.understood("safetensors")
    for issue in issues:
        report.add_issue(issue, member)


def scan_gguf(report: FileReport, fh: IO[bytes], size: int | None, member: str) -> None:
    """Header and metadata; chat templates searched for Jinja constructs reaching Python internals."""
    from mlaudit.formats.chat_template import dangerous_constructs
    from mlaudit.formats.gguf_header import read_gguf_header

    header = read_gguf_header(ByteReader(fh, size=size))
    report.understood("gguf")
    for issue in header.issues:
        report.add_issue(issue, member)
    for key, template in header.templates.items():
        for construct in dangerous_constructs(template):
            report.add("gguf-template", _SEVERITY[construct.severity],
                       f"{key} contains {construct.what}: rendering it outside a sandbox can run code "
                       "(llama-cpp-python template injection)", member=member, subject=f"{key}:{construct.what}")


def scan_hdf5(scanner: StreamScanner, report: FileReport, fh: IO[bytes], member: str) -> None:
    """Keras ``model_config`` JSON stored in the HDF5 file, without an HDF5 library."""
    from mlaudit.formats.hdf5_config import find_model_configs

    report.understood("hdf5")
    for config in find_model_configs(fh):
        report_keras(scanner, report, config, member, "model_config")


def report_keras(scanner: StreamScanner, report: FileReport, config: str | bytes, member: str,
                 where: str) -> None:
    """Findings for Lambda layers and non-Keras modules of a Keras configuration."""
    from mlaudit.formats.keras_config import keras_constructs

    for construct in keras_constructs(config):
        if construct.kind == "lambda":
            report.add("keras-lambda", Severity.HIGH,
                       f"{where}: {construct.detail} holds Python code that runs when the model is loaded",
                       member=member, subject=construct.detail)
        elif construct.kind == "code-module":
            report.add("keras-module", Severity.CRITICAL,
                       f"{where}: object from {construct.detail}, which Keras imports and calls when loading: "
                       "it runs commands or code", member=member, subject=construct.detail)
        elif construct.kind == "module":
            report.add("keras-module", Severity.HIGH,
                       f"{where}: layer from module {construct.detail}, which Keras imports when loading",
                       member=member, subject=construct.detail)
        else:
            report.add_unscanned(f"{where}: {construct.detail}", member=member)


def scan_keras_metadata(scanner: StreamScanner, report: FileReport, fh: IO[bytes], size: int | None,
                        member: str) -> None:
    """SavedModel ``keras_metadata.pb``: each saved layer's JSON metadata, searched like a Keras config."""
    from mlaudit.formats.protobuf_wire import ProtobufError
    from mlaudit.formats.savedmodel_ops import read_keras_metadata

    if size is None:
        report.add_unscanned("keras_metadata.pb inside a stream of unknown length", member=member)
        return
    try:
        documents = read_keras_metadata(ByteReader(fh, size=size), size)
    except ProtobufError as exc:
        report.add_unscanned(f"not a valid keras_metadata.pb protobuf: {exc}", member=member)
        return
    report.understood("keras-metadata")
    for document in documents:
        report_keras(scanner, report, document, member, "keras_metadata.pb")


def scan_onnx(report: FileReport, fh: IO[bytes], size: int | None, member: str, folder: Path | None) -> None:
    """External-data locations that escape the model's folder (lexically, and through symlinks on disk)."""
    from mlaudit.formats.onnx_external import escapes_folder, read_external_data
    from mlaudit.formats.protobuf_wire import ProtobufError

    if size is None:
        report.add_unscanned("ONNX model inside a stream of unknown length", member=member)
        return
    try:
        found = read_external_data(ByteReader(fh, size=size), size)
    except ProtobufError as exc:
        report.add_unscanned(f"not a valid ONNX protobuf: {exc}", member=member)
        return
    report.understood("onnx")
    for op in found.python_ops:
        report.add("onnx-op", Severity.HIGH, f"node uses operator {op}, which runs Python code of the "
                   "process that loads the model", member=member, subject=op)
    for op in found.custom_ops:
        report.add("onnx-op", Severity.MEDIUM, f"node uses operator {op} from a custom domain: the runtime "
                   "loads a library or Python code registered for it", member=member, subject=op)
    for tensor, location, offset in found.locations:
        escapes = escapes_folder(location)
        if not escapes and folder is not None:
            resolved = (folder / location).resolve()
            escapes = not resolved.is_relative_to(folder.resolve())
        if escapes:
            report.add("onnx-external-data", Severity.HIGH,
                       f"tensor '{tensor}' reads its data from '{location}', outside the model's folder",
                       member=member, offset=offset, subject=location)
        elif not member:
            import posixpath

            companion = posixpath.normpath(posixpath.join(posixpath.dirname(report.path), location))
            if companion not in report.companions:
                report.companions.append(companion)


def scan_savedmodel(report: FileReport, fh: IO[bytes], size: int | None, member: str) -> None:
    """Ops of every graph and function that read or write files or run Python."""
    from mlaudit.formats.protobuf_wire import ProtobufError
    from mlaudit.formats.savedmodel_ops import DANGEROUS_OPS, read_ops

    if size is None:
        report.add_unscanned("SavedModel inside a stream of unknown length", member=member)
        return
    try:
        ops = read_ops(ByteReader(fh, size=size), size)
    except ProtobufError as exc:
        report.add_unscanned(f"not a valid SavedModel protobuf: {exc}", member=member)
        return
    report.understood("savedmodel")
    for op, count in sorted(ops.items()):
        if op in DANGEROUS_OPS:
            severity, why = DANGEROUS_OPS[op]
            report.add("tf-op", _SEVERITY[severity], f"graph uses op {op} ({count}x), which {why}",
                       member=member, subject=op)
