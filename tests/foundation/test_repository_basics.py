"""The repository's own basics: licence, changelog, policies, CI, its own hooks and Action, and mlaudit on itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, run_mlaudit

import mlaudit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _text(name: str) -> str:
    return (PROJECT_ROOT / name).read_text(encoding="utf-8")


def test_license_is_the_apache_2_text_the_project_declares() -> None:
    text = _text("LICENSE")
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text and "END OF TERMS AND CONDITIONS" in text


def test_changelog_has_unreleased_and_the_current_release() -> None:
    text = _text("CHANGELOG.md")
    releases = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert releases[0] == "Unreleased", releases
    assert mlaudit.__version__ in releases, f"CHANGELOG.md has no section for {mlaudit.__version__}"


def test_security_policy_says_how_to_report_a_bypass() -> None:
    text = _text("SECURITY.md")
    for heading in ("## Supported versions", "## What counts", "## How to report"):
        assert heading in text
    assert "bypass" in text.lower()


def test_workflows_pin_actions_by_sha_with_least_privilege() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "mlaudit.yml"}
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert data["permissions"] == {}, f"{path.name}: top-level permissions must be {{}}"
        triggers = data[True]  # PyYAML reads the key `on` as True
        assert "pull_request_target" not in triggers, f"{path.name} must not run on pull_request_target"
        for job_id, job in data["jobs"].items():
            assert set(job.get("permissions", {}).values()) <= {"read"}, f"{path.name} {job_id}: write permission"
        for uses in re.findall(r"uses:\s*([^\s#]+)", text):
            assert uses.startswith("./") or re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), (
                f"{path.name}: {uses} is not pinned to a full commit SHA")
    ci = yaml.safe_load((PROJECT_ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert any(step.get("run") == "bash .ci/run" for job in ci["jobs"].values() for step in job["steps"])
    own = yaml.safe_load((PROJECT_ROOT / ".github" / "workflows" / "mlaudit.yml").read_text(encoding="utf-8"))
    assert set(own[True]) == {"pull_request"}
    assert any(step.get("uses") == "./" for job in own["jobs"].values() for step in job["steps"])


def test_workflows_pass_zizmor_pedantic_and_the_schema() -> None:
    zizmor = subprocess.run([str(BIN / "zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, check=False, timeout=120)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    schema = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, check=False, timeout=120)
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_pre_commit_config_runs_every_own_hook_locally_and_pinned_ruff() -> None:
    config = yaml.safe_load(_text(".pre-commit-config.yaml"))
    manifest = {h["id"]: h for h in yaml.safe_load(_text(".pre-commit-hooks.yaml"))}
    local = {h["id"]: h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]}
    assert set(local) == set(manifest)
    for hook_id, hook in local.items():
        assert hook["entry"] == manifest[hook_id]["entry"] and hook["entry"] in PYPROJECT["project"]["scripts"]
        for key in ("files", "types", "always_run", "require_serial"):
            assert hook.get(key) == manifest[hook_id].get(key), f"{hook_id}: {key} differs from .pre-commit-hooks.yaml"
    (ruff,) = [repo for repo in config["repos"] if repo["repo"].endswith("/ruff-pre-commit")]
    pinned = next(r for r in PYPROJECT["project"]["optional-dependencies"]["test"] if r.startswith("ruff=="))
    assert ruff["rev"] == "v" + pinned.split("==")[1], "ruff's pre-commit rev must match the test extra's pin"
    proc = subprocess.run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mlaudit_passes_on_its_own_repository() -> None:
    """`mlaudit audit .` with the repository's own [tool.mlaudit]: no finding fails the policy, no check errors."""
    proc = run_mlaudit("audit", str(PROJECT_ROOT), "--format", "json", "--offline", timeout=1200)
    report = json.loads(proc.stdout)
    problems = [f"{c['id']}: {f['severity']} {f['rule']} {f['path']}: {f['message']}"
                for c in report["checks"] for f in c["findings"] if f["severity"] in ("critical", "high")]
    errors = [f"{c['id']}: {c['summary']}" for c in report["checks"] if c["status"] == "error"]
    assert proc.returncode == 0 and report["status"] == "pass", "\n".join(problems + errors) or proc.stderr
    assert {c["id"] for c in report["checks"] if c["status"] == "pass"} >= {"pins", "licenses", "privacy"}
    for check in report["checks"]:
        for accepted in check.get("accepted", []):
            assert accepted["waiver"]["reason"] and accepted["waiver"]["owner"], accepted
