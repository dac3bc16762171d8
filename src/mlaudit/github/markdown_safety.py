"""Untrusted text in a comment the bot posts: neutral Markdown, no links, images, mentions or HTML.

File names, messages, licence strings — and, in the ``workflow_run`` job, the
whole report artifact, which a fork can forge — end up in a comment written with
the repository's token. ``escape_text`` makes any value inert prose inside a
table cell; ``code_span`` makes it an inline code span that no backtick, pipe or
newline can break out of. The escaping itself lives in ``mlaudit.render.escape``,
the one place for every output.
"""

from __future__ import annotations

import jinja2

from mlaudit.render.escape import ZERO_WIDTH_SPACE, markdown_code, markdown_text
from mlaudit.render.templates import environment

__all__ = ["ZERO_WIDTH_SPACE", "code_span", "comment_environment", "escape_text"]


def escape_text(value: object, *, keep_code: bool = False) -> str:
    """``value`` as inert text in a table cell (see ``mlaudit.render.escape.markdown_text``)."""
    return markdown_text(value, keep_code=keep_code)


def code_span(value: object) -> str:
    """``value`` as one inline code span that is safe inside a table cell."""
    return markdown_code(value)


def comment_environment() -> jinja2.Environment:
    """The project's template environment with the ``text``, ``cell`` and ``code`` filters registered."""
    env = environment()
    env.filters.setdefault("text", escape_text)
    env.filters.setdefault("code", code_span)
    env.filters.setdefault("cell", lambda value: escape_text(value, keep_code=True))
    return env
