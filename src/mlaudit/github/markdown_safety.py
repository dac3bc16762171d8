"""Untrusted text in a comment the bot posts: neutral Markdown, no links, images, mentions or HTML.

File names, messages, licence strings — and, in the ``workflow_run`` job, the
whole report artifact, which a fork can forge — end up in a comment written with
the repository's token. ``escape_text`` makes any value inert prose inside a
table cell; ``code_span`` makes it an inline code span that no backtick, pipe or
newline can break out of.
"""

from __future__ import annotations

import re

import jinja2

from mlaudit.render.templates import environment

# Characters that start Markdown constructs (links, images, emphasis, code, headings, tables).
_PUNCTUATION = re.compile(r"([\\`*_\[\]()!#~|{}+])")
_PUNCTUATION_KEEP_CODE = re.compile(r"([\\*_\[\]()!#~|{}+])")
_BACKTICKS = re.compile(r"`+")
ZERO_WIDTH_SPACE = "\u200b"


def escape_text(value: object, *, keep_code: bool = False) -> str:
    """``value`` as inert text in a table cell: escaped punctuation, entities for ``<>&``, no mentions.

    ``keep_code`` leaves backticks, so `commands` in a remediation stay code spans; only for a cell
    that holds this value alone (a stray backtick could otherwise pair with one of a code span
    rendered beside it in the same cell and open it up).
    """
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = (_PUNCTUATION_KEEP_CODE if keep_code else _PUNCTUATION).sub(r"\\\1", text)
    # "@team" in a file name must not notify a team; "#12" must not link an issue.
    text = text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("#", "#" + ZERO_WIDTH_SPACE)
    return text.replace("\r", " ").replace("\n", "<br>")


def code_span(value: object) -> str:
    """``value`` as one inline code span that is safe inside a table cell."""
    text = ("" if value is None else str(value)).replace("\r", " ").replace("\n", " ")
    text = text.replace("|", "\\|")  # GFM splits cells before parsing code spans
    longest = max((len(m.group(0)) for m in _BACKTICKS.finditer(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or not text.strip():
        text = f" {text} "
    return f"{fence}{text}{fence}"


def comment_environment() -> jinja2.Environment:
    """The project's template environment with the ``text``, ``cell`` and ``code`` filters registered."""
    env = environment()
    env.filters.setdefault("text", escape_text)
    env.filters.setdefault("code", code_span)
    env.filters.setdefault("cell", lambda value: escape_text(value, keep_code=True))
    return env
