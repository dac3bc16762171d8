"""A hook tells the user when the repository's config was overruled (its cache folder refused, its
advisory database ignored), one line each on stderr, like the CLI does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, init_repo

HOOKS = ["mlaudit-weight-hashes", "mlaudit-unsafe-models", "mlaudit-licenses", "mlaudit-pinned-deps",
         "mlaudit-personal-data"]


@pytest.mark.parametrize("hook", HOOKS)
def test_a_refused_cache_folder_is_said_by_every_hook(tmp_path: Path, hook: str) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "mlaudit.toml").write_text('cache_dir = ".mlaudit-cache"\n')
    (root / "requirements.txt").write_text("numpy==1.26.4\n")
    git(root, "add", "-A")
    env = {**os.environ, "CI": "", "GITHUB_ACTIONS": "", "MLAUDIT_ADVISORY_DB": "",
           "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("MLAUDIT_CACHE_DIR", None)
    script = Path(sys.executable).parent / hook
    extra = ["--offline", "--no-resolve"] if hook == "mlaudit-licenses" else []
    proc = subprocess.run([str(script), *extra, "requirements.txt", "mlaudit.toml"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    notes = [line for line in proc.stderr.splitlines() if "inside the audited repository and is refused" in line]
    assert len(notes) == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert ".mlaudit-cache" in notes[0]
    assert not (root / ".mlaudit-cache").exists()
