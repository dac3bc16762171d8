"""The mlaudit-personal-data hook driven by the real pre-commit framework in a temporary repository."""

from __future__ import annotations

from pathlib import Path

from conftest import git, git_commit, run_pre_commit, write_pre_commit_config


def test_commit_with_undeclared_personal_data_is_refused(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-personal-data"}])
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    git(repo, "add", ".pre-commit-config.yaml")
    assert git_commit(repo, pre_commit_home, "config").returncode == 0

    (repo / "data").mkdir()
    (repo / "data" / "eval.csv").write_text(
        "id,text\n1,fine\n2,write to ana.lima@example.org\n3,card 4111-1111-1111-1111\n")
    (repo / "notes.py").write_text("EMAIL = 'dev@example.org'\n")  # not sample data: not scanned
    git(repo, "add", "-A")
    refused = git_commit(repo, pre_commit_home, "add eval data")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "data/eval.csv:3: [high] privacy.personal-data-found" in out
    assert "data/eval.csv:4: [high] privacy.personal-data-found" in out
    assert "ana.lima@example.org" not in out and "4111" not in out
    assert "notes.py" not in out

    # Declared in the register: the same file commits, reported only with --verbose.
    (repo / "mlaudit.toml").write_text(
        '[[data_sources]]\nname = "eval"\nfiles = ["data/eval.csv"]\npersonal_data = true\n'
        'jurisdictions = ["EU"]\nlawful_basis = "consent"\nretention = "6 months"\n')
    git(repo, "add", "-A")
    accepted = git_commit(repo, pre_commit_home, "declare eval data")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-personal-data", "args": ["--verbose"]}])
    shown = run_pre_commit(repo, pre_commit_home, "run", "mlaudit-personal-data", "--verbose", "--files", "data/eval.csv")
    assert shown.returncode == 0
    assert "[info] privacy.personal-data-declared" in shown.stdout
