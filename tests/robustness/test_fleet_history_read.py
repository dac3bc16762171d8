"""The fleet history is read with the bounded loader, and the lines used are the lines whose chain was verified."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mlaudit.audit_log import chain
from mlaudit.fleet import history
from mlaudit.fleet.history import HISTORY_KIND, append_history, read_history

SINCE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


def test_a_line_written_after_the_verification_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "fleet-history.jsonl"
    append_history(log, {"kind": HISTORY_KIND, "time": "2026-01-01T00:00:00Z", "open": []})
    real_verify = chain.verify_chain

    def verify_then_a_writer_appends(path: Path) -> Any:
        result = real_verify(path)
        with path.open("ab") as fh:  # a concurrent writer (or attacker): 100,000-deep JSON after the check
            fh.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
        return result

    for module in (chain, history):
        monkeypatch.setattr(module, "verify_chain", verify_then_a_writer_appends, raising=False)
    real_read = getattr(chain, "read_log_bytes", None)

    def read_then_a_writer_appends(path: Path) -> bytes:
        assert real_read is not None
        raw = real_read(path)
        with path.open("ab") as fh:
            fh.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
        return raw

    monkeypatch.setattr(history, "read_log_bytes", read_then_a_writer_appends, raising=False)
    last, window = read_history(log, since=SINCE)
    assert last is not None and last["time"] == "2026-01-01T00:00:00Z" and len(window) == 1
