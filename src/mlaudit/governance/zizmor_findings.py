"""zizmor, the maintained auditor of GitHub workflows: run it offline and read its findings as ``access`` findings.

Its audits become ``access.workflow-<audit>``; audits that belong to other
checks (``pins`` owns unpinned ``uses:``) or that need the network are left out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlaudit.model import Finding, Severity

WORKFLOWS_DIR = ".github/workflows"
# Audits of other checks (pins owns unpinned uses:) or that need the network.
_NOT_OURS = frozenset(
    {
        "unpinned-uses",
        "unpinned-images",
        "known-vulnerable-actions",
        "impostor-commit",
        "ref-confusion",
        "stale-action-refs",
        "forbidden-uses",
        "archived-uses",
    }
)
_SEVERITY = {
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
    "unknown": Severity.LOW,
}


def zizmor_command() -> str | None:
    """The zizmor executable (beside this Python first, then on PATH), or None."""
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.is_file() else shutil.which("zizmor")


# The audited tree has no say over zizmor: no ``zizmor.yml`` / ``.github/zizmor.yml`` of its own
# (--no-config), no ``# zizmor: ignore[...]`` comments (--no-ignores), no network (--offline).
_ZIZMOR_OPTIONS = ("--offline", "--no-config", "--no-ignores", "--format", "json", "--no-progress")


def run_zizmor(command: str, root: Path, workflows: Sequence[str]) -> tuple[list[Finding] | None, str]:
    """zizmor's findings on ``workflows`` and its version; (None, why) when it could not run or said nothing readable.

    ``workflows`` are the repository's own workflow files (relative paths, checked to stay
    inside ``root``): zizmor is given those files, never a folder it would walk itself.
    """
    try:
        proc = subprocess.run(
            [command, *_ZIZMOR_OPTIONS, "--", *workflows],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        version = (
            subprocess.run([command, "--version"], capture_output=True, text=True, timeout=30, check=False)
            .stdout.strip()
            .removeprefix("zizmor ")
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"zizmor could not run: {exc}"
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return None, f"zizmor exited {proc.returncode} without JSON: {proc.stderr.strip()[-300:]}"
    if not isinstance(items, list):
        return None, "zizmor's JSON is not a list"
    return [f for item in items if isinstance(item, dict) for f in _zizmor_finding(item)], version


def _zizmor_finding(item: dict[str, Any]) -> list[Finding]:
    ident = str(item.get("ident", "unknown"))
    # ``ignored`` is not honoured: it says a ``# zizmor: ignore[...]`` comment of the audited tree matched.
    if ident in _NOT_OURS:
        return []
    locations = item.get("locations") or []
    primary = next(
        (loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"),
        locations[0] if locations else {},
    )
    symbolic = primary.get("symbolic", {})
    path = (symbolic.get("key", {}).get("Local", {}) or {}).get("verbatim_path")
    row = primary.get("concrete", {}).get("location", {}).get("start_point", {}).get("row")
    route = "/".join(str(next(iter(p.values()))) for p in symbolic.get("route", {}).get("route", []) if p)
    severity = _SEVERITY.get(str(item.get("determinations", {}).get("severity", "")).lower(), Severity.LOW)
    annotation = symbolic.get("annotation", "")
    return [
        Finding(
            rule=f"access.workflow-{ident}",
            severity=severity,
            path=path,
            line=row + 1 if isinstance(row, int) else None,
            key=route,
            message=f"{item.get('desc', ident)}: {annotation} (zizmor)",
            remediation=f"{path} ({route}): see {item.get('url', 'https://docs.zizmor.sh/audits/')}",
            details={
                "auditor": "zizmor",
                "audit": ident,
                "confidence": item.get("determinations", {}).get("confidence"),
            },
        )
    ]
