"""The files of the audited repository, as POSIX paths relative to its root.

In a Git work tree, Git itself answers (tracked files plus untracked ones that
are not ignored): it honours every ``.gitignore`` and is far faster than a walk
in Python. Outside Git, a walk that skips version-control and environment
folders. GitPython is not used here: this sits on the hooks' hot path and a
plain ``git ls-files`` is all it needs. Git runs hardened (``mlaudit.git_safe``).
"""

from __future__ import annotations

import os
from pathlib import Path

from mlaudit.git_safe import run_git

# Folders a walk outside Git never enters: VCS metadata, virtual environments, caches.
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)


def list_repo_files(root: Path) -> tuple[str, ...]:
    """Every regular file (or symlink) under ``root``, sorted; ``.git/`` and ignored paths left out."""
    listed = _git_ls_files(root)
    if listed is None:
        listed = _walk(root)
    return tuple(sorted(set(listed)))


def _git_ls_files(root: Path) -> list[str] | None:
    listed = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        return None
    # --cached lists tracked files deleted from the work tree and submodule
    # folders too; keep what exists as a file or a symlink.
    out = []
    for name in listed.split("\0"):
        if not name:
            continue
        full = os.path.join(root, name)
        if os.path.islink(full) or os.path.isfile(full):
            out.append(name)
    return out


def _walk(root: Path) -> list[str]:
    out: list[str] = []
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        rel_dir = os.path.relpath(dirpath, base)
        for filename in filenames:
            rel = filename if rel_dir == "." else f"{rel_dir}/{filename}"
            out.append(rel.replace(os.sep, "/"))
        # Symlinked folders are listed as entries (os.walk does not follow them).
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                rel = d if rel_dir == "." else f"{rel_dir}/{d}"
                out.append(rel.replace(os.sep, "/"))
                dirnames.remove(d)
    return out


def clean_blob_ids(root: Path) -> dict[str, str]:
    """Git blob ids of tracked files whose work-tree content Git reports unchanged (paths relative to ``root``).

    Empty outside Git. Conflicted entries, symlinks and submodules are left out:
    their blob is not the file's content.
    """
    listed = run_git(root, "ls-files", "-s", "-z")
    modified = run_git(root, "diff-files", "--name-only", "--relative", "-z")
    if listed is None or modified is None:
        return {}
    dirty = set(modified.split("\0"))
    out: dict[str, str] = {}
    for record in listed.split("\0"):
        meta, sep, path = record.partition("\t")
        fields = meta.split()
        if not sep or len(fields) != 3 or fields[2] != "0" or fields[0] not in ("100644", "100755"):
            continue
        if path not in dirty:
            out[path] = fields[1]
    return out
