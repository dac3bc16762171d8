"""The jinja2 environment over the templates shipped inside the package."""

from __future__ import annotations

import functools

import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from ``mlaudit/templates`` (the top-level ``templates/``, linked into the package)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mlaudit", "templates"),
        autoescape=False,  # Markdown, not HTML; values are escaped by the md filter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = escape_markdown_cell
    env.filters["code"] = escape_markdown_code  # a value between backticks: `{{ x | md }}` lets a backtick out
    return env


def escape_markdown_cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell (pipes, newlines, HTML)."""
    from mlaudit.render.escape import json_safe, markdown_unlinked

    # a non-UTF-8 file name: \xNN, not a crash; a URL or @team from the repository: no link, no mention
    text = markdown_unlinked(json_safe("" if value is None else str(value)))
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", " ")
        .replace("\n", "<br>")
    )


def escape_markdown_code(value: object) -> str:
    """``value`` as one inline code span, fenced so no backtick, pipe or newline in it can end the span or the cell."""
    from mlaudit.render.escape import markdown_code

    return markdown_code(value)
