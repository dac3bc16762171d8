"""Exit codes tell the truth: a closed stdout never turns a failing check into success; a full disk is one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import MLAUDIT, run_mlaudit
from robustness_helpers import no_traceback, weights_repo

from mlaudit.cli.main import handle_errors

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


@pytest.fixture
def tampered_repo(tmp_path: Path) -> Path:
    """3,000 recorded weight files, all changed since: `hash --check` prints 3,000 lines (far over a pipe buffer)."""
    files = {f"w/{i:04}.safetensors": i.to_bytes(4, "big") for i in range(3000)}
    repo = weights_repo(tmp_path / "repo", files)
    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    for name in files:
        (repo / name).write_bytes(b"changed" + name.encode())
    return repo


def test_failing_check_exits_1_when_the_reader_goes_away(tampered_repo: Path) -> None:
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", f"{MLAUDIT} hash --check {tampered_repo} | head -n 1"],
                          capture_output=True, text=True, timeout=300, check=False, env=os.environ.copy())
    assert proc.stdout.count("\n") == 1 and "weights.mismatch" in proc.stdout
    assert proc.returncode == 1, proc.stderr
    no_traceback(proc)
    assert "Exception ignored" not in proc.stderr


@pytest.mark.parametrize("args", [("hash",), ("hash", "--check")])
def test_a_full_disk_is_one_line_and_not_success(tampered_repo: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([MLAUDIT, *args, str(tampered_repo)], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=300, check=False, env=os.environ.copy())
    no_traceback(proc)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip().splitlines() == ["mlaudit: error: cannot write to standard output: "
                                                "No space left on device"]


def test_an_os_error_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def action() -> int:
        open("/nonexistent-dir/report.json", "w")
        return 0

    assert handle_errors(action) == 3
    err = capsys.readouterr().err
    assert err.strip() == "mlaudit: error: /nonexistent-dir/report.json: No such file or directory"


def test_failing_check_exits_1_when_stdout_is_closed_from_the_start(tampered_repo: Path) -> None:
    proc = subprocess.run(["bash", "-c", f"{MLAUDIT} hash --check {tampered_repo} >&-"],
                          capture_output=True, text=True, timeout=300, check=False, env=os.environ.copy())
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
