"""Licence texts and free-form names matched by scancode-toolkit's licence index (full audit only).

Package metadata often carries a whole licence text or a name no alias table
knows ("Dual licensed under MIT and Apache 2"). The full audit has the
scancode index loaded for its file scan anyway; matching a string then costs
milliseconds. Answers are kept in the scan cache by the text's digest, so a warm
run does not load the index for a dependency it has seen.
"""

from __future__ import annotations

from collections.abc import Callable

from mlaudit.licenses.normalize import drop_license_references
from mlaudit.licenses.scan_cache import CachedScan, ScanCache, text_key

MIN_SCORE = 80.0
"""Matches scoring lower are partial or accidental and are ignored."""
MAX_TEXT_CHARS = 200_000


def match_license_text(text: str) -> str | None:
    """An SPDX expression for the licences scancode finds in ``text``, or None."""
    from licensedcode.cache import build_spdx_license_expression, get_index

    from mlaudit.licenses.scancode_jobs import load_index

    load_index()
    matches = get_index().match(query_string=text[:MAX_TEXT_CHARS])
    found: list[str] = []
    for match in matches:
        if match.score() < MIN_SCORE:
            continue
        spdx = str(build_spdx_license_expression(match.rule.license_expression))
        if spdx not in found:
            found.append(spdx)
    if not found:
        return None
    combined = " AND ".join(f"({e})" if " " in e else e for e in found)
    return drop_license_references(combined)


def cached_text_matcher(cache: ScanCache) -> Callable[[str], str | None]:
    """``match_license_text`` remembering its answers in ``cache`` (saved by the caller)."""

    def match(text: str) -> str | None:
        key = text_key("metadata", text[:MAX_TEXT_CHARS])
        known = cache.get(key)
        if known is not None:
            return known.expression
        expression = match_license_text(text)
        cache.put(key, CachedScan(expression, None, 0.0))
        return expression

    return match
