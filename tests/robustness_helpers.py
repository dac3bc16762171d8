"""Helpers shared by the robustness tests: hostile repositories and the CLI/hooks run for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import git, init_repo

BIN = Path(sys.executable).parent


def hook(name: str, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run an installed hook entry point (``mlaudit-weight-hashes``...) in ``cwd``."""
    exe = shutil.which(name) or str(BIN / name)
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy(), check=False)


def weights_repo(path: Path, files: dict[str, bytes]) -> Path:
    """A Git repository holding ``files`` (committed)."""
    init_repo(path)
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "weights")
    return path


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    """The run ended with a message, not a Python traceback or an internal error."""
    both = (proc.stdout or "") + (proc.stderr or "")
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
