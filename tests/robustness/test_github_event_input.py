"""A pull-request event is read with bounds, and its SHAs must be commit ids before they reach git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlaudit.errors import UsageError
from mlaudit.github.event import pull_request_from_event, read_event, workflow_run_head_sha


def _event(head: str = "a" * 40, base: str = "b" * 40) -> dict[str, object]:
    return {"pull_request": {"number": 3, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "x"}}}


@pytest.mark.parametrize("sha", ["--upload-pack=touch /tmp/owned", "-c", "HEAD", "a" * 39, "A" * 40, "a" * 40 + "\n"])
@pytest.mark.parametrize("side", ["head", "base"])
def test_pull_request_shas_must_be_commit_ids(sha: str, side: str) -> None:
    event = _event(head=sha) if side == "head" else _event(base=sha)
    with pytest.raises(UsageError, match=f"pull_request.{side}.sha is not a commit id"):
        pull_request_from_event(event)


def test_valid_shas_pass() -> None:
    assert pull_request_from_event(_event(head="c" * 64)).head_sha == "c" * 64


def test_workflow_run_head_sha_is_checked() -> None:
    with pytest.raises(UsageError, match="not a commit id"):
        workflow_run_head_sha({"workflow_run": {"head_sha": "--output=/etc/passwd"}})
    assert workflow_run_head_sha({"workflow_run": {"head_sha": "d" * 40}}) == "d" * 40


@pytest.mark.parametrize("payload", [b"[" * 100_000, b"\xff\xfe{}", b"{\"a\":", b"{" + b'"a":{' * 5000 + b"}" * 5001])
def test_hostile_event_payloads_are_usage_errors(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(payload)
    with pytest.raises(UsageError, match="event payload"):
        read_event(str(path))


def test_event_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        read_event(str(tmp_path))
    (tmp_path / "e.json").write_text(json.dumps(_event()))
    assert read_event(str(tmp_path / "e.json"))["pull_request"]
