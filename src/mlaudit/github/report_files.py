"""The report directory an Action run leaves behind (the artifact), and reading it back.

``mlaudit-report.json`` (head), ``mlaudit-report.md``, ``mlaudit-base-report.json``
(when the base was audited), ``mlaudit-pr.json`` (pull request, weight-file
commits, base note), ``mlaudit-comment.md`` and, unless disabled, SARIF. The
``workflow_run`` job that posts the comment reads only these files: it never
runs code from the pull request, and everything it reads is validated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlaudit.errors import UsageError
from mlaudit.formats.bounded_json import loads_json
from mlaudit.github.comment_model import WeightCommit
from mlaudit.github.event import PullRequestRef
from mlaudit.model import Report
from mlaudit.render.json_report import load_report, render_json
from mlaudit.render.markdown import render_markdown

HEAD_REPORT = "mlaudit-report.json"
MARKDOWN_REPORT = "mlaudit-report.md"
BASE_REPORT = "mlaudit-base-report.json"
PR_CONTEXT = "mlaudit-pr.json"
COMMENT = "mlaudit-comment.md"
SARIF = "mlaudit.sarif"
MAX_REPORT_BYTES = 64 * 1024 * 1024
"""A report artifact larger than this is refused rather than read into memory."""


@dataclass(frozen=True)
class PullRequestContext:
    """What the posting job needs besides the reports."""

    pull_request: PullRequestRef
    base_note: str = ""
    weight_commits: Mapping[str, tuple[WeightCommit, ...]] = field(default_factory=dict)
    run_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """As written to ``mlaudit-pr.json``."""
        return {
            "pull_request": self.pull_request.to_json(),
            "base_note": self.base_note,
            "weight_commits": {p: [c.to_json() for c in cs] for p, cs in self.weight_commits.items()},
            "run_url": self.run_url,
        }


def write_report_files(
    directory: Path,
    head: Report,
    base: Report | None,
    context: PullRequestContext | None,
    comment: str | None,
) -> dict[str, Path]:
    """Write the artifact files; returns their paths by role."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"json": directory / HEAD_REPORT, "markdown": directory / MARKDOWN_REPORT}
    paths["json"].write_text(render_json(head), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(head), encoding="utf-8")
    if base is not None:
        paths["base"] = directory / BASE_REPORT
        paths["base"].write_text(render_json(base), encoding="utf-8")
    if context is not None:
        paths["context"] = directory / PR_CONTEXT
        paths["context"].write_text(json.dumps(context.to_json(), indent=2) + "\n", encoding="utf-8")
    if comment is not None:
        paths["comment"] = directory / COMMENT
        paths["comment"].write_text(comment, encoding="utf-8")
    return paths


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise UsageError(f"{path}: larger than {MAX_REPORT_BYTES // 2**20} MiB; refusing to read it")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: not found (was the report artifact downloaded here?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None


def read_report(path: Path) -> Report:
    """A JSON report from the artifact (or a cached base report); a bad one is a usage error."""
    from mlaudit.render.json_report import ReportFormatError

    try:
        return load_report(_read_text(path), source=str(path))
    except ReportFormatError as exc:
        raise UsageError(exc.diagnostics()) from None


def read_report_files(directory: Path) -> tuple[Report, Report | None, PullRequestContext]:
    """Head report, base report (if any) and pull-request context from an artifact directory."""
    head = read_report(directory / HEAD_REPORT)
    base_path = directory / BASE_REPORT
    base = read_report(base_path) if base_path.exists() else None
    source = str(directory / PR_CONTEXT)
    try:
        data = loads_json(_read_text(directory / PR_CONTEXT))
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from None
    if not isinstance(data, Mapping):
        raise UsageError(f"{source}: expected a JSON object")
    pull_request = PullRequestRef.from_json(data.get("pull_request"), source=source)
    commits: dict[str, tuple[WeightCommit, ...]] = {}
    raw_commits = data.get("weight_commits") or {}
    if not isinstance(raw_commits, Mapping):
        raise UsageError(f"{source}: 'weight_commits' must be an object")
    for path, items in raw_commits.items():
        if not isinstance(items, list):
            raise UsageError(f"{source}: weight_commits['{path}'] must be a list")
        commits[str(path)] = tuple(
            WeightCommit(**{k: str(item.get(k, "")) for k in ("sha", "author", "date", "subject")})
            for item in items
            if isinstance(item, Mapping)
        )
    note = data.get("base_note", "")
    run_url = data.get("run_url", "")
    return (
        head,
        base,
        PullRequestContext(
            pull_request,
            note if isinstance(note, str) else "",
            commits,
            run_url if isinstance(run_url, str) else "",
        ),
    )
