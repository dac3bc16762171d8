"""TensorFlow SavedModel ``saved_model.pb``: the op names of every graph and function.

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

# op -> (severity, why)
DANGEROUS_OPS: dict[str, tuple[str, str]] = {
    "PyFunc": ("critical", "calls a Python function"),
    "PyFuncStateless": ("critical", "calls a Python function"),
    "EagerPyFunc": ("critical", "calls a Python function"),
    "ReadFile": ("high", "reads files of the machine that runs the model"),
    "WriteFile": ("high", "writes files on the machine that runs the model"),
    "MatchingFiles": ("high", "lists files of the machine that runs the model"),
    "ImmutableConst": ("high", "memory-maps a file named in the graph"),
    "DeleteFile": ("high", "deletes files"),
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
