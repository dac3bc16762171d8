"""The prologue the repository commands share (``cli/project.py``): same root check, same config errors, same notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlaudit.cli.main import main

# Each command with the arguments it needs to reach its prologue (the path is appended).
COMMANDS = {
    "audit": ["audit", "--only", "weights"],
    "hash": ["hash"],
    "sbom": ["sbom"],
    "baseline": ["baseline", "show"],
    "sign": ["sign", "--key", "missing.pem"],
    "verify": ["verify"],
    "github": ["github", "--mode", "gate", "--comment", "never", "--sarif", "off"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_path_that_is_not_a_directory_is_a_usage_error(command: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-repo"
    assert main([*COMMANDS[command], str(missing)]) == 2
    assert capsys.readouterr().err == f"mlaudit: error: {missing}: not a directory\n"


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"github"}))
def test_a_broken_configuration_is_a_usage_error_naming_the_file(command: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlaudit.toml").write_text('fail_on = "severe"\n')
    assert main([*COMMANDS[command], str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mlaudit: error: {tmp_path / 'mlaudit.toml'}: 'fail_on' must be one of"), err


@pytest.mark.parametrize("command", ["audit", "hash"])
def test_a_cache_folder_inside_the_repository_is_refused_with_a_note(command: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("MLAUDIT_CACHE_DIR", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    main([*COMMANDS[command], str(repo), "--cache-dir", str(repo / ".cache")])
    err = capsys.readouterr().err
    assert f"mlaudit: note: cache folder {repo / '.cache'} (--cache-dir) is inside the audited repository" in err
    assert not (repo / ".cache").exists()
