"""Renderers: one function per output format, all over the same ``Report``."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from mlaudit.errors import UsageError
from mlaudit.model import Report

# format -> "module:function"; modules are imported only when their format is asked for.
FORMATTERS: dict[str, str] = {
    "text": "mlaudit.render.text:render_text",
    "markdown": "mlaudit.render.markdown:render_markdown",
    "json": "mlaudit.render.json_report:render_json",
    "sarif": "mlaudit.render.sarif:render_sarif",
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render ``report`` in format ``fmt`` (a key of ``FORMATTERS``)."""
    target = FORMATTERS.get(fmt)
    if target is None:
        raise UsageError(f"unknown report format '{fmt}' (known: {', '.join(FORMATTERS)})")
    module_name, func_name = target.split(":")
    func: Callable[..., str] = getattr(importlib.import_module(module_name), func_name)
    return func(report, color=color) if fmt == "text" else func(report)
