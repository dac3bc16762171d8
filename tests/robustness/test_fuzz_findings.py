"""Inputs the longer fuzz run found, kept as regression tests (each crashed before its fix)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_mlaudit
from robustness_helpers import no_traceback

from mlaudit.formats.pickle_sniff import looks_like_pickle

# BINSTRING ("T") with a negative four-byte length: the sniffer's position went negative and wrapped.
NEGATIVE_BINSTRING = b"T\xa7\xa7\xe1\xad\x1f\xe5H\xf8\x8dE7\xdf\xe6l\x9e+\xaf\xa1\xec\x1av \xdd\xfb\x01U\x0bm"


def test_negative_binstring_length_is_not_a_pickle() -> None:
    assert looks_like_pickle(NEGATIVE_BINSTRING) is False
    assert looks_like_pickle(b"T\xff\xff\xff\xff" + b"." * 64) is False


def test_scan_of_a_file_starting_with_a_negative_binstring(tmp_path: Path) -> None:
    for name in ("config.json", "weights.bin", "model.pkl"):
        (tmp_path / name).write_bytes(NEGATIVE_BINSTRING * 8)
        proc = run_mlaudit("scan", str(tmp_path / name))
        no_traceback(proc)
        assert proc.returncode in (0, 1, 2), proc.stderr
