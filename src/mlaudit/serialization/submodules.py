"""Git submodules of the audited repository: audited when checked out, reported when not.

A submodule is a commit of another repository recorded at a path (mode
160000 in the index). Its files are not in ``git ls-files`` of the outer
repository, so without this a malicious checkpoint in a submodule would be
silently left out. Nothing of the submodule's Git configuration is run:
only ``git ls-files`` inside it (the same listing as for the root).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from mlaudit.git_safe import run_git
from mlaudit.repo_files import list_repo_files

MAX_NESTING = 3


class Submodule(NamedTuple):
    """A submodule path and the files it holds (empty when it is not checked out)."""

    path: str
    files: tuple[str, ...]
    checked_out: bool


def submodules(root: Path, *, nesting: int = 0) -> list[Submodule]:
    """Every submodule under ``root`` (nested ones too), with its files relative to ``root``."""
    listed = run_git(root, "ls-files", "-s", "-z")
    if listed is None or nesting >= MAX_NESTING:
        return []
    out: list[Submodule] = []
    for record in listed.split("\0"):
        meta, sep, path = record.partition("\t")
        fields = meta.split()
        if not sep or len(fields) != 3 or fields[0] != "160000":
            continue
        folder = root / path
        real = folder.resolve()
        checked_out = (not os.path.islink(folder) and real.is_relative_to(root.resolve())
                       and (folder / ".git").exists())
        files: tuple[str, ...] = ()
        if checked_out:
            files = tuple(f"{path}/{rel}" for rel in list_repo_files(folder))
            out.extend(Submodule(f"{path}/{sub.path}", tuple(f"{path}/{f}" for f in sub.files), sub.checked_out)
                       for sub in submodules(folder, nesting=nesting + 1))
        out.append(Submodule(path, files, checked_out))
    return out
