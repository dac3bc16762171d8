"""The configuration file found in the repository is the repository's own file, never one it points at.

The attack: ``mlaudit.toml`` (or ``pyproject.toml``) committed as a symlink to a
file outside the repository (another checkout's config, a file the attacker
placed, ``/dev/stdin``), or a FIFO that hangs the reader. Found configuration is
refused (exit 2 naming the file); ``--config PATH`` is the user's choice and may
be anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_mlaudit

from mlaudit.config import load_config
from mlaudit.errors import ConfigError
from mlaudit.serialization.config_section import serialization_options

LOOSE = 'exclude = ["**"]\n[serialization]\nallow = ["os.system"]\n'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "loose.toml"
    path.parent.mkdir()
    path.write_text(LOOSE)
    return path


@pytest.mark.parametrize("name", ["mlaudit.toml", "pyproject.toml"])
def test_a_config_symlinked_out_of_the_root_is_refused(tmp_path: Path, outside: Path, name: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    target = outside
    if name == "pyproject.toml":
        target = outside.with_name("pyproject.toml")
        target.write_text("[tool.mlaudit]\n" + 'exclude = ["**"]\n')
    (root / name).symlink_to(target)
    with pytest.raises(ConfigError, match=name) as raised:
        load_config(root)
    assert "outside the repository" in str(raised.value)
    if name == "mlaudit.toml":
        with pytest.raises(ConfigError, match=name):
            serialization_options(root)
    proc = run_mlaudit("audit", str(root), "--only", "weights")
    assert proc.returncode == 2 and name in proc.stderr, proc.stderr
    # The user's explicit choice may be anywhere, a symlink included.
    assert load_config(root, root / name).general.exclude == ("**",)


def test_a_config_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    os.mkfifo(root / "mlaudit.toml")
    with pytest.raises(ConfigError, match=r"mlaudit\.toml.*FIFO"):
        load_config(root)
    with pytest.raises(ConfigError, match=r"mlaudit\.toml"):
        serialization_options(root)
    proc = run_mlaudit("audit", str(root), "--only", "weights", timeout=60)
    assert proc.returncode == 2 and "mlaudit.toml" in proc.stderr, proc.stderr


def test_a_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "config" / "mlaudit.toml").write_text('exclude = ["extras/**"]\n')
    (root / "mlaudit.toml").symlink_to("config/mlaudit.toml")
    assert load_config(root).general.exclude == ("extras/**",)
