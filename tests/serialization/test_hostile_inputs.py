"""Hostile inputs end in a finding, within bounded time and memory, never in an exception or a hang."""

from __future__ import annotations

import bz2
import gzip
import json
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from serialization_samples import imports_found, proto, rules, scan_bytes, short_unicode, stream, zip_bytes

from mlaudit.formats.pickle_ops import PickleLimits
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.scanner import ScanSettings

MAX_SECONDS = 60.0
MAX_ADDRESS_SPACE = 1 << 30  # the whole scanning process, Python included


def _unscanned(report: FileReport) -> list[str]:
    return [f.message for f in report.findings if f.rule in ("serialization.unscanned", "serialization.malformed")]


@pytest.mark.parametrize("cut", [1, 2, 5, 17, 40])
def test_truncated_pickles(tmp_path: Path, cut: int) -> None:
    data = stream(b"}" + short_unicode("weights") + b"]" + b"(" + b"K\x01" * 20 + b"es")
    report = scan_bytes(tmp_path, "t.pkl", data[:cut])
    assert not report.complete
    assert _unscanned(report)


def test_ten_thousand_deep_nesting(tmp_path: Path) -> None:
    deep_lists = proto(2) + b"]" * 10_000 + b"a" * 9_999 + b"."
    deep_marks = proto(2) + b"(" * 10_000 + b"t" * 10_000 + b"."
    deep_tuples = proto(2) + b"N" + b"\x85" * 10_000 + b"."
    for i, data in enumerate((deep_lists, deep_marks, deep_tuples)):
        report = scan_bytes(tmp_path, f"deep{i}.pkl", data)
        assert report.complete, report.findings  # deep but valid: scanned to the end, nothing found
        assert report.findings == []
    too_many_marks = proto(2) + b"(" * 200_000
    report = scan_bytes(tmp_path, "marks.pkl", too_many_marks)
    assert any("nested MARKs" in m for m in _unscanned(report))


@pytest.mark.parametrize(
    "payload",
    [
        b"\x8d" + struct.pack("<Q", 1 << 60),        # BINUNICODE8 of 2^60 bytes
        b"\x8e" + struct.pack("<Q", (1 << 64) - 1),  # BINBYTES8
        b"X" + struct.pack("<I", 0xFFFFFFFF),        # BINUNICODE of 4 GB
        b"\x95" + struct.pack("<Q", 1 << 62),        # FRAME larger than the file
        b"T" + struct.pack("<i", -5),                # negative BINSTRING length
    ],
)
def test_huge_declared_lengths(tmp_path: Path, payload: bytes) -> None:
    report = scan_bytes(tmp_path, "huge.pkl", proto(4) + payload + b"abc")
    assert not report.complete and _unscanned(report)


def test_memo_abuse(tmp_path: Path) -> None:
    # Huge memo indices are fine (a dict), a missing one is an error, too many entries a limit.
    sparse = proto(2) + b"N" + b"r\xff\xff\xff\xff" + b"j\xff\xff\xff\xff" + b"0."
    assert scan_bytes(tmp_path, "sparse.pkl", sparse).complete
    missing = proto(2) + b"h\x09."
    assert any("never stored" in m for m in _unscanned(scan_bytes(tmp_path, "missing.pkl", missing)))
    # Past the memo ceiling entries are dropped, memory stays bounded, and nothing is hidden: a name
    # fetched from a dropped entry is an unresolved import (high); names stored before still resolve.
    settings = ScanSettings(pickle_limits=PickleLimits(max_memo=1_000))
    flood = proto(4) + b"N" + b"\x94" * 5_000 + b"."
    report = scan_bytes(tmp_path, "flood.pkl", flood, settings)
    assert report.complete and report.findings == []
    late = proto(4) + b"N" + b"\x94" * 5_000 + b"0" + short_unicode("os") + b"\x94" + short_unicode("system") \
        + b"\x94" + b"00" + b"j\x88\x13\x00\x00j\x89\x13\x00\x00\x93" + short_unicode("id") + b"\x85R."
    hidden = scan_bytes(tmp_path, "late.pkl", late, settings)
    assert [(f.rule, f.severity) for f in hidden.findings] == [("serialization.unresolved-import", Severity.HIGH)]
    early = proto(4) + short_unicode("os") + b"\x94" + short_unicode("system") + b"\x94" + b"00" \
        + b"N\x94" * 3_000 + b"0" * 3_000 + b"h\x00h\x01\x93" + short_unicode("id") + b"\x85R."
    assert imports_found(scan_bytes(tmp_path, "early.pkl", early, settings))["os.system"].severity is Severity.CRITICAL


