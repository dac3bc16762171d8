"""CODEOWNERS as the ``access`` check needs it: the shared parser plus the lines GitHub would skip.

Parsing and matching are ``mlaudit.formats.codeowners`` (shared with the
``provenance`` check). This adds what an access review asks on top: lines that
GitHub does not understand (an owner that is not ``@user``, ``@org/team`` or an
e-mail; ``!`` negation or ``[ ]`` ranges, which CODEOWNERS does not support)
and whether the rule deciding a path is a catch-all (``*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlaudit.formats.codeowners import (
    CODEOWNERS_LOCATIONS,
    MAX_CODEOWNERS_BYTES,
    CodeOwners,
    OwnerRule,
    locate_codeowners,
    parse_codeowners,
    read_codeowners_bytes,
)

LOCATIONS = CODEOWNERS_LOCATIONS
CATCH_ALL = frozenset({"*", "/*", "**", "/**", "**/*", "/**/*"})
_OWNER = re.compile(r"^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$")


@dataclass(frozen=True)
class CodeOwnersProblem:
    """A line GitHub would not understand (0 for the file as a whole)."""

    line: int
    message: str


@dataclass(frozen=True)
class CheckedCodeOwners:
    """A parsed CODEOWNERS file and its problems."""

    parsed: CodeOwners
    problems: tuple[CodeOwnersProblem, ...]

    @property
    def path(self) -> str:
        """The file's POSIX relative path."""
        return self.parsed.path

    def owner_rule(self, rel_path: str) -> OwnerRule | None:
        """The rule that decides who owns ``rel_path`` (the last that matches), or None."""
        return next((rule for rule in reversed(self.parsed.rules) if rule.matches(rel_path)), None)


def is_catch_all(rule: OwnerRule) -> bool:
    """True for a rule that matches every file (``*``)."""
    return rule.pattern in CATCH_ALL


def find_codeowners(root: Path) -> str | None:
    """The CODEOWNERS file GitHub uses (POSIX relative path), or None; a link out of the root is still found."""
    located = locate_codeowners(root)
    return located[0] if located else None


def read_codeowners(root: Path, rel_path: str) -> CheckedCodeOwners:
    """Read, parse and lint ``rel_path`` inside ``root`` (never raises; problems, a refusal included, are listed)."""
    raw = read_codeowners_bytes(root, rel_path)
    if isinstance(raw, str):
        return CheckedCodeOwners(CodeOwners(rel_path, (), refused=raw), (CodeOwnersProblem(0, raw),))
    if len(raw) > MAX_CODEOWNERS_BYTES:
        problem = CodeOwnersProblem(0, "larger than 3 MB: GitHub ignores it")
        return CheckedCodeOwners(CodeOwners(rel_path, ()), (problem,))
    text = raw.decode("utf-8", "replace")
    return CheckedCodeOwners(parse_codeowners(text, rel_path), tuple(lint_codeowners(text)))


def lint_codeowners(text: str) -> list[CodeOwnersProblem]:
    """The lines of CODEOWNERS text that GitHub would skip or misread."""
    problems = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(" #", 1)[0].split()
        pattern, owners = fields[0], fields[1:]
        if pattern.startswith("!") or "[" in pattern:
            problems.append(CodeOwnersProblem(number, f"pattern '{pattern}' uses syntax CODEOWNERS does not support"))
            continue
        bad = [owner for owner in owners if not _OWNER.match(owner)]
        if bad:
            problems.append(CodeOwnersProblem(number, f"'{bad[0]}' is not an owner (@user, @org/team or e-mail)"))
    return problems
