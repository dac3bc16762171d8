"""Where the caches live is the user's decision, never the audited repository's."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.store.cache_location import choose_cache_dir, running_in_ci


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MLAUDIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "repo"
    path.mkdir()
    return path


def test_order_cli_then_environment_then_local_config(root: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    outside = str(tmp_path / "configured")
    assert choose_cache_dir(root, explicit=None, configured=outside).path == Path(outside)
    monkeypatch.setenv("MLAUDIT_CACHE_DIR", str(tmp_path / "env"))
    assert choose_cache_dir(root, explicit=None, configured=outside).path == tmp_path / "env"
    assert choose_cache_dir(root, explicit=tmp_path / "cli", configured=outside).path == tmp_path / "cli"


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS"])
def test_repository_config_is_ignored_in_ci(root: Path, tmp_path: Path, variable: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "true")
    assert running_in_ci()
    chosen = choose_cache_dir(root, explicit=None, configured=str(tmp_path / "configured"))
    assert chosen.path == tmp_path / "xdg" / "mlaudit"
    assert "ignored in CI" in chosen.notes[0]


def test_repository_config_is_ignored_in_pull_request_mode(root: Path, tmp_path: Path) -> None:
    chosen = choose_cache_dir(root, explicit=None, configured=str(tmp_path / "configured"), untrusted_config=True)
    assert chosen.path == tmp_path / "xdg" / "mlaudit"
    assert "pull-request mode" in chosen.notes[0]
    (root / "mlaudit.toml").write_text(f'cache_dir = "{tmp_path / "configured"}"\n')
    ctx = AuditContext(root, load_config(root), untrusted_config=True)
    assert ctx.cache_dir == tmp_path / "xdg" / "mlaudit"


@pytest.mark.parametrize("source", ["config", "env", "cli"])
def test_a_folder_inside_the_root_is_refused_whatever_its_source(root: Path, tmp_path: Path, source: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    inside = root / ".mlaudit-cache"
    explicit = inside if source == "cli" else None
    if source == "env":
        monkeypatch.setenv("MLAUDIT_CACHE_DIR", str(inside))
    chosen = choose_cache_dir(root, explicit=explicit, configured=".mlaudit-cache" if source == "config" else None)
    assert chosen.path == tmp_path / "xdg" / "mlaudit"
    assert "inside the audited repository and is refused" in chosen.notes[-1]


def test_a_symlink_into_the_root_is_inside(root: Path, tmp_path: Path) -> None:
    (root / "cache").mkdir()
    link = tmp_path / "looks-outside"
    link.symlink_to(root / "cache")
    chosen = choose_cache_dir(root, explicit=link, configured=None)
    assert chosen.path == tmp_path / "xdg" / "mlaudit"
    configured = choose_cache_dir(root, explicit=None, configured="../repo/./cache")
    assert configured.path == tmp_path / "xdg" / "mlaudit"
