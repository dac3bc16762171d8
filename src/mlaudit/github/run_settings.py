"""What every Action flow shares: the settings, auditing a tree, paths, SARIF, the API client."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.github.api_client import GitHubClient
from mlaudit.github.event import (
    ActionsEnvironment,
)
from mlaudit.github.pr_comment import COMMENT_LIMIT
from mlaudit.github.publish import (
    CommentMode,
)
from mlaudit.github.report_files import (
    SARIF,
)
from mlaudit.model import Report, ReportDiff, Severity, Status

if TYPE_CHECKING:
    from mlaudit.config import Config


@dataclass(frozen=True)
class RunSettings:
    """The inputs of the Action / options of ``mlaudit github``."""

    root: Path
    report_dir: Path
    config: Path | None = None
    fail_on: Severity | None = None
    only: tuple[str, ...] | None = None
    offline: bool = False
    comment: CommentMode = "always"
    sarif: Path | None = None
    base_ref: str = ""
    base_report: Path | None = None
    artifact_url: str = ""
    issue_checks: tuple[str, ...] = ("vulns",)
    comment_limit: int = COMMENT_LIMIT
    advisory_db: Path | None = None


def audit_tree(root: Path, settings: RunSettings, config: Config | None = None) -> Report:
    """Audit one checkout with ``config`` (default: the checkout's own) and the run's policy."""
    from mlaudit.config import load_config
    from mlaudit.context import AuditContext
    from mlaudit.engine import run_audit

    ctx = AuditContext(
        root,
        config if config is not None else load_config(root, settings.config),
        offline=True if settings.offline else None,
        advisory_db=settings.advisory_db,
        untrusted_config=True,  # the audited tree's config never says where trusted state lives
    )
    return run_audit(ctx, only=list(settings.only) if settings.only else None, fail_on=settings.fail_on)


def exit_code(report: Report) -> int:
    """0 when the policy holds, 1 when it fails."""
    return 0 if report.status is Status.PASS else 1


def path_prefix(root: Path, env: ActionsEnvironment) -> str:
    """The audited root relative to the workspace, so annotations and SARIF name repository paths."""
    base = Path(env.workspace or os.getcwd()).resolve()
    try:
        rel = root.resolve().relative_to(base).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def write_sarif(settings: RunSettings, report: Report, diff: ReportDiff | None, prefix: str) -> Path | None:
    """Write SARIF where the settings say (None when off)."""
    from mlaudit.render.sarif import render_sarif

    if settings.sarif is None:
        return None
    settings.sarif.parent.mkdir(parents=True, exist_ok=True)
    settings.sarif.write_text(render_sarif(report, diff=diff, path_prefix=prefix), encoding="utf-8")
    return settings.sarif


def api_client_for(env: ActionsEnvironment) -> GitHubClient | None:
    """A client with the run's token (None without one).

    ``MLAUDIT_GITHUB_BACKOFF_S`` sets the first retry delay (tests shorten it).
    """
    if not env.token:
        return None
    backoff = float(os.environ.get("MLAUDIT_GITHUB_BACKOFF_S", "1.0"))
    return GitHubClient(env.api_url, env.token, backoff_s=backoff)


def default_sarif(settings_dir: Path, value: str | None) -> Path | None:
    """``--sarif``: a path, ``off``, or (absent) ``mlaudit.sarif`` in the report directory."""
    if value is None or value == "":
        return settings_dir / SARIF
    if value.lower() in ("off", "false", "none", "no"):
        return None
    return Path(value)


def split_checks(value: str | None) -> Sequence[str] | None:
    """``a,b`` -> ``("a", "b")``; empty -> None."""
    if not value:
        return None
    return tuple(c.strip() for c in value.split(",") if c.strip()) or None
