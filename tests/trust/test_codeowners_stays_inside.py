"""CODEOWNERS is read only from inside the repository: a symlink out of the root is refused, never read.

The attack: ``.github/CODEOWNERS`` is a link to a file outside the checkout
(another repository's CODEOWNERS, or any file whose lines look like rules).
Followed, it gives every weight file an owner the repository never named, and
its lines reach the report. Both readers (``provenance`` and ``access``) refuse it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import git, init_repo, run_mlaudit

OUTSIDE_RULES = "* @outside-owner\n"


def _repo_with_linked_codeowners(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere" / "CODEOWNERS"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_RULES)
    repo = init_repo(tmp_path / "repo")
    (repo / "model.safetensors").write_bytes(b"w" * 100)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# Model\n")
    (repo / ".github").mkdir()
    os.symlink(outside, repo / ".github" / "CODEOWNERS")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "model")
    return repo


def test_provenance_refuses_a_codeowners_link_out_of_the_root(tmp_path: Path) -> None:
    repo = _repo_with_linked_codeowners(tmp_path)
    proc = run_mlaudit("audit", str(repo), "--only", "provenance", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    check = json.loads(proc.stdout)["checks"][0]
    rules = {f["rule"]: f for f in check["findings"]}
    assert "provenance.codeowners-outside" in rules, check["findings"]
    assert "never read" in rules["provenance.codeowners-outside"]["message"]
    assert "outside-owner" not in proc.stdout


def test_both_readers_refuse_the_link(tmp_path: Path) -> None:
    from mlaudit.formats.codeowners import find_codeowners
    from mlaudit.governance.codeowners import read_codeowners
    from mlaudit.governance.ownership import codeowners_findings

    repo = _repo_with_linked_codeowners(tmp_path)
    found = find_codeowners(repo)
    assert found is not None and found.refused and not found.rules
    checked = read_codeowners(repo, ".github/CODEOWNERS")
    assert not checked.parsed.rules
    findings = codeowners_findings(checked, {"weight files": ["model.safetensors"]})
    messages = " ".join(f.message for f in findings)
    assert "never read" in messages and "outside-owner" not in messages
    assert any(f.rule == "access.codeowners-uncovered" and "model.safetensors" in f.message for f in findings)


def test_a_link_inside_the_root_is_followed(tmp_path: Path) -> None:
    from mlaudit.formats.codeowners import find_codeowners

    repo = init_repo(tmp_path / "repo")
    (repo / "docs").mkdir()
    (repo / "docs" / "owners.txt").write_text("*.safetensors @acme/ml\n")
    (repo / ".github").mkdir()
    os.symlink("../docs/owners.txt", repo / ".github" / "CODEOWNERS")
    found = find_codeowners(repo)
    assert found is not None and not found.refused
    assert found.owners_of("model.safetensors") == ("@acme/ml",)
