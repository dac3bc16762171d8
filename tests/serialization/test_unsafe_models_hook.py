"""The mlaudit-unsafe-models hook driven by the real pre-commit framework in a temporary repository."""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import git, git_commit, run_pre_commit, write_pre_commit_config
from serialization_samples import reduce_pickle, zip_bytes


def test_commit_with_a_malicious_checkpoint_is_refused_and_clean_ones_pass(
    repo: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-unsafe-models"}])
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    git(repo, "add", ".pre-commit-config.yaml")
    assert git_commit(repo, pre_commit_home, "config").returncode == 0

    # A clean PyTorch-style checkpoint and a README pass.
    (repo / "model.pt").write_bytes(zip_bytes({"model/data.pkl": pickle.dumps({"w": [1.0]}, protocol=2)}))
    (repo / "README.md").write_text("# model\n")
    git(repo, "add", "model.pt", "README.md")
    clean = git_commit(repo, pre_commit_home, "clean weights")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # A pickle disguised as safetensors, calling os.system, is refused with file, member-less offset and fix.
    (repo / "adapter.safetensors").write_bytes(reduce_pickle("os", "system"))
    git(repo, "add", "adapter.safetensors")
    refused = git_commit(repo, pre_commit_home, "add adapter")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "adapter.safetensors: [critical] serialization.dangerous-import: at byte" in out, out
    assert "os.system" in out and "(fix: " in out
    assert "adapter.safetensors: [medium] serialization.mislabelled" in out
    # Only staged files are scanned: model.pt (committed, unchanged) is not reported.
    assert "model.pt" not in out
    assert "adapter.safetensors" not in git(repo, "ls-tree", "-r", "--name-only", "HEAD")
