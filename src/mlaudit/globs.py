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
                char_class = _char_class(pattern[i + 1 : end])
                if char_class is None:  # "[]", "[z-a]": not a class, a literal bracket (never a re.error)
                    out.append(re.escape(c))
                    i += 1
                else:
                    out.append(char_class)
                    i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _char_class(body: str) -> str | None:
    """``[body]`` as a regex class (``!`` negates; ranges kept, other specials escaped), or None if it is none."""
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    if not body:
        return None
    escaped = "".join("\\" + ch if ch in "\\^[]&~|" else ch for ch in body)
    char_class = f"[{'^' if negate else ''}{escaped}]"
    try:
        re.compile(char_class)
    except re.error:  # a reversed range such as "z-a"
        return None
    return char_class


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
