"""One loader for JSON and TOML that come from the audited repository or a cache: bounded nesting.

``json.loads`` and ``tomllib.loads`` recurse once per nesting level, so a file of
100,000 ``[`` ends in a ``RecursionError`` deep inside the parser (a traceback,
exit 3). Every read of repository content, caches, log lines and GitHub events
goes through here: the parser's own recursion guard is turned into an error,
the parsed value is measured without recursion, and anything deeper than
``MAX_DEPTH`` is a ``BoundedParseError`` that says so. Duplicate
object keys can be refused too (the audit log hashes what it parsed, so a
second ``"status"`` must not be allowed to hide behind the first).
"""

from __future__ import annotations

import json
import sys
from typing import Any

MAX_DEPTH = 64
"""Deeper than any manifest, report, cache or event mlaudit reads; far below Python's recursion limit."""



class BoundedParseError(ValueError):
    """Input that is not valid, or nested deeper than the limit; the message says which."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BoundedParseError(f"duplicate key {key!r}")
        out[key] = value
    return out


def loads_json(text: str | bytes, *, max_depth: int | None = MAX_DEPTH, reject_duplicates: bool = False) -> Any:
    """``json.loads`` with a nesting limit (and optionally no duplicate keys); raises ``BoundedParseError``.

    CPython's JSON scanner counts its recursion, so input nested past the interpreter's
    limit ends in ``RecursionError`` before any harm; anything shallower is parsed, then
    measured without recursion (cheaper than measuring the text first: a manifest of
    100,000 entries holds 800,000 strings). ``max_depth=None`` keeps only the scanner's
    guard, for a caller that validates every value's type itself (the weight manifest).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BoundedParseError(f"not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates if reject_duplicates else None)
    except json.JSONDecodeError as exc:
        raise BoundedParseError(f"not valid JSON (line {exc.lineno}: {exc.msg})", exc.lineno) from None
    except RecursionError:
        raise BoundedParseError(f"nested too deeply (over the limit of {max_depth or 'the parser'} levels)") from None
    except ValueError as exc:  # an integer of over 4,300 digits: Python refuses to convert it
        raise BoundedParseError(f"not valid JSON ({exc})") from None
    if max_depth is not None and value_depth(data, max_depth) > max_depth:
        raise BoundedParseError(f"nested too deeply (over the limit of {max_depth} levels)")
    return data


def loads_toml(text: str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """``tomllib.loads`` with a nesting limit; raises ``BoundedParseError`` (never ``RecursionError``).

    TOML strings have four quoting styles, so the bracket count here is an upper
    bound only for arrays and inline tables outside strings; a file over the
    limit is re-checked by the parser itself under a guard.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BoundedParseError(f"invalid TOML: {exc}") from None
    except RecursionError:
        raise BoundedParseError("invalid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer of over 4,300 digits: Python refuses to convert it
        raise BoundedParseError(f"invalid TOML: {exc}") from None
    if value_depth(data, max_depth) > max_depth:
        raise BoundedParseError(f"invalid TOML: nested deeper than the limit of {max_depth}")
    return data


def value_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How many containers deep parsed data nests (``5`` is 0, ``[]`` is 1), without recursion.

    Stops counting just past ``limit``.
    """
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 1
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
