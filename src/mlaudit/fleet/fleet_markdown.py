"""The fleet report as Markdown: the job summary and the tracking issue's body."""

from __future__ import annotations

from typing import Any

from mlaudit.render.templates import environment

SUMMARY_ROWS = 50


def render_fleet_markdown(report: dict[str, Any], *, limit: int = SUMMARY_ROWS) -> str:
    """Coverage, SLOs, pillars, what is not covered, findings by rule, signatures, problems."""
    return environment().get_template("fleet_summary.md.j2").render(report=report, limit=limit)
