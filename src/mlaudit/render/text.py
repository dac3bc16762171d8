"""The terminal summary: one line per check, one line per finding with its fix."""

from __future__ import annotations

from mlaudit.model import Finding, Report, Severity, Status
from mlaudit.render.escape import terminal_line, terminal_text

_STATUS_MARK = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.SKIPPED: "-",
    Status.ERROR: "E",
}
_COLORS = {
    Status.PASS: "32",
    Status.FAIL: "31",
    Status.WARN: "33",
    Status.SKIPPED: "90",
    Status.ERROR: "35",
}
_SEVERITY_COLORS = {
    Severity.CRITICAL: "1;31",
    Severity.HIGH: "31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "90",
}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def format_location(finding: Finding) -> str:
    """``path:line`` (or ``path``, or ``-`` when the finding has no file)."""
    if finding.path is None:
        return "-"
    return f"{finding.path}:{finding.line}" if finding.line else finding.path


def format_finding_line(finding: Finding) -> str:
    """One line for a finding, as hooks print it: ``path:line: [severity] rule: message``."""
    line = f"{format_location(finding)}: [{finding.severity.value}] {finding.rule}: {finding.message}"
    if finding.remediation:
        line += f" (fix: {finding.remediation})"
    return terminal_line(line)


def render_text(report: Report, *, color: bool = False) -> str:
    """The human summary printed by ``mlaudit audit`` on a terminal."""
    lines = [
        f"mlaudit {report.tool_version} · {terminal_text(report.root)} · "
        + _paint(report.status.value.upper(), _COLORS[report.status], color)
        + f" (fail-on: {report.fail_on.value})",
        "",
    ]
    width = max((len(c.check_id) for c in report.checks), default=8)
    for check in report.checks:
        mark = _paint(f"{_STATUS_MARK[check.status]} {check.status.value:<7}", _COLORS[check.status], color)
        lines.append(f"{mark} {check.check_id:<{width}}  {terminal_text(check.summary)}  ({check.duration_s:.2f}s)")
        for finding in check.findings:
            sev = _paint(f"{finding.severity.value:<8}", _SEVERITY_COLORS[finding.severity], color)
            lines.append(f"    {sev} {finding.rule}  {terminal_text(format_location(finding))}")
            lines.append(f"             {terminal_text(finding.message)}")
            if finding.remediation:
                lines.append(f"             fix: {terminal_text(finding.remediation)}")
        for accepted in check.accepted:
            waiver = accepted.waiver
            lines.append(f"    {'accepted':<8} {accepted.finding.rule}  "
                         f"{terminal_text(format_location(accepted.finding))}")
            lines.append(f"             waived by {terminal_text(waiver.get('owner'))} until "
                         f"{terminal_text(waiver.get('expires'))}: {terminal_text(waiver.get('reason'))}")
    counts = report.counts()
    total = sum(counts.values())
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
    lines.append("")
    lines.append(f"{total} finding(s)" + (f": {summary}" if summary else ""))
    return "\n".join(lines) + "\n"  # every line starts with mlaudit's own text
