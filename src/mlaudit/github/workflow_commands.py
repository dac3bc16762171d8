"""Talking to the runner: step outputs, the job summary and workflow annotations.

Outputs go to ``$GITHUB_OUTPUT`` in the heredoc form with a random delimiter,
so a value with newlines (or one that tries to forge another output) stays one
value. Annotation text and properties are escaped as the runner expects
(``%``, CR, LF; and ``:``/``,`` in properties).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from mlaudit.model import Finding, Severity
from mlaudit.render.escape import json_safe, workflow_data, workflow_property

SUMMARY_LIMIT = 1024 * 1024
"""GitHub rejects a step summary over 1 MiB."""

_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def format_output(name: str, value: str) -> str:
    """One ``name<<DELIM`` block for ``$GITHUB_OUTPUT``; the delimiter never occurs in ``value``."""
    if not name or any(c in name for c in "\r\n=<"):
        raise ValueError(f"invalid output name {name!r}")
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    while delimiter in value:  # pragma: no cover - 128 random bits
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(path: str, outputs: Mapping[str, str]) -> None:
    """Append ``outputs`` to the ``$GITHUB_OUTPUT`` file (nothing when ``path`` is empty)."""
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as fh:
        for name, value in outputs.items():
            fh.write(format_output(name, json_safe(value)))


def append_summary(path: str, markdown: str, *, fallback_note: str = "") -> bool:
    """Append ``markdown`` to the job summary; too long -> ``fallback_note`` instead. False if no file."""
    if not path:
        return False
    text = markdown if len(markdown.encode("utf-8")) < SUMMARY_LIMIT - 4096 else fallback_note
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(json_safe(text).rstrip("\n") + "\n\n")
    return True


def workflow_command(command: str, message: str, **properties: str | int | None) -> str:
    """``::command key=value,...::message`` with everything escaped."""
    props = ",".join(f"{k}={workflow_property(v)}" for k, v in properties.items() if v not in (None, ""))
    return f"::{command}{' ' + props if props else ''}::{workflow_data(message)}"


def annotation_for(finding: Finding, *, prefix: str = "", root_prefix: str = "") -> str:
    """The annotation of one finding, on its file and line when it has them."""
    level = _LEVELS[finding.severity]
    message = f"{prefix}{finding.message}"
    if finding.remediation:
        message += f"\nFix: {finding.remediation}"
    path = f"{root_prefix}{finding.path}" if finding.path else None
    return workflow_command(
        level,
        message,
        file=path,
        line=finding.line,
        title=f"mlaudit {finding.rule} ({finding.severity.value})",
    )


def finding_annotations(
    findings: Iterable[Finding], *, limit: int = 50, prefix: str = "", root_prefix: str = ""
) -> list[str]:
    """Annotation lines for ``findings``, worst first, at most ``limit`` (GitHub shows few anyway)."""
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.path or "", f.line or 0))
    lines = [annotation_for(f, prefix=prefix, root_prefix=root_prefix) for f in ordered[:limit]]
    if len(ordered) > limit:
        lines.append(workflow_command("notice", f"{len(ordered) - limit} more finding(s) are in the report"))
    return lines
