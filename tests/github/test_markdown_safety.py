"""Hostile strings in a comment the bot posts stay inert: no links, images, mentions, HTML or broken tables."""

from __future__ import annotations

import re

from mlaudit.github.comment_model import build_comment_model
from mlaudit.github.markdown_safety import code_span, escape_text
from mlaudit.github.pr_comment import render_comment
from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status

HOSTILE = "x`|![pixel](https://evil.invalid/p.png)<img src=x> @octo-org/admins #1 **b** [l](javascript:x)\nrow"


def test_escape_text_neutralises_markdown_and_mentions() -> None:
    out = escape_text(HOSTILE)
    assert "![" not in out and "](" not in out and "<img" not in out and "\n" not in out
    assert "@\u200bocto-org" in out and "\\|" in out and "\\*\\*b\\*\\*" in out


def test_code_span_cannot_be_closed_early() -> None:
    span = code_span("a``b`|c")
    assert span == "```a``b`\\|c```"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("a\nb") == "`a b`"


def outside_code(markdown: str) -> str:
    """What Markdown would interpret: backslash-escaped characters and code spans removed."""
    return re.sub(r"(`+)(?:(?!\1).)*?\1", "", re.sub(r"\\.", "", markdown))


def test_a_forged_report_renders_inert() -> None:
    finding = Finding(
        rule=f"weights.{HOSTILE}",
        severity=Severity.HIGH,
        path=HOSTILE,
        line=3,
        message=HOSTILE,
        remediation=HOSTILE,
        details={"recorded_digest": HOSTILE, "actual_digest": HOSTILE},
    )
    check = CheckResult(
        check_id=HOSTILE,
        title=HOSTILE,
        pillar=Pillar.SECURITY,
        status=Status.FAIL,
        summary=HOSTILE,
        findings=(finding,),
    )
    head = Report(tool_version=HOSTILE, root="/r", status=Status.FAIL, fail_on=Severity.HIGH, checks=(check,))
    text = render_comment(build_comment_model(head, None, base_note=HOSTILE))
    rendered_outside_code = outside_code(text)
    assert "![pixel]" not in rendered_outside_code and "<img" not in rendered_outside_code
    assert "@octo-org" not in rendered_outside_code
    row = next(line for line in text.splitlines() if line.startswith("| **high**"))
    assert outside_code(row).count("|") == 6  # still 5 cells


def test_remediation_cells_keep_code_spans_but_nothing_else() -> None:
    out = escape_text("run `mlaudit hash --update` then see [docs](https://x.invalid)", keep_code=True)
    assert "`mlaudit hash --update`" in out and "\\[docs\\]\\(https:\u200b//x.invalid\\)" in out
    assert escape_text("a `b`") == "a \\`b\\`"
