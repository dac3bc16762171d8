"""Containers: PyTorch zip and legacy files, joblib, NumPy, compressed wrappers, zip/tar archives."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import pickle
import struct
import tarfile
import zlib
from pathlib import Path

from serialization_samples import (
    dumped_call,
    imports_found,
    reduce_pickle,
    rules,
    scan_bytes,
    stream,
    zip_bytes,
)

from mlaudit.model import Severity

BENIGN = pickle.dumps({"w": [1.0, 2.0]}, protocol=2)
EVIL = reduce_pickle("os", "system")


def test_every_pkl_member_of_a_torch_zip_is_scanned(tmp_path: Path) -> None:
    data = zip_bytes({"model/data.pkl": BENIGN, "model/data/0": EVIL, "model/version": b"3\n",
                      "model/extra/hook.pkl": EVIL})
    report = scan_bytes(tmp_path, "model.pt", data)
    found = imports_found(report)
    assert found["os.system"].details["member"] == "model/extra/hook.pkl"
    # Raw storage (model/data/0) is read by torch as bytes, never unpickled: not reported.
    assert [f.details["member"] for f in report.findings] == ["model/extra/hook.pkl"]


def test_local_header_name_differs_from_central_directory(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"model/data.pkl": BENIGN, "model/evil.pkl": EVIL}))
    first_local = data.index(b"model/data.pkl")  # local header name comes before the central one
    data[first_local:first_local + len(b"model/data.pkl")] = b"model/dat4.pkl"
    report = scan_bytes(tmp_path, "mismatch.pt", bytes(data))
    assert "serialization.archive-name-mismatch" in rules(report)
    mismatch = next(f for f in report.findings if f.rule == "serialization.archive-name-mismatch")
    assert mismatch.severity is Severity.HIGH and "dat4.pkl" in mismatch.message
    assert "os.system" in imports_found(report)  # the other members are still scanned


def test_duplicate_and_escaping_member_names(tmp_path: Path) -> None:
    buf = io.BytesIO()
    import warnings
    import zipfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a/data.pkl", BENIGN)
            zf.writestr("a/data.pkl", EVIL)
            zf.writestr("../../escape.pkl", BENIGN)
    report = scan_bytes(tmp_path, "dup.zip", buf.getvalue())
    assert {"serialization.archive-duplicate", "serialization.archive-path"} <= rules(report)
    assert "os.system" in imports_found(report)  # both copies are scanned


def test_nested_archive_member_path(tmp_path: Path) -> None:
    inner = zip_bytes({"inner/data.pkl": EVIL})
    report = scan_bytes(tmp_path, "outer.zip", zip_bytes({"models/inner.pt": inner}))
    assert imports_found(report)["os.system"].details["member"] == "models/inner.pt!inner/data.pkl"


def test_legacy_torch_file_streams_and_raw_tail(tmp_path: Path) -> None:
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    parts = [magic, pickle.dumps(1001, protocol=2), pickle.dumps({"little_endian": True}, protocol=2),
             dumped_call(__import__("os").system, ("id",), 2), pickle.dumps(["0"], protocol=2)]
    raw_tail = struct.pack("<Q", 2) + b"c\x00os\nsystem\n"  # looks like a pickle, is storage bytes
    report = scan_bytes(tmp_path, "legacy.pt", b"".join(parts) + raw_tail)
    assert report.parsers == ["torch-legacy"]
    assert set(imports_found(report)) == {"posix.system"}
    assert report.complete


def test_compressed_wrappers(tmp_path: Path) -> None:
    evil = dumped_call(__import__("subprocess").Popen, (["id"],), 4)
    for name, data, kind in [("a.pkl.gz", gzip.compress(evil), "gzip"), ("b.pkl.bz2", bz2.compress(evil), "bz2"),
                             ("c.pkl.xz", lzma.compress(evil), "xz"), ("d.joblib", zlib.compress(evil), "zlib")]:
        report = scan_bytes(tmp_path, name, data)
        assert report.parsers == [kind, "pickle"], name
        finding = imports_found(report)["subprocess.Popen"]
        assert finding.details["member"] == f"({kind})"


def test_numpy_object_arrays_carry_pickles(tmp_path: Path) -> None:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * (118 - len(header)) + "\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + EVIL
    report = scan_bytes(tmp_path, "obj.npy", npy)
    assert {"serialization.numpy-object", "serialization.dangerous-import"} <= rules(report)
    npz = scan_bytes(tmp_path, "obj.npz", zip_bytes({"x.npy": npy}))
    assert imports_found(npz)["os.system"].details["member"] == "x.npy"


def test_tar_archive_members_and_links(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in [("model/weights.pkl", EVIL), ("model/readme.txt", b"hello")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("model/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    report = scan_bytes(tmp_path, "bundle.tar.gz", buf.getvalue())
    assert "serialization.archive-path" in rules(report)
    assert imports_found(report)["os.system"].details["member"] == "model/weights.pkl"


def test_mislabelled_files_are_scanned_as_what_they_are(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "model.safetensors", zip_bytes({"m/data.pkl": EVIL}))
    assert {"serialization.mislabelled", "serialization.dangerous-import"} <= rules(report)
    mislabel = next(f for f in report.findings if f.rule == "serialization.mislabelled")
    assert mislabel.severity is Severity.MEDIUM and "content is zip" in mislabel.message
    assert "serialization.mislabelled" not in rules(scan_bytes(tmp_path, "ok.bin", stream(b"N")))


def test_git_lfs_pointer_is_unscanned_not_clean(tmp_path: Path) -> None:
    pointer = (b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 123\n")
    report = scan_bytes(tmp_path, "model.bin", pointer)
    assert rules(report) == {"serialization.unscanned"}
    assert not report.complete and "LFS" in report.findings[0].message


def test_tar_relative_symlinks_inside_and_compressed_members_of_a_streamed_tar(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        inner = gzip.compress(EVIL)
        info = tarfile.TarInfo("bundle/weights.pkl.gz")
        info.size = len(inner)
        tf.addfile(info, io.BytesIO(inner))
        link = tarfile.TarInfo("bundle/bin/tool")
        link.type, link.linkname = tarfile.SYMTYPE, "../libexec/tool"  # stays inside: not a finding
        tf.addfile(link)
    report = scan_bytes(tmp_path, "bundle.tgz", buf.getvalue())
    assert "serialization.archive-path" not in rules(report)
    assert imports_found(report)["os.system"].details["member"] == "bundle/weights.pkl.gz!(gzip)"
    assert report.complete


def test_headerless_file_that_is_not_a_pickle_is_low_not_a_model_with_a_clear_reason(tmp_path: Path) -> None:
    report = scan_bytes(tmp_path, "table.bin", b"\x28\x03\x00\x01" * 16)  # starts with MARK, then garbage
    assert rules(report) == {"serialization.not-a-model"}
    assert report.findings[0].severity is Severity.LOW
    assert "not a pickle either (invalid opcode 0x03 at byte 1)" in report.findings[0].message
