"""Decide, without scancode, the files that need no licence index.

Loading scancode's licence index costs ~6 s, whatever the number of files. Most
changed files in a model repository are code with no licence wording at all, or
carry only an ``SPDX-License-Identifier:`` line, whose expression is exact. For
those the answer is known without the index; every other file (any licence
wording, a notice, a full text, a malformed SPDX line) still goes to scancode.
The clue list is deliberately broad: a false clue only costs a scancode run.
"""

from __future__ import annotations

import re

from mlaudit.licenses.scan_cache import CachedScan

_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*(?P<expr>.+?)\s*(?:\*/|-->|#\}|\"\"\"|$)", re.I | re.M)
_CLUES = re.compile(
    r"licen[cs]|copyright|copyleft|\(c\)|©|warrant|\bgnu\b|gpl|\bmit\b|\bbsd\b|apache|mozilla|\bmpl\b"
    r"|creative\s*commons|\bcc[-\s]?by|\bcc0|unlicen|public\s+domain|permission\s+is\s+hereby|redistribut"
    r"|all\s+rights\s+reserved|patent|\beupl|\bcddl|\bepl\b|artistic|\bisc\b|zlib|wtfpl|openrail|\brail\b"
    r"|llama|gemma|trademark|proprietary|spdx",
    re.I,
)


def has_clue(text: str) -> bool:
    """True when ``text`` has any licence wording (an SPDX line counts)."""
    return _CLUES.search(text) is not None


def quick_scan(text: str) -> CachedScan | None:
    """The file's licence when it is decidable without scancode, else None (scancode must look)."""
    expressions: list[str] = []
    first_line: int | None = None
    for match in _SPDX_LINE.finditer(text):
        expressions.append(match.group("expr").strip())
        if first_line is None:
            first_line = text.count("\n", 0, match.start()) + 1
    remaining = _SPDX_LINE.sub("", text)
    if _CLUES.search(remaining):
        return None
    if not expressions:
        return CachedScan(None, None, 0.0)
    rendered = _render(expressions)
    if rendered is None:
        return None
    words = max(len(text.split()), 1)
    percent = round(100.0 * sum(len(e.split()) + 1 for e in expressions) / words, 2)
    return CachedScan(rendered, first_line, min(percent, 100.0))


def _render(expressions: list[str]) -> str | None:
    from license_expression import ExpressionError, get_spdx_licensing

    licensing = get_spdx_licensing()
    parsed = []
    for expression in dict.fromkeys(expressions):
        try:
            parsed.append(licensing.parse(expression, validate=True, strict=True))
        except ExpressionError:
            return None  # not a valid SPDX expression: let scancode judge it
    if any(p is None for p in parsed):
        return None
    return str(parsed[0]) if len(parsed) == 1 else str(licensing.AND(*parsed))
