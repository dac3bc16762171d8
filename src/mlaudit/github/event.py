"""What GitHub Actions tells a step: the ``GITHUB_*`` variables and the event payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.errors import UsageError
from mlaudit.formats.bounded_json import BoundedParseError, loads_json

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class ActionsEnvironment:
    """The variables of the runner that mlaudit uses (empty strings when absent)."""

    event_name: str
    event_path: str
    repository: str
    api_url: str
    server_url: str
    run_id: str
    run_attempt: str
    sha: str
    token: str
    step_summary: str
    output: str
    workspace: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionsEnvironment:
        """Read the environment (``GITHUB_TOKEN`` or ``INPUT_GITHUB-TOKEN`` for the token)."""
        return cls(
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event_path=env.get("GITHUB_EVENT_PATH", ""),
            repository=env.get("GITHUB_REPOSITORY", ""),
            api_url=env.get("GITHUB_API_URL", "https://api.github.com"),
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com"),
            run_id=env.get("GITHUB_RUN_ID", ""),
            run_attempt=env.get("GITHUB_RUN_ATTEMPT", ""),
            sha=env.get("GITHUB_SHA", ""),
            token=env.get("GITHUB_TOKEN") or env.get("INPUT_GITHUB-TOKEN") or env.get("GH_TOKEN", ""),
            step_summary=env.get("GITHUB_STEP_SUMMARY", ""),
            output=env.get("GITHUB_OUTPUT", ""),
            workspace=env.get("GITHUB_WORKSPACE", ""),
        )

    @property
    def in_actions(self) -> bool:
        """True when running as a GitHub Actions step."""
        return bool(self.event_name and self.repository)

    @property
    def run_url(self) -> str:
        """Link to this workflow run ('' outside Actions)."""
        if not (self.repository and self.run_id):
            return ""
        url = f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"
        return url + (f"/attempts/{self.run_attempt}" if self.run_attempt not in ("", "1") else "")


@dataclass(frozen=True)
class PullRequestRef:
    """The pull request an event is about."""

    number: int
    base_sha: str
    base_ref: str
    head_sha: str
    head_ref: str
    head_repository: str
    html_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """As written next to the report artifact (``mlaudit-pr.json``)."""
        return {
            "number": self.number,
            "base_sha": self.base_sha,
            "base_ref": self.base_ref,
            "head_sha": self.head_sha,
            "head_ref": self.head_ref,
            "head_repository": self.head_repository,
            "html_url": self.html_url,
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str) -> PullRequestRef:
        """Read ``mlaudit-pr.json`` back; it may come from an untrusted fork, so every field is checked."""
        if not isinstance(data, Mapping):
            raise UsageError(f"{source}: expected a JSON object")
        number = data.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise UsageError(f"{source}: 'number' must be a positive integer")
        fields = {}
        for key in ("base_sha", "base_ref", "head_sha", "head_ref", "head_repository", "html_url"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise UsageError(f"{source}: '{key}' must be a string")
            fields[key] = value
        for key in ("base_sha", "head_sha"):
            if fields[key] and not _is_sha(fields[key]):
                raise UsageError(f"{source}: '{key}' is not a commit id")
        return cls(number=number, **fields)


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in "0123456789abcdef" for c in value)


def read_event(path: str) -> dict[str, Any]:
    """The event payload at ``GITHUB_EVENT_PATH`` (a clear error when missing or malformed)."""
    if not path:
        raise UsageError("GITHUB_EVENT_PATH is not set: `mlaudit github` runs inside GitHub Actions")
    try:
        data = loads_json(Path(path).read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: cannot read the event payload: not UTF-8 (byte {exc.start})") from None
    except FileNotFoundError:
        raise UsageError(f"{path}: event payload not found") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the event payload: {exc.strerror or exc}") from None
    except BoundedParseError as exc:
        raise UsageError(f"{path}: the event payload is not usable: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the event payload must be a JSON object")
    return data


def pull_request_from_event(event: Mapping[str, Any], *, source: str = "event") -> PullRequestRef:
    """The pull request of a ``pull_request``/``pull_request_target`` payload."""
    pr = event.get("pull_request")
    try:
        assert isinstance(pr, Mapping)
        ref = PullRequestRef(
            number=int(pr["number"]),
            base_sha=str(pr["base"]["sha"]),
            base_ref=str(pr["base"].get("ref", "")),
            head_sha=str(pr["head"]["sha"]),
            head_ref=str(pr["head"].get("ref", "")),
            head_repository=str((pr["head"].get("repo") or {}).get("full_name", "")),
            html_url=str(pr.get("html_url", "")),
        )
    except (AssertionError, KeyError, TypeError, ValueError, AttributeError):
        raise UsageError(
            f"{source}: not a pull request event payload (no pull_request.number/base.sha/head.sha)"
        ) from None
    # The SHAs reach `git` as arguments: "--upload-pack=..." must never be one.
    for key, value in (("base.sha", ref.base_sha), ("head.sha", ref.head_sha)):
        if not _is_sha(value):
            raise UsageError(f"{source}: pull_request.{key} is not a commit id (40 or 64 hex digits): {value[:80]!r}")
    return ref


def workflow_run_head_sha(event: Mapping[str, Any]) -> str:
    """The head commit of the run that triggered a ``workflow_run`` event ('' when absent)."""
    run = event.get("workflow_run")
    if isinstance(run, Mapping) and isinstance(run.get("head_sha"), str):
        sha = str(run["head_sha"])
        if not _is_sha(sha):
            raise UsageError(f"event: workflow_run.head_sha is not a commit id (40 or 64 hex digits): {sha[:80]!r}")
        return sha
    return ""
