"""The audit log hashes the exact bytes of each line; --log must name a regular file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_mlaudit
from robustness_helpers import no_traceback, weights_repo

from mlaudit.audit_log.chain import append_record, verify_chain


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    for status in ("pass", "fail", "pass"):
        append_record(path, {"status": status, "commit": "c" * 40})
    return path


def _rewrite(log: Path, index: int, new_line: bytes) -> None:
    lines = log.read_bytes().splitlines()
    lines[index] = new_line
    log.write_bytes(b"\n".join(lines) + b"\n")


def test_a_duplicate_key_shown_first_fails_verification(log: Path) -> None:
    line = log.read_bytes().splitlines()[1]
    assert line.startswith(b'{"commit"')
    # A reader of the raw file (grep, jq -c with first-wins tools, a human) sees TAMPERED.
    _rewrite(log, 1, b'{"status":"TAMPERED",' + line[1:])
    proc = run_mlaudit("log", "verify", str(log))
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout
    assert "duplicate key 'status'" in proc.stdout


def test_same_content_in_other_bytes_fails_verification(log: Path) -> None:
    entry = json.loads(log.read_bytes().splitlines()[0])
    _rewrite(log, 0, json.dumps(entry, indent=None).encode())  # spaces after ':' and ','
    proc = run_mlaudit("log", "verify", str(log))
    assert proc.returncode == 1
    assert "not in canonical form" in proc.stdout


def test_an_untouched_log_still_verifies(log: Path) -> None:
    assert verify_chain(log).ok
    proc = run_mlaudit("log", "verify", str(log))
    assert proc.returncode == 0, proc.stdout


def test_a_deep_line_is_a_problem_not_a_crash(log: Path) -> None:
    _rewrite(log, 2, b"[" * 100_000 + b"]" * 100_000)
    proc = run_mlaudit("log", "verify", str(log))
    no_traceback(proc)
    assert proc.returncode == 1 and "nested too deeply" in proc.stdout
    with pytest.raises(Exception, match="last line is not a chain entry"):
        append_record(log, {"status": "pass"})


@pytest.mark.parametrize("target", ["directory", "/proc/version", "/dev/null"])
def test_log_that_is_not_a_regular_file_is_exit_2(tmp_path: Path, target: str) -> None:
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 4096})
    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    log = str(tmp_path) if target == "directory" else target
    proc = run_mlaudit("audit", str(repo), "--only", "weights", "--log", log)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert log in proc.stderr
    verify = run_mlaudit("log", "verify", log)
    no_traceback(verify)
    assert verify.returncode in (1, 2), verify.stderr
