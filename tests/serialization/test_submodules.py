"""Git submodules: a checked-out submodule's models are audited; one not checked out is reported, never silent."""

from __future__ import annotations

from pathlib import Path

from conftest import git, init_repo
from serialization_samples import reduce_pickle

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import Status


def _with_submodule(tmp_path: Path, repo: Path) -> None:
    upstream = init_repo(tmp_path / "upstream")
    (upstream / "weights").mkdir()
    (upstream / "weights" / "vocab.txt").write_bytes(reduce_pickle("os", "system"))  # found by content
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "weights")
    (repo / "README.md").write_text("# model\n")
    git(repo, "add", "README.md")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), "third_party/upstream")
    git(repo, "commit", "-q", "-m", "submodule")


def _audit(repo: Path) -> tuple[Status, list[tuple[str, str, str]]]:
    report = run_audit(AuditContext(repo, load_config(repo)), only=["serialization"])
    check = report.check("serialization")
    assert check is not None
    return check.status, [(f.rule, f.path or "", f.severity.value) for f in check.findings]


def test_checked_out_submodule_is_audited(tmp_path: Path, repo: Path) -> None:
    _with_submodule(tmp_path, repo)
    status, findings = _audit(repo)
    assert status is Status.FAIL
    assert ("serialization.dangerous-import", "third_party/upstream/weights/vocab.txt", "critical") in findings


def test_submodule_not_checked_out_is_reported(tmp_path: Path, repo: Path) -> None:
    _with_submodule(tmp_path, repo)
    git(repo, "submodule", "deinit", "-q", "-f", "third_party/upstream")
    status, findings = _audit(repo)
    assert findings == [("serialization.submodule-not-audited", "third_party/upstream", "medium")]
    assert status is Status.WARN
