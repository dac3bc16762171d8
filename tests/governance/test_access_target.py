"""Which repository, API and token the access check uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.errors import CheckSkipped
from mlaudit.governance.access_options import AccessOptions
from mlaudit.governance.github_target import resolve_target


@pytest.mark.parametrize("url", ["git@github.com:octo/model.git", "https://github.com/octo/model",
                                 "ssh://git@ghe.example.com/octo/model.git/"])
def test_repository_from_the_origin_remote(url: str, tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r")
    git(root, "remote", "add", "origin", url)
    target = resolve_target(root, AccessOptions(), env={"GITHUB_TOKEN": "t"})
    assert (target.repository, target.api_url, target.token_source) == ("octo/model", "https://api.github.com",
                                                                         "GITHUB_TOKEN")


def test_precedence_options_then_environment(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r")
    env = {"GITHUB_TOKEN": "env-token", "MLAUDIT_GITHUB_TOKEN": "admin-token", "GITHUB_REPOSITORY": "a/b",
           "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}
    target = resolve_target(root, AccessOptions(), env=env)
    assert (target.repository, target.api_url, target.token) == ("a/b", "https://ghe.example.com/api/v3",
                                                                  "admin-token")
    assert resolve_target(root, AccessOptions(repository="c/d"), env=env).repository == "c/d"
    assert resolve_target(root, AccessOptions(), env=env, token="cli").token_source == "--github-token"


def test_missing_pieces_are_skipped_with_the_reason(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r")
    with pytest.raises(CheckSkipped, match="no GitHub token"):
        resolve_target(root, AccessOptions(), env={})
    with pytest.raises(CheckSkipped, match="which GitHub repository"):
        resolve_target(root, AccessOptions(), env={"GH_TOKEN": "t"})
    with pytest.raises(CheckSkipped, match="owner/name"):
        resolve_target(root, AccessOptions(repository="not a name"), env={"GH_TOKEN": "t"})
