"""The fleet report as one static HTML file: no CDN, no JavaScript, charts as inline SVG.

The template is rendered in an autoescaping overlay of the shared environment
(whose own autoescape is off because it renders Markdown): repository names,
messages and file names from reports are untrusted text.
"""

from __future__ import annotations

from typing import Any

from mlaudit.render.templates import environment

STATE_COLOURS = {
    "passing": "#2e7d32",
    "failing": "#c62828",
    "errored": "#ef6c00",
    "stale": "#8d8d8d",
    "missing": "#d9d9d9",
}
STATUS_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "warn": "#f9a825", "skipped": "#8d8d8d", "error": "#ef6c00"}
BAR_WIDTH = 480.0


def stacked_bar(counts: dict[str, int], colours: dict[str, str]) -> list[dict[str, Any]]:
    """Segments ``{label, count, x, width, colour}`` of a bar ``BAR_WIDTH`` wide, one per non-zero count."""
    total = sum(counts.get(k, 0) for k in colours)
    segments: list[dict[str, Any]] = []
    x = 0.0
    for label, colour in colours.items():
        count = counts.get(label, 0)
        if not count or not total:
            continue
        width = BAR_WIDTH * count / total
        segments.append({"label": label, "count": count, "x": round(x, 2), "width": round(width, 2),
                         "colour": colour})
        x += width
    return segments


def render_dashboard(report: dict[str, Any]) -> str:
    """The dashboard HTML for ``report`` (the fleet report JSON)."""
    env = environment().overlay(autoescape=True)
    tiers = [(tier, report["coverage"][tier], stacked_bar(report["coverage"][tier], STATE_COLOURS))
             for tier in ("high", "medium", "low", "all")]
    pillars = [(name, counts, stacked_bar(counts, STATUS_COLOURS)) for name, counts in report["pillars"].items()]
    return env.get_template("fleet_dashboard.html.j2").render(
        report=report, tiers=tiers, pillars=pillars, state_colours=STATE_COLOURS,
        status_colours=STATUS_COLOURS, bar_width=BAR_WIDTH)
