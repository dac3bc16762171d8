"""GitHub ``CODEOWNERS``: which owners a path has (the last matching pattern wins).

Spec: https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
Patterns follow gitignore rules, which ``mlaudit.globs`` implements (unanchored
patterns match at any depth, a directory pattern covers everything under it).
A pattern followed by no owner explicitly leaves its paths unowned.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlaudit.globs import compile_globs
from mlaudit.repo_paths import OutsideRepository, RepoPath, contained_file

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks, in its order (the first found is used)."""
MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024
"""GitHub ignores a CODEOWNERS file larger than 3 MB."""


@dataclass(frozen=True)
class OwnerRule:
    """One line of the file: a pattern and its owners (maybe none)."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    matches: Callable[[str], bool]


@dataclass(frozen=True)
class CodeOwners:
    """A parsed CODEOWNERS file."""

    path: str
    rules: tuple[OwnerRule, ...]
    refused: str = ""
    """Why the file was never read (a symlink out of the root, not a regular file); empty when it was read."""

    def owners_of(self, rel_path: str) -> tuple[str, ...]:
        """The owners of a POSIX relative path (empty when none, or explicitly unowned)."""
        for rule in reversed(self.rules):
            if rule.matches(rel_path):
                return rule.owners
        return ()


def parse_codeowners(text: str, path: str = "CODEOWNERS") -> CodeOwners:
    """Parse CODEOWNERS text; comments and blank lines are skipped, ``\\#`` escapes a leading hash."""
    rules: list[OwnerRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].strip()
        fields = line.split()
        pattern = fields[0].replace("\\#", "#")
        owners = tuple(f for f in fields[1:] if f.startswith("@") or "@" in f)
        rules.append(OwnerRule(pattern=pattern, owners=owners, line=number, matches=compile_globs([pattern])))
    return CodeOwners(path=path, rules=tuple(rules))


def locate_codeowners(root: Path) -> tuple[str, RepoPath | OutsideRepository] | None:
    """The CODEOWNERS GitHub would use (its location, and the file resolved inside ``root`` or why it is refused).

    The first location that exists counts, a symlink included: a link out of the
    root is refused there, never skipped for the next location nor followed.
    """
    for location in CODEOWNERS_LOCATIONS:
        if os.path.lexists(root / location):
            return location, contained_file(root, location)
    return None


def read_codeowners_bytes(root: Path, location: str) -> bytes | str:
    """Up to ``MAX_CODEOWNERS_BYTES + 1`` bytes of the CODEOWNERS file at ``location``, or why it was not read."""
    found = contained_file(root, location)
    if isinstance(found, OutsideRepository):
        return f"{found.reason}: never read"
    try:
        with open(found.real, "rb") as handle:
            return handle.read(MAX_CODEOWNERS_BYTES + 1)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"


def find_codeowners(root: Path) -> CodeOwners | None:
    """The repository's CODEOWNERS (GitHub's lookup order), or None; a refused file has no rules and says why."""
    located = locate_codeowners(root)
    if located is None:
        return None
    location = located[0]
    data = read_codeowners_bytes(root, location)
    if isinstance(data, str):
        return CodeOwners(path=location, rules=(), refused=data)
    if len(data) > MAX_CODEOWNERS_BYTES:
        return CodeOwners(path=location, rules=())
    return parse_codeowners(data.decode("utf-8", errors="replace"), location)
