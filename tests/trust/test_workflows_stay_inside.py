"""The workflow audit reads only the repository's own workflows, and the repository cannot silence zizmor.

Attacks: a workflow file (or the whole ``.github/workflows`` folder) is a symlink
out of the root, so the audit (and zizmor, which ran with ``cwd = root`` on the
folder) reads files of the runner's; a ``zizmor.yml`` or an inline
``# zizmor: ignore[...]`` comment in the audited tree turns off the audit that
would flag its own ``pull_request_target`` checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.governance.workflow_access import audit_workflows
from mlaudit.governance.zizmor_findings import zizmor_command
from mlaudit.repo_files import list_repo_files

CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"  # v4.2.2
TARGET_WORKFLOW = f"""on: pull_request_target  # zizmor: ignore[dangerous-triggers]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}  # zizmor: ignore[dangerous-triggers,artipacked]
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
"""
OUTSIDE_WORKFLOW = TARGET_WORKFLOW.replace("build:", "secretmarker-job:")
needs_zizmor = pytest.mark.skipif(zizmor_command() is None, reason="zizmor is not installed")


def _repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    (repo / "README.md").write_text("# model\n")
    return repo


def _audit(repo: Path, *, use_zizmor: bool) -> tuple[list[str], str, dict[str, object]]:
    git(repo, "add", "-A")
    findings, evidence = audit_workflows(repo, list_repo_files(repo), use_zizmor=use_zizmor)
    text = " ".join(f"{f.rule} {f.path} {f.message} {f.key} {f.remediation}" for f in findings)
    return [f.rule for f in findings], text, evidence


@pytest.mark.parametrize("use_zizmor", [pytest.param(True, marks=needs_zizmor), False])
def test_a_workflow_linked_out_of_the_root_is_never_read(tmp_path: Path, use_zizmor: bool) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(OUTSIDE_WORKFLOW)
    repo = _repo(tmp_path)
    (repo / ".github" / "workflows").mkdir(parents=True)
    os.symlink(outside, repo / ".github" / "workflows" / "linked.yml")
    rules, text, _evidence = _audit(repo, use_zizmor=use_zizmor)
    assert "secretmarker" not in text
    assert "access.workflow-dangerous-triggers" not in rules
    assert "access.workflow-unreadable" in rules and "never read" in text


@needs_zizmor
def test_a_workflows_folder_linked_out_of_the_root_is_not_given_to_zizmor(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ci.yml").write_text(OUTSIDE_WORKFLOW)
    repo = _repo(tmp_path)
    (repo / ".github").mkdir()
    os.symlink(elsewhere, repo / ".github" / "workflows")
    rules, text, _evidence = _audit(repo, use_zizmor=True)
    assert "secretmarker" not in text and not any(r.startswith("access.workflow-") for r in rules), text


@needs_zizmor
@pytest.mark.parametrize("config_name", ["zizmor.yml", ".github/zizmor.yml", None], ids=["root", "github", "comments"])
def test_the_repository_cannot_silence_zizmor(tmp_path: Path, config_name: str | None) -> None:
    repo = _repo(tmp_path)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "target.yml").write_text(TARGET_WORKFLOW)
    if config_name is not None:  # the inline ``# zizmor: ignore`` comments are there in every case
        (repo / config_name).write_text("rules:\n  dangerous-triggers:\n    disable: true\n"
                                        "  artipacked:\n    disable: true\n")
    rules, _text, evidence = _audit(repo, use_zizmor=True)
    assert str(evidence["auditor"]).startswith("zizmor"), evidence
    assert "access.workflow-dangerous-triggers" in rules
    assert "access.workflow-artipacked" in rules
