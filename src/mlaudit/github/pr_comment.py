"""Render the pull-request comment (``templates/pr_comment.md.j2``), shortened to fit GitHub's limit."""

from __future__ import annotations

from mlaudit.github.comment_model import CommentModel
from mlaudit.github.markdown_safety import comment_environment
from mlaudit.github.sticky_comment import COMMENT_MARKER
from mlaudit.render.markdown import STATUS_ICONS

COMMENT_LIMIT = 65536
"""GitHub rejects an issue comment longer than this (characters)."""


def render_comment(model: CommentModel, *, short: bool = False, max_new: int = 50) -> str:
    """The comment in full, or its short form (new findings capped at ``max_new``, no unchanged)."""
    return (
        comment_environment()
        .get_template("pr_comment.md.j2")
        .render(m=model, icons=STATUS_ICONS, marker=COMMENT_MARKER, short=short, max_new=max_new)
    )


def render_fitting_comment(model: CommentModel, *, limit: int = COMMENT_LIMIT) -> tuple[str, bool]:
    """The longest form that fits under ``limit``: (text, shortened?).

    The full comment when it fits; otherwise the short form with as many new
    findings as fit, pointing to the report artifact for the rest.
    """
    full = render_comment(model)
    if len(full) < limit:
        return full, False
    max_new = len(model.diff.new)
    while True:
        text = render_comment(model, short=True, max_new=max_new)
        if len(text) < limit or max_new == 0:
            break
        # Shrink in proportion to the excess, at least by one, to converge in a few renders.
        max_new = max(0, min(max_new - 1, int(max_new * limit / len(text)) - 1))
    if len(text) >= limit:  # pathological: even the skeleton is too long (huge messages elsewhere)
        text = text[: limit - 200] + "\n\n…(truncated: see the full report artifact)\n"
    return text, True
