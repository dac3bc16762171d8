"""Glob patterns over POSIX relative paths, with ``**`` and gitignore-like basenames.

A pattern without ``/`` matches a file name anywhere (``*.bin``); one with ``/``
matches from the root (``models/**/*.bin``). ``**`` spans directories, ``*`` and
``?`` never cross ``/``; a pattern ending in ``/`` or naming a directory matches
everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\").replace("[", "\\[")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(_bracket(body, pattern[i : end + 1]))
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _bracket(body: str, literal: str) -> str:
    """A character class, or the brackets as plain text when they make no valid class (``[]``, ``[!]``)."""
    try:
        re.compile(f"[{body}]")
    except re.error:
        return re.escape(literal)
    return f"[{body}]"


def compile_globs(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A predicate telling whether a POSIX relative path matches any pattern."""
    parts = []
    for raw in patterns:
        stripped = raw.strip()
        pattern = stripped.lstrip("/")
        if not pattern:
            continue
        anchored = stripped.startswith("/") or "/" in pattern.rstrip("/")
        body = _translate(pattern.rstrip("/"))
        prefix = "" if anchored else "(?:.*/)?"
        parts.append(f"{prefix}{body}(?:/.*)?")
    if not parts:
        return lambda _path: False
    regex = re.compile("^(?:" + "|".join(parts) + ")$", re.DOTALL)
    return lambda path: regex.match(path) is not None
