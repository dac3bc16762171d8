"""The mlaudit-pinned-deps hook driven by the real pre-commit framework in a temporary repository."""

from __future__ import annotations

from pathlib import Path

from conftest import git, git_commit, run_pre_commit, write_pre_commit_config
from pins_scan import write

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_commit_refused_until_everything_is_pinned(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-pinned-deps"}])
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    write(repo, "requirements.txt", "numpy==1.26.4\ntorch>=2\n")
    write(repo, ".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - uses: actions/checkout@v4\n")
    write(repo, "infer.py", "from transformers import AutoModel\n"
          "m = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n")
    write(repo, "notes.txt", "torch\n")  # not a dependency source: never looked at
    git(repo, "add", "-A")
    refused = git_commit(repo, pre_commit_home, "deps")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "requirements.txt:2: [medium] pins.unpinned" in out
    assert ".github/workflows/ci.yml:6: [high] pins.action-unpinned" in out
    assert "infer.py:2: [high] pins.hf-trust-remote-code" in out
    assert "notes.txt" not in out

    write(repo, "requirements.txt", "numpy==1.26.4\ntorch==2.3.1\n")
    write(repo, ".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
          f"    steps:\n      - uses: actions/checkout@{SHA}\n")
    write(repo, "infer.py", "from transformers import AutoModel\n"
          f"m = AutoModel.from_pretrained('org/m', revision='{SHA}')\n")
    git(repo, "add", "-A")
    accepted = git_commit(repo, pre_commit_home, "deps")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
