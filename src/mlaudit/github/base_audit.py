"""Audit the base of a pull request in a separate Git worktree, so the head checkout is untouched."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mlaudit.errors import UsageError
from mlaudit.model import Report


def audit_in_worktree(root: Path, commit: str, audit: Callable[[Path], Report]) -> Report:
    """Check ``commit`` out into a temporary worktree and run ``audit`` on the same sub-path of it.

    The worktree is detached and removed afterwards, whatever happens; the
    repository's own checkout, index and branches are never touched.
    """
    from mlaudit.github.git_history import gitpython, open_checkout

    git = gitpython()
    repo = open_checkout(root)
    top = Path(repo.working_tree_dir or root).resolve()
    sub = root.resolve().relative_to(top)
    scratch = Path(tempfile.mkdtemp(prefix="mlaudit-base-"))
    tree = scratch / "base"
    try:
        try:
            repo.git.worktree("add", "--detach", "--force", str(tree), commit)
        except git.GitCommandError as exc:
            raise UsageError(f"cannot check out the base commit {commit}: {exc.stderr.strip() or exc}") from None
        return audit(tree / sub)
    finally:
        try:
            repo.git.worktree("remove", "--force", str(tree))
        except git.GitCommandError:
            pass
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            repo.git.worktree("prune")
        except git.GitCommandError:
            pass
