"""Bounded work: one decompression budget per file (and per run) that members and nesting share."""

from __future__ import annotations

import bz2
import io
import struct
import tarfile
import time
from pathlib import Path

import pytest
from serialization_samples import scan_bytes, zip_bytes

from mlaudit.formats.archive_limits import AuditBudget
from mlaudit.model import Severity
from mlaudit.serialization.scanner import ScanSettings

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


@pytest.fixture(scope="module")
def bz2_bomb() -> bytes:
    """A ~20 KB .pkl.bz2 expanding to 16 GiB: a valid pickle prefix announcing a 16 GiB byte string."""
    zeros = bz2.compress(b"\0" * (64 << 20), 9)  # multi-stream bz2: 256 copies are 16 GiB
    return bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 16 << 30)) + zeros * 256


def _budget_findings(report: object) -> list[object]:
    return [f for f in report.findings  # type: ignore[attr-defined]
            if f.rule == "serialization.unscanned" and "decompression budget exceeded" in f.message]


def test_bz2_bomb_ends_quickly_with_a_high_finding(tmp_path: Path, bz2_bomb: bytes) -> None:
    started = time.monotonic()
    report = scan_bytes(tmp_path, "bomb.pkl.bz2", bz2_bomb)
    elapsed = time.monotonic() - started
    found = _budget_findings(report)
    assert found and all(f.severity is Severity.HIGH for f in found)  # type: ignore[attr-defined]
    assert elapsed < 30  # generous for a loaded machine; benchmarks/bench_discovery.py prints the real figure


def test_members_share_one_budget(tmp_path: Path, bz2_bomb: bytes) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for i in range(4):
            info = tarfile.TarInfo(f"m{i}.pkl.bz2")
            info.size = len(bz2_bomb)
            tf.addfile(info, io.BytesIO(bz2_bomb))
    report = scan_bytes(tmp_path, "four.tar", buf.getvalue())
    assert len(_budget_findings(report)) == 4
    assert all("for this file" in f.message for f in _budget_findings(report))  # type: ignore[attr-defined]


def test_nesting_shares_the_budget(tmp_path: Path) -> None:
    inner = bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 1 << 30) + b"\0" * (4 << 20))
    data = zip_bytes({"a.zip": zip_bytes({f"m{i}.pkl.bz2": inner for i in range(3)})})
    settings = ScanSettings(max_expanded_bytes=6 << 20)
    report = scan_bytes(tmp_path, "nested.zip", data, settings)
    assert len(_budget_findings(report)) >= 1  # 3 x 4 MiB > 6 MiB although each member fits


def test_the_run_budget_is_shared_by_files(tmp_path: Path) -> None:
    member = bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 3 << 20) + b"\0" * (3 << 20) + b".")
    settings = ScanSettings(audit_budget=AuditBudget(max_bytes=8 << 20))
    first = scan_bytes(tmp_path, "a.pkl.bz2", member, settings)
    second = scan_bytes(tmp_path, "b.pkl.bz2", member, settings)
    third = scan_bytes(tmp_path, "c.pkl.bz2", member, settings)
    assert first.complete and second.complete
    assert any("the audit expanded more than" in f.message for f in third.findings)


def test_time_budget(tmp_path: Path) -> None:
    member = bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 64 << 20) + b"\0" * (64 << 20) + b".")
    report = scan_bytes(tmp_path, "slow.pkl.bz2", member, ScanSettings(max_seconds=0.0))
    assert any("s spent expanding this file" in f.message for f in _budget_findings(report))  # type: ignore[attr-defined]
