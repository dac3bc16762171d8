"""Containers as loaders read them: compressed checkpoints, zips read from their end, old joblib, Keras, ONNX.

Each sample is built here (never loaded). A code-running sample must reach the
gate (high or critical); content no loader accepts is low "not a model", and
messages name bytes and offsets, never an exception's text.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zipfile
import zlib
from pathlib import Path

import pytest
from serialization_samples import imports_found, pb_field, reduce_pickle, rules, scan_bytes, stream, worst, zip_bytes

from mlaudit.model import Severity

EVIL = reduce_pickle("os", "system")
TORCH_ZIP = zip_bytes({"m/data.pkl": EVIL, "m/version": b"3\n", "m/data/0": b"\0" * 64})
LFS_HEADER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 9\n"


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return bytes(zstandard.ZstdCompressor().compress(data))


@pytest.mark.parametrize(("name", "wrap"), [
    ("gz.pt", gzip.compress), ("bz.pt", bz2.compress), ("xz.pt", lzma.compress), ("zst.pt", _zstd),
])
def test_compressed_pytorch_zip_is_expanded_and_scanned(tmp_path: Path, name: str, wrap: object) -> None:
    report = scan_bytes(tmp_path, name, wrap(TORCH_ZIP))  # type: ignore[operator]
    found = imports_found(report)["os.system"]
    assert found.severity is Severity.CRITICAL
    assert found.details["member"].endswith("!m/data.pkl")
    assert "torch-zip" in report.parsers


@pytest.mark.parametrize("wrap", [gzip.compress, bz2.compress, lzma.compress, _zstd])
def test_compressed_pickle(tmp_path: Path, wrap: object) -> None:
    assert imports_found(scan_bytes(tmp_path, "m.pkl", wrap(EVIL)))["os.system"]  # type: ignore[operator]


@pytest.mark.parametrize("prefix", [b"\0" * 512, LFS_HEADER, b"\x89PNG\r\n\x1a\n" + b"x" * 100])
def test_zip_behind_a_prefix_is_read_from_its_end(tmp_path: Path, prefix: bytes) -> None:
    report = scan_bytes(tmp_path, "model.pt", prefix + TORCH_ZIP)
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL
    assert "serialization.zip-prefix" in rules(report)


def test_a_pickle_before_an_appended_zip_is_scanned_as_both(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "model.pkl", reduce_pickle("subprocess", "run") + zip_bytes({"a/data.pkl": EVIL}))
    assert {"subprocess.run", "os.system"} <= set(imports_found(report))


def test_a_real_lfs_pointer_is_unscanned_high(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "model.bin", LFS_HEADER)
    assert [(f.rule, f.severity) for f in report.findings] == [("serialization.unscanned", Severity.HIGH)]


def _zfile(data: bytes, extra_space: bool = False) -> bytes:
    return b"ZF" + hex(len(data)).encode().ljust(19) + (b" " if extra_space else b"") + zlib.compress(data)


@pytest.mark.parametrize("extra_space", [False, True])
def test_old_joblib_zfile_layout(tmp_path: Path, extra_space: bool) -> None:
    report = scan_bytes(tmp_path, "model.pkl", _zfile(EVIL, extra_space))
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL
    assert report.parsers[0] == "joblib-zfile"
    raw_array = scan_bytes(tmp_path, "model.pkl_01.npy.z", _zfile(bytes(range(256)) * 8))
    assert raw_array.findings == [] and raw_array.complete  # array bytes, read as data


def test_joblib_wrapper_that_does_not_parse_fails_the_gate(tmp_path: Path) -> None:
    wrapper = b"\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}\x8c\x05shape\x8c\x03bad\x73b"
    data = stream(wrapper) + EVIL
    report = scan_bytes(tmp_path, "model.joblib", data)
    assert worst(report) is not None and worst(report).at_least(Severity.HIGH)  # type: ignore[union-attr]
    assert not report.complete


def test_not_a_model_is_low_and_names_the_bytes(tmp_path: Path) -> None:
    for name, data in [("image.pt", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), ("text.pkl", b"hello world"),
                       ("table.bin", b"\x28\x03\x00\x01" * 16)]:
        report = scan_bytes(tmp_path, name, data)
        assert [(f.rule, f.severity) for f in report.findings] == [("serialization.not-a-model", Severity.LOW)], name
        message = report.findings[0].message
        assert message.startswith("not a model: bytes ") and "at byte" in message
        assert "codec" not in message and "Error" not in message


def test_encrypted_member_is_low(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"m/data.pkl": EVIL}))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):  # set the encryption bit in both headers
        at = data.index(sig)
        flag = at + (6 if sig == b"PK\x03\x04" else 8)
        data[flag] |= 1
    report = scan_bytes(tmp_path, "model.pt", bytes(data))
    assert [(f.rule, f.severity) for f in report.findings] == [("serialization.not-a-model", Severity.LOW)]


def test_unreadable_archive_message_has_no_exception_text(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "model.pt", b"PK\x03\x04" + b"\xff" * 200)
    message = report.findings[0].message
    assert report.findings[0].severity is Severity.HIGH
    assert "File is not a zip file" not in message and "BadZipFile" in message


def _keras_zip(layers: list[dict[str, object]], *, metadata: bool = True) -> bytes:
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    members = {"config.json": json.dumps(config).encode()}
    if metadata:
        members["metadata.json"] = b'{"keras_version": "3.6.0"}'
    return zip_bytes(members)


@pytest.mark.parametrize(("module", "class_name", "config", "severity"), [
    ("os", "function", "system", Severity.CRITICAL),
    ("subprocess", "Popen", {"name": "p"}, Severity.CRITICAL),
    ("builtins", "function", "exec", Severity.CRITICAL),
    ("evilpkg.layers", "Backdoor", {"name": "b"}, Severity.HIGH),
])
def test_keras_objects_from_foreign_modules(tmp_path: Path, module: str, class_name: str, config: object,
                                           severity: Severity) -> None:
    layer = {"module": module, "class_name": class_name, "config": config}
    for metadata in (True, False):  # Keras opens any zip with a root config.json
        report = scan_bytes(tmp_path, "model.keras", _keras_zip([layer], metadata=metadata))
        found = [f for f in report.findings if f.rule == "serialization.keras-module"]
        assert [f.severity for f in found] == [severity]


def _keras_metadata(documents: list[dict[str, object]]) -> bytes:
    return b"".join(pb_field(1, pb_field(3, "root.layer-0") + pb_field(5, json.dumps(doc))) for doc in documents)


def test_savedmodel_keras_metadata_lambda_layers(tmp_path: Path) -> None:
    lam = {"name": "lam", "class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAA", None, None],
                                                              "function_type": "lambda"}}
    dense = {"name": "d", "class_name": "Dense", "config": {"name": "d", "units": 2}}
    report = scan_bytes(tmp_path, "export/keras_metadata.pb", _keras_metadata([dense, lam]))
    assert [(f.rule, f.severity) for f in report.findings] == [("serialization.keras-lambda", Severity.HIGH)]
    assert report.parsers == ["keras-metadata"]
    clean = scan_bytes(tmp_path, "clean/keras_metadata.pb", _keras_metadata([dense]))
    assert clean.findings == [] and clean.complete


def _onnx_nodes(nodes: list[tuple[str, str]], functions: list[tuple[str, str]] = ()) -> bytes:  # type: ignore[assignment]
    graph = b"".join(pb_field(1, pb_field(4, op) + pb_field(7, domain)) for domain, op in nodes)
    funcs = b"".join(pb_field(25, pb_field(1, name) + pb_field(10, domain)) for domain, name in functions)
    return pb_field(7, graph) + funcs


def test_onnx_python_and_custom_domain_operators(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "m.onnx", _onnx_nodes([("", "MatMul"), ("com.microsoft", "PyOp"),
                                                         ("ai.onnx.contrib", "Tokenize"), ("com.microsoft", "Gelu"),
                                                         ("local", "Block")], [("local", "Block")]))
    assert sorted((f.rule, f.severity.value, f.key) for f in report.findings) == [
        ("serialization.onnx-op", "high", "|com.microsoft:PyOp"),
        ("serialization.onnx-op", "medium", "|ai.onnx.contrib:Tokenize")]


@pytest.fixture(scope="module")
def real_keras_and_onnx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    onnx = pytest.importorskip("onnx")
    folder = tmp_path_factory.mktemp("real")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.save(folder / "model.keras")
    model.save(folder / "model.h5")
    lam = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2)])
    lam.save(folder / "lambda.keras")
    lam.save(folder / "lambda.h5")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 2), dtype=np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"]), helper.make_node("Relu", ["y"], ["z"])],
                              "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 2])], [weight])
    onnx_model = helper.make_model(graph)
    onnx.save(onnx_model, folder / "model.onnx")
    onnx.save(onnx_model, folder / "external.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="external.data", size_threshold=0)
    return {p.name: p for p in folder.iterdir()}


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.onnx", "external.onnx"])
def test_real_keras_and_onnx_files_have_no_finding(real_keras_and_onnx: dict[str, Path], name: str) -> None:
    from mlaudit.serialization.scanner import ModelScanner

    report = ModelScanner().scan_path(real_keras_and_onnx[name], name)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == [], [f.message for f in report.findings]
    assert report.complete


@pytest.mark.parametrize("name", ["lambda.keras", "lambda.h5"])
def test_real_lambda_layers_are_high(real_keras_and_onnx: dict[str, Path], name: str) -> None:
    from mlaudit.serialization.scanner import ModelScanner

    report = ModelScanner().scan_path(real_keras_and_onnx[name], name)
    assert [(f.rule, f.severity) for f in report.findings] == [("serialization.keras-lambda", Severity.HIGH)]


def test_stored_member_bytes_are_not_parsed_when_torch_reads_them_as_storage(tmp_path: Path) -> None:
    data = zip_bytes({"m/data.pkl": stream(b"N"), "m/data/0": EVIL}, zipfile.ZIP_DEFLATED)
    assert scan_bytes(tmp_path, "ok.pt", data).findings == []
