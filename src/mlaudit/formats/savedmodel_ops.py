"""TensorFlow SavedModel ``saved_model.pb``: the op names of every graph and function; ``keras_metadata.pb``.

Fields walked (tensorflow/core/protobuf): SavedModel.meta_graphs(2);
MetaGraphDef.graph_def(2); GraphDef.node(1), .library(2);
FunctionDefLibrary.function(1); FunctionDef.node_def(3); NodeDef.op(2).
"""

from __future__ import annotations

from collections import Counter

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.protobuf_wire import ProtobufError, iter_fields, read_string

_CHILDREN: dict[str, dict[int, str]] = {
    "saved_model": {2: "meta_graph"},
    "meta_graph": {2: "graph"},
    "graph": {1: "node", 2: "library"},
    "library": {1: "function"},
    "function": {3: "node"},
}

_PYTHON = ("high", "calls a Python function of the process that loads the model")
_READS = ("high", "reads files of the machine that runs the model")
_WRITES = ("high", "writes files on the machine that runs the model")

# op -> (severity, why)
DANGEROUS_OPS: dict[str, tuple[str, str]] = {
    "PyFunc": _PYTHON, "PyFuncStateless": _PYTHON, "EagerPyFunc": _PYTHON, "PyCall": _PYTHON,
    "ReadFile": _READS, "MatchingFiles": ("high", "lists files of the machine that runs the model"),
    "MatchingFilesDataset": ("high", "lists files of the machine that runs the model"),
    "WholeFileReader": _READS, "WholeFileReaderV2": _READS, "TextLineReader": _READS, "TextLineReaderV2": _READS,
    "FixedLengthRecordReader": _READS, "FixedLengthRecordReaderV2": _READS, "TFRecordReader": _READS,
    "TFRecordReaderV2": _READS, "LoadAndRemapMatrix": _READS,
    "ImmutableConst": ("high", "memory-maps a file named in the graph"),
    "WriteFile": _WRITES, "DeleteFile": ("high", "deletes files"), "SaveDataset": _WRITES,
    "DatasetToTFRecord": _WRITES, "CreateSummaryFileWriter": _WRITES, "WriteScalarSummary": _WRITES,
    "PrintV2": ("medium", "prints to an output stream that may be a file"),
    "DebugIdentityV2": ("medium", "writes debug dumps to a folder"),
}


def read_ops(reader: ByteReader, end: int) -> Counter[str]:
    """How many times each op appears in the SavedModel (raises ``ProtobufError``)."""
    ops: Counter[str] = Counter()
    _walk(reader, end, "saved_model", ops, 0)
    return ops


def _walk(reader: ByteReader, end: int, kind: str, ops: Counter[str], depth: int) -> None:
    if depth > 16:
        raise ProtobufError("messages nested too deep")
    if kind == "node":
        for number, wire, value in iter_fields(reader, end):
            if number == 2 and wire == 2:
                ops[read_string(reader, value, 256)] += 1
        return
    children = _CHILDREN[kind]
    for number, wire, value in iter_fields(reader, end):
        child = children.get(number)
        if child is not None and wire == 2:
            _walk(reader, reader.tell() + value, child, ops, depth + 1)


def read_keras_metadata(reader: ByteReader, end: int) -> list[str]:
    """The JSON metadata of every object in a SavedModel's ``keras_metadata.pb`` (raises ``ProtobufError``).

    keras/protobuf/saved_metadata.proto: SavedMetadata.nodes(1) of SavedObject,
    whose ``metadata`` (5) is the layer's JSON (class_name, config, ...).
    """
    out: list[str] = []
    for number, wire, value in iter_fields(reader, end):
        if number == 1 and wire == 2:
            node_end = reader.tell() + value
            for sub, sub_wire, sub_value in iter_fields(reader, node_end):
                if sub == 5 and sub_wire == 2:
                    out.append(read_string(reader, sub_value, 64 << 20))
    return out
