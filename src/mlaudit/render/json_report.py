"""The JSON report (the machine contract) and reading it back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mlaudit.errors import MlauditError
from mlaudit.formats.bounded_json import loads_json
from mlaudit.model import SCHEMA_VERSION, AcceptedFinding, CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.render.escape import json_document


class ReportFormatError(MlauditError):
    """A JSON report that cannot be read: malformed, truncated, or from a newer schema."""


def render_json(report: Report) -> str:
    """The report as indented JSON, keys in contract order."""
    return json_document(json.dumps(report.to_json(), indent=2, ensure_ascii=False)) + "\n"


def load_report(text: str, *, source: str = "report") -> Report:
    """Parse a JSON report written by ``render_json`` (any schema version up to ours)."""
    try:
        data = loads_json(text)
    except ValueError as exc:
        raise ReportFormatError(f"{source}: {exc}") from None
    if not isinstance(data, Mapping):
        raise ReportFormatError(f"{source}: a report must be a JSON object")
    version = data.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ReportFormatError(
            f"{source}: schema_version {version!r} is not supported (this mlaudit reads up to {SCHEMA_VERSION})"
        )
    try:
        return Report(
            tool_version=str(data["tool"]["version"]),
            root=str(data["root"]),
            status=Status(data["status"]),
            fail_on=Severity(data.get("fail_on", "high")),
            checks=tuple(_check(c) for c in data["checks"]),
            generated_at=str(data.get("generated_at", "")),
            config_path=data.get("config"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportFormatError(f"{source}: not a valid mlaudit report ({type(exc).__name__}: {exc})") from None


def _check(data: Mapping[str, Any]) -> CheckResult:
    return CheckResult(
        check_id=data["id"],
        title=data.get("title", data["id"]),
        pillar=Pillar(data.get("pillar", "security")),
        status=Status(data["status"]),
        summary=data.get("summary", ""),
        findings=tuple(_finding(f) for f in data.get("findings", [])),
        duration_s=float(data.get("duration_s", 0.0)),
        evidence=data.get("evidence", {}),
        accepted=tuple(
            AcceptedFinding(finding=_finding(a), waiver=a.get("waiver", {})) for a in data.get("accepted", [])
        ),
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    finding = Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        message=data["message"],
        path=data.get("path"),
        line=data.get("line"),
        remediation=data.get("remediation", ""),
        details=data.get("details", {}),
    )
    # The fingerprint travels with the report: keep the one it was written with.
    object.__setattr__(finding, "fingerprint", data.get("fingerprint", finding.fingerprint))
    return finding
