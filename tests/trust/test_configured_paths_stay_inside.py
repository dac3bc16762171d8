"""Folders and files the repository's config names are read only inside the repository, and only as files.

Attacks: ``[licenses] site_packages`` names a folder outside the checkout (by
absolute path, ``..`` or a symlinked ``.venv``), whose package metadata then
reached the report; ``[performance] metrics_file`` names a FIFO, which hung the
audit on its read. A configuration the user names from outside the tree may
still point at any environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


def _outside_site(tmp_path: Path) -> Path:
    site = tmp_path / "outside-site"
    info = site / "secretmarker-1.0.dist-info"
    info.mkdir(parents=True)
    info.joinpath("METADATA").write_text("Metadata-Version: 2.1\nName: secretmarker\nVersion: 1.0\nLicense: MIT\n\n")
    return site


def _licenses_check(repo: Path, tmp_path: Path, *extra: str) -> tuple[dict[str, object], str]:
    git(repo, "add", "-A")
    proc = run_mlaudit("audit", str(repo), "--only", "licenses", "--format", "json", "--offline",
                       "--cache-dir", str(tmp_path / "cache"), *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["checks"][0], proc.stdout


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlinked-venv"])
def test_site_packages_outside_the_repository_is_not_read(tmp_path: Path, how: str) -> None:
    site = _outside_site(tmp_path)
    repo = init_repo(tmp_path / "repo")
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# model\n")
    named = {"absolute": str(site), "dotdot": "../outside-site", "symlinked-venv": ".venv"}[how]
    if how == "symlinked-venv":
        os.symlink(site, repo / ".venv")
    (repo / "mlaudit.toml").write_text(f'[licenses]\nresolve = false\nscan_files = false\nsite_packages = ["{named}"]\n')
    check, out = _licenses_check(repo, tmp_path)
    assert "secretmarker" not in out
    assert check["status"] == "error", check
    assert "not read" in str(check["summary"]) + json.dumps(check.get("evidence", {}))


def test_a_site_packages_folder_inside_the_repository_is_read(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    site = _outside_site(tmp_path)
    (repo / "env").mkdir()
    os.rename(site, repo / "env" / "site")
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# model\n")
    (repo / "mlaudit.toml").write_text('[licenses]\nresolve = false\nscan_files = false\nsite_packages = ["env/site"]\n')
    _check, out = _licenses_check(repo, tmp_path)
    assert "secretmarker" in out


def test_the_users_config_may_name_any_environment(tmp_path: Path) -> None:
    site = _outside_site(tmp_path)
    repo = init_repo(tmp_path / "repo")
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# model\n")
    trusted = tmp_path / "trusted.toml"
    trusted.write_text(f'[licenses]\nresolve = false\nscan_files = false\nsite_packages = ["{site}"]\n')
    _check, out = _licenses_check(repo, tmp_path, "--config", str(trusted))
    assert "secretmarker" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need POSIX")
def test_a_configured_fifo_is_refused_not_read(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    os.mkfifo(repo / "metrics.json")
    (repo / "mlaudit.toml").write_text('[performance]\nmetrics_file = "metrics.json"\n')
    proc = run_mlaudit("audit", str(repo), "--only", "performance", "--format", "json", "--offline",
                       "--cache-dir", str(tmp_path / "cache"), timeout=60)
    check = json.loads(proc.stdout)["checks"][0]
    assert check["status"] == "error" and "metrics.json" in check["summary"], check


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_the_licence_scan_never_follows_a_link_to_a_device_nor_reads_a_fifo(tmp_path: Path) -> None:
    """Untracked files are hashed for the scan cache's key: a link to /dev/zero was read forever, a FIFO hung."""
    repo = init_repo(tmp_path / "repo")
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# model\n")
    os.symlink("/dev/zero", repo / "NOTICE")
    os.mkfifo(repo / "COPYING")
    # in a child process: the old code read /dev/zero forever
    probe = ("import json, sys; from pathlib import Path; from mlaudit.licenses.blob_ids import blob_ids; "
             "print(json.dumps(blob_ids(Path(sys.argv[1]), ['NOTICE', 'COPYING', 'README.md'])))")
    child = subprocess.run([sys.executable, "-c", probe, str(repo)], capture_output=True, text=True, timeout=60,
                           check=True)
    ids = json.loads(child.stdout)
    assert set(ids) == {"NOTICE", "README.md"}
    # a link's id is its target's name, as Git stores a symlink
    (tmp_path / "target-name").write_bytes(b"/dev/zero")
    assert ids["NOTICE"] == git(repo, "hash-object", "--no-filters", str(tmp_path / "target-name")).strip()
    proc = run_mlaudit("audit", str(repo), "--only", "licenses", "--format", "json", "--offline",
                       "--cache-dir", str(tmp_path / "cache"), timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
