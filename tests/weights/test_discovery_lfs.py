"""Which files are weights, and Git LFS pointer parsing."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from mlaudit.formats.lfs_pointer import parse_pointer
from mlaudit.weights.discovery import WeightDetector, sniff_weight_format

OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"\x93NUMPY\x01\x00", "numpy"),
        (b"GGUF\x03\x00\x00\x00", "gguf"),
        (b"\x89HDF\r\n\x1a\n", "hdf5"),
        (b"\x1c\x00\x00\x00TFL3", "tflite"),
        (b"\x80\x04\x95", "pickle"),
        (struct.pack("<Q", 120) + b'{"a"', "safetensors"),
        (b"hello world, plain text", None),
        (struct.pack("<Q", 10**12) + b"{", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, fmt: str | None) -> None:
    assert sniff_weight_format(head) == fmt


def test_detector_by_extension_glob_magic_and_exclude(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"x")
    (tmp_path / "custom.weights").write_bytes(b"x")
    (tmp_path / "noext").write_bytes(b"\x80\x04\x95junk")
    (tmp_path / "notes.txt").write_bytes(b"\x80\x04 text that starts oddly")
    (tmp_path / "script.sh").write_bytes(b"#!/bin/sh\n")
    (tmp_path / "skip.bin").write_bytes(b"x")
    detector = WeightDetector(include=["*.weights"], exclude=["skip.bin"])
    names = ["model.safetensors", "custom.weights", "noext", "notes.txt", "script.sh", "skip.bin"]
    assert detector.select(tmp_path, names) == ["model.safetensors", "custom.weights", "noext"]
    assert WeightDetector(by_content=False).select(tmp_path, ["noext"]) == []


def test_lfs_pointer_valid() -> None:
    pointer = parse_pointer(f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 42\n".encode())
    assert pointer is not None and pointer.oid_sha256 == OID and pointer.size == 42


@pytest.mark.parametrize(
    "text",
    [
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\n",  # no size
        f"version https://git-lfs.github.com/spec/v1\noid sha1:{OID[:40]}\nsize 1\n",
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize -1\n",
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 1\nsize 2\n",
        "version https://example.com/spec\noid sha256:" + OID + "\nsize 1\n",
    ],
)
def test_lfs_pointer_invalid(text: str) -> None:
    assert parse_pointer(text.encode()) is None


def test_lfs_pointer_too_large_or_binary() -> None:
    assert parse_pointer(b"version https://git-lfs.github.com/spec/v1\n" + b"x" * 2000) is None
    assert parse_pointer(b"version https://git-lfs.github.com/spec/v1\n\xff\xfe") is None
