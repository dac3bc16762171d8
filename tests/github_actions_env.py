"""The runner's side of a pull-request step for end-to-end tests: the event file, the variables, the outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from github_api_server import GitHubApiServer

REPO = "octo-org/tiny-model"
PR_NUMBER = 7
EVENT_TEMPLATE = Path(__file__).parent / "github" / "data" / "pull_request_event.json"


def write_event(tmp: Path, base_sha: str, head_sha: str) -> Path:
    """A pull_request ``synchronize`` payload as GitHub sends it, with this repository's shas."""
    text = EVENT_TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("@BASE_SHA@", base_sha).replace("@HEAD_SHA@", head_sha)
    path = tmp / "event.json"
    path.write_text(text, encoding="utf-8")
    return path


def actions_env(
    api: GitHubApiServer,
    event: Path,
    tmp: Path,
    *,
    token: str = "test-token",
    event_name: str = "pull_request",
) -> dict[str, str]:
    """The variables the runner sets for a step."""
    summary, output = tmp / "summary.md", tmp / "output.txt"
    summary.touch()
    output.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": api.url,
        "GITHUB_SERVER_URL": "https://github.invalid",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_TOKEN": token,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_WORKSPACE": str(tmp / "tiny-model"),
        "RUNNER_TEMP": str(tmp / "runner-temp"),
        "MLAUDIT_GITHUB_BACKOFF_S": "0.01",
    }


def read_outputs(path: Path) -> dict[str, str]:
    """Parse ``$GITHUB_OUTPUT`` (heredoc form) like the runner does."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        match = re.match(r"^([^<=]+)<<(.+)$", lines[i])
        if match:
            name, delimiter = match.groups()
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        else:
            if "=" in lines[i]:
                name, value = lines[i].split("=", 1)
                outputs[name] = value
            i += 1
    return outputs


def bench_pull_request_env(api: GitHubApiServer, repo: Path, tmp: Path, *, base_sha: str, head_sha: str,
                           full_name: str = "bench/model") -> dict[str, str]:
    """A minimal pull-request step for the benchmarks: registers PR #1 on ``api``, writes its event, the variables."""
    from github_api_server import add_pull_request

    add_pull_request(api, full_name, 1, head_sha=head_sha, base_sha=base_sha)
    event = tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {
        "number": 1, "html_url": "", "base": {"sha": base_sha, "ref": "main"},
        "head": {"sha": head_sha, "ref": "feature", "repo": {"full_name": full_name}}}}), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": full_name,
        "GITHUB_API_URL": api.url,
        "GITHUB_TOKEN": "test-token",
        "GITHUB_RUN_ID": "1",
        "GITHUB_WORKSPACE": str(repo),
        "RUNNER_TEMP": str(tmp / "runner"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_OUTPUT": str(tmp / "out.txt"),
    }
