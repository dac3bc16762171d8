"""End to end: `mlaudit github` on a real pull-request event, a real Git repository, a loopback GitHub API.

The repository has a base commit (on ``main``) and a head commit (on
``feature``): the head modifies a recorded weight file without updating the
manifest (new ``weights.mismatch``), adds an unrecorded weight file (new
``weights.unrecorded``) and deletes one the base had not recorded (fixed).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import git, init_repo, run_mlaudit
from github_actions_env import PR_NUMBER, REPO, actions_env, read_outputs, write_event
from github_api_server import GitHubApiServer, add_pull_request

pytestmark = pytest.mark.slow  # end-to-end Action runs: real git worktrees, base and head audits, the loopback API


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def pr_repo(tmp_path: Path) -> dict[str, Any]:
    """A repository with base and head commits; returns paths and shas."""
    root = init_repo(tmp_path / "tiny-model")
    _write(root / "model.safetensors", b"base weights " * 64)
    result = run_mlaudit("hash", str(root), "--update")
    assert result.returncode == 0, result.stderr
    _write(root / "old.bin", b"a stray unrecorded weight file")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base model")
    base_sha = git(root, "rev-parse", "HEAD").strip()
    # old.bin was committed but never recorded: the base has one unrecorded finding.
    git(root, "checkout", "-q", "-b", "feature")
    _write(root / "model.safetensors", b"tampered weights " * 64)
    _write(root / "adapter.bin", b"a new adapter, not recorded")
    (root / "old.bin").unlink()
    git(root, "add", "-A")
    git(root, "-c", "user.name=Mallory Contributor", "commit", "-q", "-m", "swap the weights")
    head_sha = git(root, "rev-parse", "HEAD").strip()
    return {"root": root, "base_sha": base_sha, "head_sha": head_sha, "tmp": tmp_path}


def run_github(pr_repo: dict[str, Any], api: GitHubApiServer, *args: str, token: str = "test-token"):  # type: ignore[no-untyped-def]
    tmp: Path = pr_repo["tmp"]
    event = write_event(tmp, pr_repo["base_sha"], pr_repo["head_sha"])
    env = actions_env(api, event, tmp, token=token)
    result = run_mlaudit("github", str(pr_repo["root"]), "--only", "weights", *args, env=env)
    return result, env


def comments(api: GitHubApiServer) -> list[dict[str, Any]]:
    return list(api.repos[REPO].comments.values())


def test_first_run_creates_the_comment_second_run_updates_it(pr_repo: dict[str, Any]) -> None:
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        first, env = run_github(pr_repo, api)
        assert first.returncode == 1, first.stderr  # the head fails the policy (high findings)
        assert len(api.requests_to("POST", rf"/issues/{PR_NUMBER}/comments$")) == 1
        comment = dict(comments(api)[0])
        body = comment["body"]
        assert body.startswith("<!-- mlaudit:pull-request-comment -->")
        new_section = body.split("### 🆕 New in this pull request")[1].split("###")[0]
        assert "weights.mismatch" in new_section and "model.safetensors" in new_section
        assert "weights.unrecorded" in new_section and "adapter.bin" in new_section
        fixed_section = body.split("### ✅ Fixed by this pull request")[1].split("###")[0]
        assert "old.bin" in fixed_section and "adapter.bin" not in fixed_section
        weights_section = body.split("### ⚖️ Weight files changed")[1].split("###")[0]
        row = next(line for line in weights_section.splitlines() if "model.safetensors" in line)
        assert "modified" in row and "Mallory Contributor" in row and pr_repo["head_sha"][:8] in row
        assert "https://github.invalid/octo-org/tiny-model/actions/runs/4242" in body
        # New findings are annotated on their files.
        assert "::error file=model.safetensors,title=mlaudit weights.mismatch (high)::" in first.stdout
        outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
        assert outputs["status"] == "fail" and outputs["high"] == "2" and outputs["comment"] == "created"
        assert outputs["new"] == "2" and outputs["fixed"] == "1"
        report = json.loads(Path(outputs["report-json"]).read_text())
        assert report["status"] == "fail"
        summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
        assert "New in this pull request" in summary and "<!-- mlaudit" not in summary

        second, _ = run_github(pr_repo, api)
        assert second.returncode == 1
        assert len(comments(api)) == 1, "a re-run must update the comment, not add one"
        patches = api.requests_to("PATCH", r"/issues/comments/\d+$")
        assert [p.path.rsplit("/", 1)[1] for p in patches] == [str(comment["id"])] or not patches
        assert len(api.requests_to("POST", rf"/issues/{PR_NUMBER}/comments$")) == 1


def test_rerun_after_new_commit_updates_the_same_comment(pr_repo: dict[str, Any]) -> None:
    root: Path = pr_repo["root"]
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        run_github(pr_repo, api)
        before = dict(comments(api)[0])  # a copy: the server updates its record in place
        # The contributor records the new weights: the mismatch and the unrecorded file are fixed.
        assert run_mlaudit("hash", str(root), "--update").returncode == 0
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "record weights")
        pr_repo["head_sha"] = git(root, "rev-parse", "HEAD").strip()
        result, _ = run_github(pr_repo, api)
        assert result.returncode == 0, result.stdout + result.stderr
        [after] = comments(api)
        assert after["id"] == before["id"] and after["body"] != before["body"]
        assert "mlaudit: PASS" in after["body"] and "### 🆕 New in this pull request" not in after["body"]
        assert "old.bin" in after["body"].split("### ✅ Fixed by this pull request")[1]


def test_server_errors_and_rate_limits_are_retried(pr_repo: dict[str, Any]) -> None:
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        api.fail(500, method="GET", path=r"/comments$", times=2)
        api.fail(429, method="POST", path=r"/comments$", retry_after=0)
        api.fail(
            403,
            method="POST",
            path=r"/comments$",
            retry_after=0,
            body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
        )
        result, env = run_github(pr_repo, api)
        assert result.returncode == 1
        assert len(comments(api)) == 1
        assert len(api.requests_to("GET", r"/comments$")) == 3
        assert len(api.requests_to("POST", r"/comments$")) == 3
        assert read_outputs(Path(env["GITHUB_OUTPUT"]))["comment"] == "created"


def test_read_only_token_falls_back_to_the_summary_and_keeps_the_verdict(pr_repo: dict[str, Any]) -> None:
    with GitHubApiServer() as api:
        api.tokens["fork-token"] = "read"
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        result, env = run_github(pr_repo, api, token="fork-token")
        assert result.returncode == 1, "failing to post never changes the verdict"
        assert comments(api) == []
        assert "::notice title=mlaudit comment not posted::" in result.stdout
        assert "read-only" in result.stdout
        summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
        assert "could not be posted (read-only token)" in summary
        assert "weights.mismatch" in summary
        assert read_outputs(Path(env["GITHUB_OUTPUT"]))["comment"] == "failed"


def test_api_down_does_not_change_the_verdict(pr_repo: dict[str, Any]) -> None:
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        api.fail(502, times=100)
        result, _ = run_github(pr_repo, api)
        assert result.returncode == 1
        assert "::warning title=mlaudit comment not posted::" in result.stdout
        assert "gave up after 5 attempts" in result.stdout


def test_a_comment_over_the_limit_is_shortened(pr_repo: dict[str, Any]) -> None:
    root: Path = pr_repo["root"]
    for i in range(420):
        _write(
            root / "shards" / f"very-long-directory-name-for-sharded-checkpoints/shard-{i:05d}-of-00420.bin",
            f"shard {i}".encode(),
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "add 420 shards")
    pr_repo["head_sha"] = git(root, "rev-parse", "HEAD").strip()
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        result, env = run_github(pr_repo, api)
        assert result.returncode == 1
        [comment] = comments(api)  # the stand-in API rejects bodies over 65,536 characters with 422
        body = comment["body"]
        assert len(body) < 65536
        assert "shortened to stay under GitHub's 65,536-character limit" in body
        assert "more new finding(s)" in body
        assert "weights.mismatch" in body  # the worst findings come first
        full = (Path(env["RUNNER_TEMP"]) / "mlaudit-report" / "mlaudit-report.json").read_text()
        assert len(json.loads(full)["checks"][0]["findings"]) == 422  # nothing lost in the artifact


def test_workflow_run_job_posts_from_the_artifact(pr_repo: dict[str, Any]) -> None:
    tmp: Path = pr_repo["tmp"]
    with GitHubApiServer() as api:
        add_pull_request(
            api,
            REPO,
            PR_NUMBER,
            head_sha=pr_repo["head_sha"],
            base_sha=pr_repo["base_sha"],
            head_repo="a-fork/tiny-model",
        )
        api.tokens["fork-token"] = "read"
        audit, _ = run_github(
            pr_repo, api, "--comment", "never", "--report-dir", str(tmp / "artifact"), token="fork-token"
        )
        assert audit.returncode == 1 and comments(api) == []
        run_event = tmp / "workflow_run.json"
        run_event.write_text(
            json.dumps(
                {
                    "action": "completed",
                    "workflow_run": {
                        "head_sha": pr_repo["head_sha"],
                        "event": "pull_request",
                        "conclusion": "failure",
                        "html_url": "https://github.invalid/octo-org/tiny-model/actions/runs/99",
                        "pull_requests": [],
                    },
                }
            )
        )
        env = actions_env(api, run_event, tmp, event_name="workflow_run")
        post = run_mlaudit("github", "--post-from", str(tmp / "artifact"), env=env)
        assert post.returncode == 0, post.stdout + post.stderr
        [comment] = comments(api)
        assert "weights.mismatch" in comment["body"] and "actions/runs/99" in comment["body"]

        # A tampered artifact naming another commit is refused.
        pr_file = tmp / "artifact" / "mlaudit-pr.json"
        data = json.loads(pr_file.read_text())
        data["pull_request"]["head_sha"] = "0" * 40
        pr_file.write_text(json.dumps(data))
        refused = run_mlaudit("github", "--post-from", str(tmp / "artifact"), env=env)
        assert refused.returncode == 2 and "artifact is for commit" in refused.stderr


def test_cached_base_report_is_used_instead_of_a_worktree(pr_repo: dict[str, Any]) -> None:
    tmp: Path = pr_repo["tmp"]
    root: Path = pr_repo["root"]
    git(root, "checkout", "-q", pr_repo["base_sha"])
    base = run_mlaudit("audit", str(root), "--only", "weights", "--format", "json", "--output", str(tmp / "base.json"))
    assert base.returncode == 1  # old.bin is unrecorded on the base
    git(root, "checkout", "-q", "feature")
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        result, _ = run_github(pr_repo, api, "--base-report", str(tmp / "base.json"))
        assert result.returncode == 1
        [comment] = comments(api)
        assert "cached base report base.json" in comment["body"]
        assert "old.bin" in comment["body"].split("### ✅ Fixed by this pull request")[1]


def test_not_in_actions_is_a_usage_error(tmp_path: Path) -> None:
    env = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    env["GITHUB_EVENT_NAME"] = "pull_request"
    result = run_mlaudit("github", str(tmp_path), env=env)
    assert result.returncode == 2 and "GITHUB_EVENT_PATH is not set" in result.stderr


def test_scheduled_run_opens_one_issue_and_gates(pr_repo: dict[str, Any]) -> None:
    tmp: Path = pr_repo["tmp"]
    root: Path = pr_repo["root"]
    with GitHubApiServer() as api:
        api.add_repository(REPO)
        env = actions_env(api, tmp / "no-event.json", tmp, event_name="schedule")
        args = ("github", str(root), "--only", "weights", "--issue-checks", "weights")
        first = run_mlaudit(*args, env=env)
        assert first.returncode == 1, first.stderr  # the gate still fails the job
        assert "tracking issue created #1 (2 new finding(s))" in first.stdout
        [issue] = api.repos[REPO].issues.values()
        assert "weights.mismatch" in issue["body"] and issue["state"] == "open"
        second = run_mlaudit(*args, env=env)
        assert "tracking issue unchanged #1" in second.stdout
        assert len(api.repos[REPO].issues) == 1
        outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
        assert outputs["issue"] == "1" and outputs["issue-action"] == "unchanged"
        assert Path(outputs["sarif"]).is_file()


def test_action_yml_audit_step_drives_mlaudit_github(pr_repo: dict[str, Any]) -> None:
    """Run action.yml's own "Audit" script with bash, inputs through env as the runner passes them."""
    import shutil
    import subprocess

    import yaml
    from conftest import MLAUDIT, PROJECT_ROOT

    from mlaudit.registry import REGISTRY

    tmp: Path = pr_repo["tmp"]
    action = yaml.safe_load((PROJECT_ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "audit")
    config = tmp / "config dir" / "only weights.toml"  # spaces: the script must quote every input
    config.parent.mkdir()
    others = sorted(c for c in REGISTRY if c != "weights")
    config.write_text("disable = [" + ", ".join(f'"{c}"' for c in others) + "]\n")
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr_repo["head_sha"], base_sha=pr_repo["base_sha"])
        env = actions_env(api, write_event(tmp, pr_repo["base_sha"], pr_repo["head_sha"]), tmp)
        venv_bin = Path(env["RUNNER_TEMP"]) / "mlaudit-venv" / "bin"
        venv_bin.mkdir(parents=True)
        (venv_bin / "mlaudit").symlink_to(MLAUDIT)  # what the install step leaves there
        inputs = {
            "path": str(pr_repo["root"]),
            "config": str(config),
            "fail-on": "medium",
            "comment": "on-failure",
            "sarif": str(tmp / "out" / "x.sarif"),
            "offline": "true",
            "advisory-db": "",
            "base-ref": "",
            "base-report": "",
            "post-from": "",
            "issue-checks": "vulns",
            "github-token": env["GITHUB_TOKEN"],
            "audit-token": "",
        }
        step_env = {**os.environ, **env}
        for name, expression in step["env"].items():
            match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression)
            assert match, f"{name} must come straight from an input"
            step_env[name] = inputs[match.group(1)]
        result = subprocess.run(
            [shutil.which("bash") or "bash", "-c", step["run"]],
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
        assert outputs["status"] == "fail" and outputs["sarif"] == str(tmp / "out" / "x.sarif")
        assert outputs["report-dir"] == str(Path(env["RUNNER_TEMP"]) / "mlaudit-report")
        assert Path(outputs["sarif"]).is_file() and outputs["comment"] == "created"
        report = json.loads(Path(outputs["report-json"]).read_text())
        assert report["fail_on"] == "medium"
        assert [c["id"] for c in report["checks"]] == ["weights"]
