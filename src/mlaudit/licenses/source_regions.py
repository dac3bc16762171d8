"""The licence-relevant regions of a source file: its comment and docstring blocks with licence wording.

scancode matches a whole file, but in source code the licence lives in comments
(a header, an SPDX line, a notice block) and docstrings. The blocks with licence
clues are cut out verbatim and joined, keeping the blank gaps between them, so
hundreds of files that share a header give the same text (matched once, cached
by its digest); a line map puts scancode's line numbers back in the file.

The answer must equal scancode's on the whole file, so anything uncertain
returns ``None`` (scan the whole file): a clue outside a comment or docstring
(a licence in a string constant, a shell line after a command), a file that does
not tokenize, a language without a known comment syntax, unusual line breaks. Leaving a line out is only
safe when it has no licence wording, and that is what is checked.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass

from mlaudit.licenses.license_clues import has_clue

_HASH = frozenset(
    ".py .pyi .pyx .sh .bash .zsh .rb .pl .pm .r .cmake .tf .toml .yaml .yml .cfg .jl .ps1 .nim .ex .exs".split()
)
_SLASH = frozenset(
    ".c .h .cc .cpp .cxx .hpp .hh .hxx .cu .cuh .java .js .jsx .mjs .cjs .ts .tsx .go .rs .swift .kt .kts .scala .cs"
    " .css .scss .less .proto .dart .groovy .gradle .m .mm".split()
)
_PYTHON = frozenset({".py", ".pyi"})
_EXOTIC_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_PREAMBLE = re.compile(r"^(#!|#.*coding[:=])")
_MAX_GAP = 10
"""Blank lines kept between two blocks at most (the gap's code is never part of the text)."""


@dataclass(frozen=True)
class Regions:
    """The joined licence-relevant text and, per line of it, the file's line number (1-based)."""

    text: str
    lines: tuple[int | None, ...]

    def file_line(self, line: int | None) -> int | None:
        """The file's line number of line ``line`` (1-based) of ``text``."""
        if line is None or not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1]


def has_comment_syntax(rel: str) -> bool:
    """True when this module knows where comments are in files like ``rel``."""
    return os.path.splitext(rel)[1].lower() in _HASH | _SLASH


def licence_regions(rel: str, text: str) -> Regions | None:
    """The licence-relevant regions of ``text`` (the file ``rel``), or None when only the whole file will do."""
    suffix = os.path.splitext(rel)[1].lower()
    if suffix in _PYTHON:
        comments = _python_comments(text)
    elif suffix in _HASH:
        comments = _hash_comments(text)
    elif suffix in _SLASH:
        comments = _slash_comments(text, template_strings=suffix in {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx"})
    else:
        return None
    if _EXOTIC_BREAKS.search(text.replace("\r\n", "\n")):
        return None  # Python, tokenize and scancode would not agree on line numbers
    if comments is None:
        return None
    lines = text.splitlines()
    for index in range(min(2, len(lines))):
        if _PREAMBLE.match(lines[index]):
            comments[index] = False  # a shebang or coding line is no part of a header: keep the text shared
    blocks = _clue_blocks(lines, comments)
    kept = {index for start, end in blocks for index in range(start, end)}
    # Whatever the lexer thought, no line left out may carry licence wording (even across lines).
    if has_clue("\n".join(line for index, line in enumerate(lines) if index not in kept)):
        return None
    return _join(lines, blocks)


def _clue_blocks(lines: list[str], comment: list[bool]) -> list[tuple[int, int]]:
    """Runs of comment lines that hold a clue, as [start, end) indexes."""
    blocks: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if index >= len(comment) or not comment[index]:
            index += 1
            continue
        end = index
        while end < len(lines) and end < len(comment) and comment[end]:
            end += 1
        if has_clue("\n".join(lines[index:end])):
            blocks.append((index, end))
        index = end
    return blocks


def _join(lines: list[str], blocks: list[tuple[int, int]]) -> Regions | None:
    if not blocks:
        return None
    out: list[str] = []
    numbers: list[int | None] = []
    previous_end: int | None = None
    for start, end in blocks:
        if previous_end is not None:
            gap = min(start - previous_end, _MAX_GAP)
            out.extend([""] * gap)
            numbers.extend([None] * gap)
        out.extend(lines[start:end])
        numbers.extend(range(start + 1, end + 1))
        previous_end = end
    return Regions("\n".join(out) + "\n", tuple(numbers))


def _hash_comments(text: str) -> list[bool] | None:
    """Lines that are ``#`` comments; None when a clue is on any other line."""
    marks: list[bool] = []
    for line in text.splitlines():
        is_comment = line.lstrip().startswith("#")
        if not is_comment and has_clue(line):
            return None
        marks.append(is_comment)
    return marks


def _python_comments(text: str) -> list[bool] | None:
    """Lines of ``#`` comments and docstrings (a string that is a statement); None when a clue is in code."""
    lines = text.splitlines()
    marks = [False] * len(lines)
    code = [""] * len(lines)
    statement_start = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, value, (row, _), (end_row, _), _ = token
            if kind in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                statement_start = True
                continue
            if kind in (tokenize.NL, tokenize.ENDMARKER):
                continue
            if kind == tokenize.COMMENT or (kind == tokenize.STRING and statement_start):
                for line in range(row, min(end_row, len(lines)) + 1):
                    marks[line - 1] = True
                statement_start = statement_start and kind == tokenize.COMMENT
            else:
                if row - 1 < len(code):
                    code[row - 1] += " " + value
                statement_start = False
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    if any(has_clue(part) for part in code if part):
        return None
    return marks


_SLASH_TOKENS = re.compile(r"//|/\*|\"|'|`")


def _slash_comments(text: str, *, template_strings: bool) -> list[bool] | None:
    """Lines holding ``//`` or ``/* */`` comments; None when a clue is outside them."""
    marks = [False] * (text.count("\n") + 1)
    code: list[str] = []
    position = 0
    while True:
        found = _SLASH_TOKENS.search(text, position)
        if found is None:
            code.append(text[position:])
            break
        code.append(text[position : found.start()])
        token = found.group()
        if token == "//" or token == "/*":
            end = text.find("\n", found.end()) if token == "//" else text.find("*/", found.end())
            end = len(text) if end == -1 else end + (0 if token == "//" else 2)
            first, last = text.count("\n", 0, found.start()), text.count("\n", 0, end)
            for line in range(first, last + 1):
                marks[line] = True
            position = end
            continue
        if token == "`" and not template_strings:
            position = found.end()
            continue
        end = _string_end(text, found.end(), token)
        code.append(text[found.start() : end])
        position = end
    if any(has_clue(part) for part in code):
        return None
    return marks[: len(text.splitlines())]


def _string_end(text: str, start: int, quote: str) -> int:
    """The index after the closing ``quote``; single and double quotes never cross a line."""
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if char == "\n" and quote != "`":
            return start  # not a string after all (a Rust lifetime, an apostrophe): go on from here
        index += 1
    return len(text)
