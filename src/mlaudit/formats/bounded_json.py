"""One loader for JSON and TOML that come from the audited repository or a cache: bounded nesting.

``json.loads`` and ``tomllib.loads`` recurse once per nesting level, so a file of
100,000 ``[`` ends in a ``RecursionError`` deep inside the parser (a traceback,
exit 3). Every read of repository content, caches, log lines and GitHub events
goes through here: nesting is measured first in one linear pass (strings
removed by a C-speed regex, brackets counted with ``accumulate``), and anything
deeper than ``MAX_DEPTH`` is a ``BoundedParseError`` that says so. Duplicate
object keys can be refused too (the audit log hashes what it parsed, so a
second ``"status"`` must not be allowed to hide behind the first).
"""

from __future__ import annotations

import json
import re
import tomllib
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64
"""Deeper than any manifest, report, cache or event mlaudit reads; far below Python's recursion limit."""

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BoundedParseError(ValueError):
    """Input that is not valid, or nested deeper than the limit; the message says which."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of JSON-like ``text``, brackets inside strings not counted."""
    bare = _JSON_STRING.sub("", text)
    steps = (_STEP[b] for b in _BRACKETS.findall(bare))
    return max(accumulate(steps, initial=0))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BoundedParseError(f"duplicate key {key!r}")
        out[key] = value
    return out


def loads_json(text: str | bytes, *, max_depth: int = MAX_DEPTH, reject_duplicates: bool = False) -> Any:
    """``json.loads`` with a nesting limit (and optionally no duplicate keys); raises ``BoundedParseError``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BoundedParseError(f"not UTF-8 (byte {exc.start})") from None
    depth = nesting_depth(text)
    if depth > max_depth:
        raise BoundedParseError(f"nested {depth} levels deep, over the limit of {max_depth}")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates if reject_duplicates else None)
    except json.JSONDecodeError as exc:
        raise BoundedParseError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                                exc.lineno) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise BoundedParseError("nested too deeply") from None


def loads_toml(text: str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """``tomllib.loads`` with a nesting limit; raises ``BoundedParseError`` (never ``RecursionError``).

    TOML strings have four quoting styles, so the bracket count here is an upper
    bound only for arrays and inline tables outside strings; a file over the
    limit is re-checked by the parser itself under a guard.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BoundedParseError(f"invalid TOML: {exc}") from None
    except RecursionError:
        raise BoundedParseError("invalid TOML: nested too deeply") from None
    if _value_depth(data, max_depth) > max_depth:
        raise BoundedParseError(f"invalid TOML: nested deeper than the limit of {max_depth}")
    return data


def _value_depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed data, iteratively (stops counting past ``limit``)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest
