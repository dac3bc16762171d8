"""ONNX ``external_data`` locations that escape the model's folder, and operators that run Python.

An ONNX tensor may keep its bytes in another file named by the
``external_data`` entry ``location``; onnx resolves it against the model's
folder, so ``../../home/user/.ssh/id_rsa`` or an absolute path makes loading
read (or, on save, write) arbitrary files. Fields walked (onnx.proto3):
ModelProto.graph(7), .functions(25); GraphProto.node(1), .initializer(5),
.sparse_initializer(15); NodeProto.attribute(5); AttributeProto.t(5), .g(6),
.tensors(10), .graphs(11), .sparse_tensor(22), .sparse_tensors(23);
FunctionProto.node(7); SparseTensorProto.values(1), .indices(2);
TensorProto.name(8), .external_data(13); StringStringEntryProto key(1)/value(2);
NodeProto.op_type(4), .domain(7); FunctionProto.name(1), .domain(10).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.protobuf_wire import MAX_DEPTH, ProtobufError, iter_fields, read_string

# Operators whose kernel is Python code of the loading process.
PYTHON_OPS = frozenset({"PyOp", "PythonOp", "PyFunc", "PythonFunction"})
# Domains of ONNX itself and of onnxruntime's built-in contrib kernels.
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
                              "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental",
                              "com.ms.internal.nhwc"})

# message kind -> {field number: child message kind}
_CHILDREN: dict[str, dict[int, str]] = {
    "model": {7: "graph", 25: "function"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "function": {7: "node"},
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
}


@dataclass
class ExternalData:
    """Every external-data location of the model, with the tensor that names it."""

    locations: list[tuple[str, str, int]] = field(default_factory=list)  # (tensor, location, offset)
    python_ops: list[str] = field(default_factory=list)
    """``domain:op_type`` of nodes that run Python (onnxruntime's PyOp and the like)."""
    custom_ops: list[str] = field(default_factory=list)
    """``domain:op_type`` of nodes from a domain that is neither ONNX's nor a model-local function's."""
    functions: set[tuple[str, str]] = field(default_factory=set)
    _nodes: list[tuple[str, str]] = field(default_factory=list)


def read_external_data(reader: ByteReader, end: int) -> ExternalData:
    """Walk the ModelProto from the reader's position to ``end`` (raises ``ProtobufError``)."""
    out = ExternalData()
    _walk(reader, end, "model", out, 0)
    for domain, op in dict.fromkeys(out._nodes):
        label = f"{domain or 'ai.onnx'}:{op}"
        if op in PYTHON_OPS:
            out.python_ops.append(label)
        elif domain not in STANDARD_DOMAINS and (domain, op) not in out.functions:
            out.custom_ops.append(label)
    return out


def _walk(reader: ByteReader, end: int, kind: str, out: ExternalData, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ProtobufError(f"messages nested deeper than {MAX_DEPTH}")
    if kind == "tensor":
        _tensor(reader, end, out)
        return
    children = _CHILDREN[kind]
    names = {"node": (4, 7), "function": (1, 10)}.get(kind)
    op = domain = ""
    for number, wire, value in iter_fields(reader, end):
        child = children.get(number)
        if child is not None and wire == 2:
            _walk(reader, reader.tell() + value, child, out, depth + 1)
        elif names is not None and wire == 2 and number in names:
            text = read_string(reader, value, 256)
            op, domain = (text, domain) if number == names[0] else (op, text)
    if kind == "node":
        out._nodes.append((domain, op))
    elif kind == "function":
        out.functions.add((domain, op))


def _tensor(reader: ByteReader, end: int, out: ExternalData) -> None:
    name = ""
    entries: list[tuple[str, str, int]] = []
    for number, wire, value in iter_fields(reader, end):
        if number == 8 and wire == 2:
            name = read_string(reader, value)
        elif number == 13 and wire == 2:
            at = reader.tell()
            key = val = ""
            for sub, sub_wire, sub_value in iter_fields(reader, at + value):
                if sub_wire == 2 and sub in (1, 2):
                    text = read_string(reader, sub_value)
                    key, val = (text, val) if sub == 1 else (key, text)
            if key == "location":
                entries.append((key, val, at))
    out.locations.extend((name, loc, at) for _, loc, at in entries)


def escapes_folder(location: str) -> bool:
    """True when ``location`` is absolute or climbs out of the model's folder."""
    normal = location.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":") or "\0" in normal:
        return True
    collapsed = posixpath.normpath(normal)
    return collapsed == ".." or collapsed.startswith("../")
