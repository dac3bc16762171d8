"""Git facts for the comment: the merge base, and who changed a weight file (GitPython, lazily)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from mlaudit.errors import UsageError
from mlaudit.github.comment_model import WeightCommit


def gitpython() -> ModuleType:
    """The ``git`` module of GitPython (in the ``full`` extra), or a usage error saying how to get it."""
    try:
        import git
    except ImportError:
        raise UsageError("comparing with the base branch needs GitPython: pip install 'mlaudit[full]'") from None
    return git


def open_checkout(root: Path):  # type: ignore[no-untyped-def]
    """The repository holding ``root`` (``git_safe.open_repo``: hardened); a usage error outside Git."""
    from mlaudit.git_safe import open_repo

    git = gitpython()
    try:
        return open_repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{root}: not inside a Git repository") from None


def merge_base(root: Path, base: str, head: str) -> str:
    """The merge base of ``base`` and ``head`` (a clear error when history is missing)."""
    git = gitpython()

    repo = open_checkout(root)
    try:
        found = repo.merge_base(base, head)
    except git.GitCommandError as exc:
        raise UsageError(
            f"cannot find the merge base of {base} and {head}: {exc.stderr.strip() or exc} "
            "(check out with `fetch-depth: 0`, or pass a cached base report)"
        ) from None
    if not found:
        raise UsageError(f"{base} and {head} have no common history")
    return str(found[0].hexsha)


def commits_touching(
    root: Path, since: str, until: str, paths: Iterable[str], *, limit: int = 10
) -> dict[str, tuple[WeightCommit, ...]]:
    """For each path, the commits in ``since..until`` that changed it (newest first, at most ``limit``).

    Only the author's name is kept (no e-mail address in a public comment).
    """
    git = gitpython()

    repo = open_checkout(root)
    prefix = _repo_prefix(repo, root)
    result: dict[str, tuple[WeightCommit, ...]] = {}
    for path in paths:
        try:
            commits = repo.iter_commits(f"{since}..{until}", paths=prefix + path, max_count=limit)
            result[path] = tuple(
                WeightCommit(
                    sha=c.hexsha,
                    author=str(c.author.name or ""),
                    date=c.authored_datetime.isoformat(),
                    subject=str(c.summary),
                )
                for c in commits
            )
        except git.GitCommandError:
            result[path] = ()
    return result


def _repo_prefix(repo, root: Path) -> str:  # type: ignore[no-untyped-def]
    """The audited root relative to the repository's top (``''`` or ``sub/dir/``)."""
    top = Path(repo.working_tree_dir).resolve()
    rel = root.resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"
