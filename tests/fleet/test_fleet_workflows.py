"""The fleet's example workflows: zizmor (pedantic) and the GitHub workflow schema, as the Action's self-check runs them;
actions pinned by SHA, read-only audit jobs, one artifact per repository named as `mlaudit fleet plan` says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # end-to-end: real tools (zizmor, check-jsonschema, git) in subprocesses (the edit loop is `-m 'not slow'`)

WORKFLOWS = sorted((PROJECT_ROOT / "examples" / "workflows").glob("fleet-*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = shutil.which(name) or str(BIN / name)
    if not Path(path).exists():
        pytest.fail(f"{name} is not installed: it is in the `test` extra (pip install '.[test]')")
    return path


def test_both_fleet_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["fleet-audit-repository.yml", "fleet-audit.yml"]


def test_zizmor_finds_nothing_even_pedantic() -> None:
    result = subprocess.run([tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", *map(str, WORKFLOWS)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_workflows_match_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actions_are_pinned_by_sha_and_jobs_are_minimal() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for ref in re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)", text, flags=re.MULTILINE):
            assert ref.startswith("$/.github/workflows/") or re.fullmatch(
                r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}: {ref} is not pinned by SHA"
        data = yaml.safe_load(text)
        assert data["permissions"] == {}
        for name, job in data["jobs"].items():
            perms = job["permissions"]
            assert perms.get("contents") == "read", f"{path.name}:{name}"
            assert set(perms) <= {"contents", "issues"}, f"{path.name}:{name}: {perms}"
            assert "issues" not in perms or name == "aggregate"


def test_the_reusable_workflow_audits_one_repository_per_job_read_only() -> None:
    data = yaml.safe_load((PROJECT_ROOT / "examples/workflows/fleet-audit-repository.yml").read_text())
    assert "workflow_call" in data[True]  # YAML reads `on` as True
    job = data["jobs"]["audit"]
    assert job["permissions"] == {"contents": "read"}
    assert job["strategy"]["matrix"] == "${{ fromJSON(inputs.matrix) }}"
    assert job["strategy"]["fail-fast"] is False
    steps = job["steps"]
    checkouts = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    assert any(s["with"].get("repository") == "${{ matrix.repository }}" for s in checkouts)
    audit = next(s for s in steps if s.get("name") == "mlaudit audit")
    assert "audit" in audit["run"] and "--format json" in audit["run"] and "${{" not in audit["run"]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    assert "hashFiles(" in cache["with"]["key"] and cache["with"]["path"] == "~/.cache/mlaudit"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "${{ matrix.artifact }}"
    assert upload["with"]["path"] == "reports/${{ matrix.artifact }}.json"


def test_the_caller_feeds_plan_chunks_to_the_reusable_workflow() -> None:
    data = yaml.safe_load((PROJECT_ROOT / "examples/workflows/fleet-audit.yml").read_text())
    plan_run = data["jobs"]["plan"]["steps"][-1]["run"]
    assert "fleet plan" in plan_run and "--github-output" in plan_run
    audit = data["jobs"]["audit"]
    assert audit["uses"] == "$/.github/workflows/fleet-audit-repository.yml"  # this repository, same commit
    assert audit["strategy"]["matrix"]["chunk"] == "${{ fromJSON(needs.plan.outputs.chunks) }}"
    assert audit["with"]["matrix"] == "${{ matrix.chunk.matrix }}"
    assert "fleet aggregate" in data["jobs"]["aggregate"]["steps"][-2]["run"]
