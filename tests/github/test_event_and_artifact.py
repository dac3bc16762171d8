"""Hostile or broken inputs of the Action: event payloads and report artifacts give clear usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlaudit.errors import UsageError
from mlaudit.github.event import ActionsEnvironment, PullRequestRef, pull_request_from_event, read_event
from mlaudit.github.report_files import PullRequestContext, read_report_files, write_report_files
from mlaudit.model import CheckResult, Pillar, Report, Severity, Status


def test_environment_and_run_url() -> None:
    env = ActionsEnvironment.from_env(
        {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "5",
            "GITHUB_RUN_ATTEMPT": "2",
            "INPUT_GITHUB-TOKEN": "t",
        }
    )
    assert env.in_actions and env.token == "t" and env.api_url == "https://api.github.com"
    assert env.run_url == "https://github.com/o/r/actions/runs/5/attempts/2"


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "not valid JSON"),
        ('{"pull_request": ', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (b"\xff\xfe".decode("latin-1"), "cannot read the event payload"),
    ],
)
def test_bad_event_payloads(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(UsageError, match=message):
        read_event(str(path))


def test_missing_event_and_non_pull_request_payload(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        read_event(str(tmp_path / "absent.json"))
    with pytest.raises(UsageError, match="not a pull request event"):
        pull_request_from_event({"push": {}})
    with pytest.raises(UsageError, match="not a pull request event"):
        pull_request_from_event({"pull_request": {"number": "x", "base": {}, "head": {}}})


def artifact(tmp_path: Path) -> Path:
    check = CheckResult("weights", "Weights", Pillar.SECURITY, Status.PASS, "ok")
    report = Report("1", "/r", Status.PASS, Severity.HIGH, (check,))
    pr = PullRequestRef(3, "a" * 40, "main", "b" * 40, "feature", "fork/r")
    write_report_files(tmp_path / "art", report, report, PullRequestContext(pr), "comment")
    return tmp_path / "art"


def test_artifact_round_trip(tmp_path: Path) -> None:
    head, base, context = read_report_files(artifact(tmp_path))
    assert head.status is Status.PASS and base is not None and context.pull_request.number == 3


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["pull_request"].update(number=-1), "'number' must be a positive integer"),
        (lambda d: d["pull_request"].update(number=True), "'number' must be a positive integer"),
        (lambda d: d["pull_request"].update(head_sha="$(rm -rf /)"), "not a commit id"),
        (lambda d: d["pull_request"].update(base_ref=["x"]), "'base_ref' must be a string"),
        (lambda d: d.update(weight_commits=[1]), "'weight_commits' must be an object"),
    ],
)
def test_tampered_pull_request_context_is_refused(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    art = artifact(tmp_path)
    data = json.loads((art / "mlaudit-pr.json").read_text())
    mutate(data)
    (art / "mlaudit-pr.json").write_text(json.dumps(data))
    with pytest.raises(UsageError, match=message):
        read_report_files(art)


def test_truncated_or_missing_report_is_a_usage_error(tmp_path: Path) -> None:
    art = artifact(tmp_path)
    text = (art / "mlaudit-report.json").read_text()
    (art / "mlaudit-report.json").write_text(text[: len(text) // 2])
    with pytest.raises(UsageError, match=r"mlaudit-report\.json: not valid JSON"):
        read_report_files(art)
    (art / "mlaudit-report.json").unlink()
    with pytest.raises(UsageError, match="not found"):
        read_report_files(art)


def test_without_gitpython_the_base_is_a_clear_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from mlaudit.github.base_audit import audit_in_worktree
    from mlaudit.github.git_history import merge_base

    monkeypatch.setitem(sys.modules, "git", None)  # what a venv without the `full` extra looks like
    with pytest.raises(UsageError, match=r"needs GitPython: pip install 'mlaudit\[full\]'"):
        merge_base(tmp_path, "a", "b")
    with pytest.raises(UsageError, match="needs GitPython"):
        audit_in_worktree(tmp_path, "a", lambda tree: pytest.fail("must not audit"))
