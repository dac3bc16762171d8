"""The scan cache never outlives the content: it is keyed by the bytes scanned, not by a stat taken afterwards."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from conftest import git
from serialization_samples import reduce_pickle

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import Status
from mlaudit.serialization.scanner import ModelScanner

EVIL = reduce_pickle("os", "system")
BENIGN = next(d for d in (pickle.dumps("x" * k, protocol=4) for k in range(64)) if len(d) == len(EVIL))


def _audit(repo: Path) -> tuple[Status, list[str]]:
    report = run_audit(AuditContext(repo, load_config(repo)), only=["serialization"])
    check = report.check("serialization")
    assert check is not None
    return check.status, [f.rule for f in check.findings]


def _swap(path: Path, data: bytes) -> None:
    """Replace ``path`` by rename with ``data``, keeping its size and mtime."""
    st = path.stat()
    assert len(data) == st.st_size
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)


@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files changed in the last 2 s are never cached; the test cannot age ctime, so the window is 0.
    monkeypatch.setattr("mlaudit.serialization.scan_cache.RACY_WINDOW_NS", 0)


@pytest.mark.parametrize("committed", [False, True])
def test_swap_between_audits_with_the_same_size_and_mtime_is_rescanned(repo: Path, committed: bool) -> None:
    assert len(BENIGN) == len(EVIL)
    path = repo / "model.pkl"
    path.write_bytes(BENIGN)
    if committed:
        git(repo, "add", "model.pkl")
        git(repo, "commit", "-q", "-m", "model")
    assert _audit(repo) == (Status.PASS, [])
    _swap(path, EVIL)
    assert _audit(repo) == (Status.FAIL, ["serialization.dangerous-import"])


def test_swap_while_the_scan_runs_is_not_cached_as_the_new_content(repo: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo / "model.pkl"
    path.write_bytes(BENIGN)
    original = ModelScanner._scan_file

    def scan_then_swap(self: ModelScanner, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        if path.read_bytes() == BENIGN:
            _swap(path, EVIL)  # the benign bytes were scanned; the file is now the payload

    monkeypatch.setattr(ModelScanner, "_scan_file", scan_then_swap)
    assert _audit(repo) == (Status.PASS, [])  # what was read was benign
    monkeypatch.setattr(ModelScanner, "_scan_file", original)
    assert _audit(repo) == (Status.FAIL, ["serialization.dangerous-import"])
    assert _audit(repo) == (Status.FAIL, ["serialization.dangerous-import"])  # and from the cache


def test_in_place_change_during_the_scan_is_not_stored(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo / "model.pkl"
    path.write_bytes(BENIGN)
    original = ModelScanner._scan_file

    def scan_then_write(self: ModelScanner, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        with open(path, "r+b") as fh:  # same inode, new bytes
            fh.write(EVIL)

    monkeypatch.setattr(ModelScanner, "_scan_file", scan_then_write)
    _audit(repo)
    monkeypatch.setattr(ModelScanner, "_scan_file", original)
    assert _audit(repo) == (Status.FAIL, ["serialization.dangerous-import"])