def test_stack_flood_hits_the_limit(tmp_path: Path) -> None:
    settings = ScanSettings(pickle_limits=PickleLimits(max_stack=10_000))
    report = scan_bytes(tmp_path, "stack.pkl", proto(2) + b"N" * 20_000 + b".", settings)
    assert any("stack deeper" in m for m in _unscanned(report))


def _zip_bomb() -> bytes:
    return zip_bytes({"archive/data.pkl": stream(b"N"), "archive/big.pkl": b"\0" * (64 << 20)},
                     zipfile.ZIP_DEFLATED)


def test_zip_bomb_member_is_not_expanded(tmp_path: Path) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 1 << 20
    report = scan_bytes(tmp_path, "bomb.pt", bomb)
    assert "serialization.archive-bomb" in rules(report)
    assert not report.complete


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress])
def test_compressed_stream_bomb_stops_at_the_limit(tmp_path: Path, compress: object) -> None:
    # A valid pickle header followed by megabytes of zeros (NUL is not an opcode: it stops there anyway),
    # and a long valid run that only the expansion limit stops.
    long_valid = proto(2) + b"N0" * (1 << 19) + b"N."
    data = compress(long_valid)  # type: ignore[operator]
    settings = ScanSettings(max_expanded_bytes=128 << 10)
    report = scan_bytes(tmp_path, "bomb.pkl", data, settings)
    assert any("decompression budget exceeded" in m for m in _unscanned(report))


def test_nested_archives_beyond_the_depth_limit(tmp_path: Path) -> None:
    data = stream(b"N")
    for level in range(6):
        data = zip_bytes({f"level{level}.zip" if level else "inner.pkl": data})
    report = scan_bytes(tmp_path, "nested.zip", data)
    assert any("archives deep" in m for m in _unscanned(report))


def test_garbage_and_empty_files(tmp_path: Path) -> None:
    for name, data in [("empty.pt", b""), ("noise.bin", bytes(range(256)) * 64), ("zero.safetensors", b"\0" * 8)]:
        report = scan_bytes(tmp_path, name, data)
        assert not report.complete
        assert report.findings, name


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MAX_ADDRESS_SPACE, MAX_ADDRESS_SPACE))


def test_every_hostile_file_ends_in_a_finding_within_bounded_time_and_memory(tmp_path: Path) -> None:
    """The real CLI, in a process limited to 1 GB of address space, over all hostile samples at once."""
    samples = {
        "truncated.pkl": stream(b"}" + short_unicode("w") + b"]" + b"(" + b"K\x01" * 20 + b"es")[:30],
        "deep.pkl": proto(2) + b"(" * 200_000,
        "huge-length.pkl": proto(4) + b"\x8d" + struct.pack("<Q", 1 << 60) + b"abc",
        "huge-frame.pt": proto(4) + b"\x95" + struct.pack("<Q", 1 << 62),
        "memo-miss.pkl": proto(2) + b"j\xff\xff\xff\x7f.",
        "bomb.pt": _zip_bomb(),
        "bomb.pkl.gz": gzip.compress(proto(2) + b"N0" * (8 << 20) + b"N."),
        "huge-header.safetensors": struct.pack("<Q", 1 << 40) + b"{}",
        "huge-gguf.gguf": b"GGUF" + struct.pack("<IQQ", 3, 1 << 50, 1 << 50),
        "deep.keras": zip_bytes({"config.json": b"[" * 100_000, "metadata.json": b"{}"}),
        "deep.npy": b"\x93NUMPY\x01\x00" + struct.pack("<H", 60_000) + b"(" * 60_000,
    }
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, data in samples.items():
        (folder / name).write_bytes(data)
    (tmp_path / "mlaudit.toml").write_text("[serialization]\nmax_expanded_mb = 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mlaudit", "scan", "--format", "json", "hostile"],
        cwd=tmp_path, capture_output=True, text=True, timeout=MAX_SECONDS, preexec_fn=_limit_address_space,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert set(files) == set(samples)
    for name, entry in files.items():
        assert entry["findings"], f"{name}: no finding"
        assert not entry["complete"] or name == "deep.keras", name
