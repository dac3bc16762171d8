"""The audit log entry ``mlaudit audit --log FILE`` appends: what was audited, how, with what result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mlaudit.audit_log.chain import append_record
from mlaudit.config import Config
from mlaudit.git_safe import run_git
from mlaudit.model import Report
from mlaudit.signing.report_attestation import report_digest


def head_commit(root: Path) -> str | None:
    """The commit checked out at ``root``, or None outside a Git repository."""
    out = run_git(root, "rev-parse", "HEAD", timeout=30)
    return out.strip() if out else None


def audit_record(report: Report, config: Config, root: Path) -> dict[str, Any]:
    """The fields of one audit: time, tool version, commit, config digest, report digest, status."""
    return {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "tool_version": report.tool_version,
        "commit": head_commit(root),
        "config_digest": config.digest(),
        "report_digest": report_digest(report.to_json()),
        "status": report.status.value,
    }


def log_audit(path: Path, report: Report, config: Config, root: Path) -> dict[str, Any]:
    """Append this audit to the log at ``path``; returns the line written."""
    return append_record(path, audit_record(report, config, root))
