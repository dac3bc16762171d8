"""``CODEOWNERS``: find it, parse it, and tell who owns a path (the last matching rule wins).

Syntax (GitHub docs, "About code owners"): one rule per line, a gitignore-style
pattern then owners (``@user``, ``@org/team`` or an e-mail); ``#`` starts a
comment; a pattern with no owners makes the path unowned. GitHub reads the first
of ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS``; a line it cannot
parse is skipped there, so it is reported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlaudit.globs import compile_globs

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores CODEOWNERS files larger than 3 MB
CATCH_ALL = frozenset({"*", "/*", "**", "/**", "**/*", "/**/*"})
_OWNER = re.compile(r"^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$")


@dataclass(frozen=True)
class OwnerRule:
    """One rule: its pattern, owners and line."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    matches: Callable[[str], bool]

    @property
    def catch_all(self) -> bool:
        """True for a rule that matches every file (``*``)."""
        return self.pattern in CATCH_ALL


@dataclass(frozen=True)
class CodeOwnersProblem:
    """A line GitHub would not understand."""

    line: int
    message: str


@dataclass(frozen=True)
class CodeOwners:
    """A parsed CODEOWNERS file."""

    path: str
    rules: tuple[OwnerRule, ...]
    problems: tuple[CodeOwnersProblem, ...]

    def owner_rule(self, rel_path: str) -> OwnerRule | None:
        """The rule that decides who owns ``rel_path`` (the last that matches), or None."""
        for rule in reversed(self.rules):
            if rule.matches(rel_path):
                return rule
        return None


def find_codeowners(root: Path) -> str | None:
    """The CODEOWNERS file GitHub uses (POSIX relative path), or None."""
    return next((loc for loc in LOCATIONS if (root / loc).is_file()), None)


def read_codeowners(root: Path, rel_path: str) -> CodeOwners:
    """Read and parse ``rel_path`` (never raises; problems are listed)."""
    try:
        with (root / rel_path).open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return CodeOwners(rel_path, (), (CodeOwnersProblem(0, f"cannot read: {exc.strerror or exc}"),))
    if len(raw) > MAX_BYTES:
        return CodeOwners(rel_path, (), (CodeOwnersProblem(0, "larger than 3 MB: GitHub ignores it"),))
    text = raw.decode("utf-8", "replace")
    return parse_codeowners(text, rel_path)


def parse_codeowners(text: str, rel_path: str = "CODEOWNERS") -> CodeOwners:
    """Parse CODEOWNERS text."""
    rules: list[OwnerRule] = []
    problems: list[CodeOwnersProblem] = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw_line).strip()
        if not line:
            continue
        if line.startswith("[") and "]" in line:
            continue  # GitLab-style section header: GitHub ignores it
        parts = line.split()
        pattern, owners = parts[0].replace("\\#", "#"), tuple(parts[1:])
        if pattern.startswith("!") or "[" in pattern:
            problems.append(CodeOwnersProblem(number, f"pattern '{pattern}' uses syntax GitHub does not support"))
            continue
        bad = [o for o in owners if not _OWNER.match(o)]
        if bad:
            problems.append(CodeOwnersProblem(number, f"'{bad[0]}' is not an owner (@user, @org/team or e-mail)"))
            continue
        rules.append(OwnerRule(pattern, owners, number, compile_globs([pattern])))
    return CodeOwners(rel_path, tuple(rules), tuple(problems))


def _strip_comment(line: str) -> str:
    # '#' starts a comment unless escaped as '\#'.
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == "#":
            out.append("\\#")
            i += 2
            continue
        if line[i] == "#":
            break
        out.append(line[i])
        i += 1
    return "".join(out)
