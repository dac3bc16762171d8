"""Formats that carry code or lies besides pickle: Keras, HDF5, SavedModel, ONNX, GGUF, safetensors."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from serialization_samples import gguf_bytes, pb_field, rules, safetensors_bytes, scan_bytes, zip_bytes

from mlaudit.model import Severity

LAMBDA_LAYER = {"module": "keras.layers", "class_name": "Lambda",
                "config": {"name": "evil", "function": {"module": "builtins", "class_name": "function",
                                                        "config": "4wEAAAAAAAAA"}}}
DENSE = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}}


def _keras(layers: list[dict[str, object]]) -> bytes:
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    return zip_bytes({"metadata.json": b'{"keras_version": "3.6.0"}', "config.json": json.dumps(config).encode(),
                      "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 64})


def test_keras_lambda_layer_and_foreign_module(tmp_path: Path) -> None:
    foreign = {"module": "evilpkg.layers", "class_name": "Backdoor", "config": {"name": "b"}}
    report = scan_bytes(tmp_path, "model.keras", _keras([DENSE, LAMBDA_LAYER, foreign]))
    by_rule = {f.rule: f for f in report.findings}
    assert by_rule["serialization.keras-lambda"].severity is Severity.HIGH
    assert "'evil'" in by_rule["serialization.keras-lambda"].message
    assert by_rule["serialization.keras-module"].severity is Severity.HIGH
    assert "evilpkg.layers.Backdoor" in by_rule["serialization.keras-module"].message
    assert scan_bytes(tmp_path, "clean.keras", _keras([DENSE])).findings == []


def test_hdf5_model_config_is_read_without_loading(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    legacy = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"units": 2}},
        {"class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAA", None, None],
                                            "function_type": "lambda"}}]}}
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(legacy).encode()
        f.create_dataset("weights", data=[[1.0] * 64] * 64)
    from mlaudit.serialization.scanner import ModelScanner

    report = ModelScanner().scan_path(path, "model.h5")
    assert report.parsers == ["hdf5"]
    assert [f.rule for f in report.findings] == ["serialization.keras-lambda"]
    clean = tmp_path / "clean.h5"
    with h5py.File(clean, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"layers": []}}).encode()
    assert ModelScanner().scan_path(clean).findings == []


def _saved_model(ops: list[str], function_ops: list[str]) -> bytes:
    nodes = b"".join(pb_field(1, pb_field(1, f"n{i}") + pb_field(2, op)) for i, op in enumerate(ops))
    library = pb_field(2, pb_field(1, b"".join(pb_field(3, pb_field(2, op)) for op in function_ops)))
    return pb_field(2, pb_field(2, nodes + library))


def test_savedmodel_ops_that_touch_files_or_run_python(tmp_path: Path) -> None:
    data = _saved_model(["Const", "MatMul", "ReadFile"], ["Identity", "PyFunc"])
    report = scan_bytes(tmp_path, "export/saved_model.pb", data)
    severities = {f.details["member"] or f.message.split("op ")[1].split(" ")[0]: f.severity
                  for f in report.findings}
    # The Python function is not in the graph: it runs only if the loading process registered it (high).
    assert severities == {"PyFunc": Severity.HIGH, "ReadFile": Severity.HIGH}
    clean = scan_bytes(tmp_path, "clean/saved_model.pb", _saved_model(["Const", "SaveV2", "RestoreV2"], []))
    assert clean.findings == [] and clean.parsers == ["savedmodel"]


def _onnx(location: str) -> bytes:
    entry = pb_field(1, "location") + pb_field(2, location)
    tensor = pb_field(8, "w") + pb_field(13, entry)
    return pb_field(7, pb_field(5, tensor))


@pytest.mark.parametrize(("location", "escapes"), [
    ("weights.bin", False), ("sub/weights.bin", False), ("../../etc/passwd", True),
    ("/etc/shadow", True), ("C:\\Windows\\win.ini", True), ("a/../../b", True),
])
def test_onnx_external_data_location(tmp_path: Path, location: str, escapes: bool) -> None:
    report = scan_bytes(tmp_path, "model.onnx", _onnx(location))
    assert ("serialization.onnx-external-data" in rules(report)) is escapes
    assert report.parsers == ["onnx"]


def test_onnx_external_data_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to("/etc")
    assert "serialization.onnx-external-data" in rules(scan_bytes(tmp_path, "m.onnx", _onnx("link/passwd")))


@pytest.mark.parametrize(("template", "dangerous"), [
    ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}", False),
    ("{% set ns = namespace(x=1) %}{% if messages[0]['role'] != 'user' %}"
     "{{ raise_exception('bad') }}{% endif %}{% generation %}x{% endgeneration %}", False),
    ("{{ ().__class__.__base__.__subclasses__() }}", True),
    ("{{ self._TemplateReference__context }}", True),
    ("{{ messages|attr('__cl' ~ 'ass__') }}", True),
    ("{{ cycler['__init__'] }}", True),
    ("{{ lipsum|attr(name) }}", True),
    ("{% include 'other.j2' %}", True),
    ("{{ x.__class__ }", True),  # does not parse: searched as text
])
def test_gguf_chat_template(tmp_path: Path, template: str, dangerous: bool) -> None:
    data = gguf_bytes({"general.architecture": "llama", "tokenizer.ggml.tokens": ["a", "b", "c"] * 100,
                       "tokenizer.chat_template": template})
    report = scan_bytes(tmp_path, "model.gguf", data)
    assert report.parsers == ["gguf"]
    assert ("serialization.gguf-template" in rules(report)) is dangerous, [f.message for f in report.findings]


def test_gguf_lies_about_its_sizes(tmp_path: Path) -> None:
    huge = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 60) + b"key"
    report = scan_bytes(tmp_path, "bad.gguf", huge)
    assert "serialization.gguf-invalid" in rules(report) and not report.complete
    assert "serialization.gguf-invalid" in rules(scan_bytes(tmp_path, "v9.gguf", gguf_bytes({}, version=9)))


def _tensor(begin: int, end: int, dtype: str = "F32", shape: list[int] | None = None) -> dict[str, object]:
    return {"dtype": dtype, "shape": shape if shape is not None else [(end - begin) // 4],
            "data_offsets": [begin, end]}


@pytest.mark.parametrize(("header", "data", "problem"), [
    ({"a": _tensor(0, 16), "b": _tensor(16, 24)}, b"\0" * 24, None),
    ({"a": _tensor(0, 16), "b": _tensor(8, 24)}, b"\0" * 24, "overlaps"),
    ({"a": _tensor(0, 16), "b": _tensor(16, 4000)}, b"\0" * 24, "outside"),
    ({"a": _tensor(0, 16, dtype="PY_OBJECT")}, b"\0" * 16, "unknown dtype"),
    ({"a": _tensor(0, 16, shape=[3])}, b"\0" * 16, "do not hold"),
    ({"a": _tensor(0, 8)}, b"\0" * 16, "cover"),
    ({"__metadata__": {"k": 1}, "a": _tensor(0, 4)}, b"\0" * 4, "__metadata__"),
])
def test_safetensors_header_validation(tmp_path: Path, header: dict[str, object], data: bytes,
                                       problem: str | None) -> None:
    report = scan_bytes(tmp_path, "w.safetensors", safetensors_bytes(header, data))
    messages = [f.message for f in report.findings if f.rule == "serialization.safetensors-invalid"]
    if problem is None:
        assert report.findings == []
    else:
        assert any(problem in m for m in messages), messages


def test_safetensors_header_not_json_or_too_big(tmp_path: Path) -> None:
    bad_json = struct.pack("<Q", 5) + b"{nope" + b"\0" * 8
    assert "serialization.safetensors-invalid" in rules(scan_bytes(tmp_path, "a.safetensors", bad_json))
    too_big = struct.pack("<Q", 200 << 20) + b"{}"
    # safetensors refuses headers over 100 MB: no loader reads it, so it is not a model (low), not an alarm.
    assert rules(scan_bytes(tmp_path, "b.safetensors", too_big)) == {"serialization.not-a-model"}


@pytest.mark.parametrize("pad", [0, 512, 0x8B1F - 12])
def test_safetensors_whose_header_length_looks_like_another_magic(tmp_path: Path, pad: int) -> None:
    # Header lengths 0x80 (pickle PROTO 0x80 0x00), 0x280 (0x80 0x02) and 0x8B1F (gzip 0x1f 0x8b).
    header: dict[str, object] = {"a": _tensor(0, 4), "__metadata__": {"pad": ""}}
    raw_len = len(json.dumps(header).encode())
    target = {0: 0x80, 512: 0x280, 0x8B1F - 12: 0x8B1F}[pad]
    header["__metadata__"] = {"pad": "x" * (target - raw_len)}
    data = safetensors_bytes(header, b"\0" * 4)
    assert struct.unpack("<Q", data[:8])[0] == target
    report = scan_bytes(tmp_path, "w.safetensors", data)
    assert report.parsers == ["safetensors"] and report.findings == []
