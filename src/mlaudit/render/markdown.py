"""The Markdown report (``templates/report.md.j2``)."""

from __future__ import annotations

from mlaudit.model import Report, Status
from mlaudit.render.templates import environment

STATUS_ICONS = {
    Status.PASS: "✅",
    Status.FAIL: "❌",
    Status.WARN: "⚠️",
    Status.SKIPPED: "⏭️",
    Status.ERROR: "🛑",
}


def render_markdown(report: Report) -> str:
    """The full report as GitHub-flavoured Markdown."""
    return environment().get_template("report.md.j2").render(
        report=report, icons=STATUS_ICONS, counts=report.counts()
    )
