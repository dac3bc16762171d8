"""The Git history of a set of files: commits, authors, committers, dates, signatures, shallowness.

One ``git log --name-only`` over all the paths finds which commits touched
which file; ``%G?`` gives git's verdict on each signature. A commit that carries
a signature git could not check (no ``gpg.ssh.allowedSignersFile``, unknown
key) shows ``N`` there like an unsigned one, so the commit object itself is
read (GitPython) to tell "signed, not verifiable here" (``E``) from "unsigned".
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlaudit.errors import CheckError, CheckSkipped
from mlaudit.git_safe import git_in, open_repo

PATHS_PER_CALL = 400
SIGNATURE_STATUS = {
    "G": "good",
    "B": "bad",
    "U": "good, unknown validity",
    "X": "good, expired signature",
    "Y": "good, expired key",
    "R": "good, revoked key",
    "E": "cannot be checked (missing key or allowed signers)",
    "N": "unsigned",
}


@dataclass(frozen=True)
class CommitInfo:
    """One commit as provenance reports it."""

    sha: str
    author: str
    committer: str
    date: str
    """Committer date, ISO 8601 with offset."""
    signature_status: str
    """git's ``%G?`` letter (``N`` unsigned, ``G`` good, ``B`` bad, ``E`` cannot check, ...)."""
    signer: str = ""
    summary: str = ""

    @property
    def signed(self) -> bool:
        """True when the commit carries a signature, whatever its verdict."""
        return self.signature_status != "N"

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form for evidence."""
        return {
            "sha": self.sha, "author": self.author, "committer": self.committer, "date": self.date,
            "signed": self.signed, "signature_status": self.signature_status,
            "signature": SIGNATURE_STATUS.get(self.signature_status, "unknown"), "signer": self.signer,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class History:
    """The commits that touched each path (newest first), and how complete the history is."""

    head: str
    shallow: bool
    commits: dict[str, CommitInfo]
    by_path: dict[str, tuple[str, ...]]
    pr_base: str | None = None
    pr_commits: frozenset[str] = field(default_factory=frozenset)

    def of(self, path: str) -> tuple[CommitInfo, ...]:
        """Commits that touched ``path``, newest first."""
        return tuple(self.commits[sha] for sha in self.by_path.get(path, ()))


def open_repository(root: Path) -> Any:
    """The GitPython repository containing ``root``; ``CheckSkipped`` outside Git."""
    try:
        import git
    except ImportError:
        raise CheckError("provenance needs GitPython: pip install 'mlaudit[full]'") from None
    try:
        return open_repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise CheckSkipped(f"{root} is not in a Git repository: no history to read") from None


def read_history(root: Path, paths: Sequence[str], *, base_ref: str | None = None) -> History:
    """The history of ``paths`` (POSIX, relative to ``root``) in the repository holding ``root``."""
    import git

    repo = open_repository(root)
    try:
        head = repo.head.commit.hexsha
    except ValueError:
        raise CheckSkipped("the repository has no commits yet") from None
    shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
    by_path: dict[str, list[str]] = {p: [] for p in paths}
    statuses: dict[str, tuple[str, str]] = {}
    runner = git_in(repo, root)  # --relative is relative to the audited root, not the repository's top
    try:
        for start in range(0, len(paths), PATHS_PER_CALL):
            batch = list(paths[start:start + PATHS_PER_CALL])
            out = runner.log("--format=%x1e%H%x1f%G?%x1f%GS", "--name-only", "--no-renames",
                             "--relative", "HEAD", "--", *batch)
            _parse_log(out, by_path, statuses)
    except git.GitCommandError as exc:
        raise CheckError(f"git log failed: {exc.stderr.strip() or exc}") from None
    commits = {sha: _commit_info(repo, sha, *statuses[sha]) for sha in statuses}
    pr_base, pr_commits = _pull_request_commits(repo, base_ref)
    return History(head=head, shallow=shallow, commits=commits,
                   by_path={p: tuple(shas) for p, shas in by_path.items()}, pr_base=pr_base,
                   pr_commits=pr_commits)


def _parse_log(out: str, by_path: dict[str, list[str]], statuses: dict[str, tuple[str, str]]) -> None:
    for block in out.split("\x1e"):
        if not block.strip():
            continue
        header, _, names = block.partition("\n")
        sha, status, signer = ([*header.split("\x1f"), "", ""])[:3]
        statuses[sha] = (status or "N", signer)
        for name in names.splitlines():
            name = name.strip()
            if name in by_path and sha not in by_path[name]:
                by_path[name].append(sha)


def _commit_info(repo: Any, sha: str, status: str, signer: str) -> CommitInfo:
    commit = repo.commit(sha)
    if status == "N" and getattr(commit, "gpgsig", None):
        status = "E"  # signed, but git had no way to check it here
    date = dt.datetime.fromtimestamp(commit.committed_date,
                                     dt.timezone(dt.timedelta(seconds=-commit.committer_tz_offset)))
    return CommitInfo(
        sha=sha,
        author=f"{commit.author.name} <{commit.author.email}>",
        committer=f"{commit.committer.name} <{commit.committer.email}>",
        date=date.isoformat(),
        signature_status=status,
        signer=signer,
        summary=str(commit.summary)[:200],
    )


def _pull_request_commits(repo: Any, base_ref: str | None) -> tuple[str | None, frozenset[str]]:
    """Commits of HEAD not on the base branch (``base_ref``, else ``$GITHUB_BASE_REF``)."""
    import git

    base = base_ref or os.environ.get("GITHUB_BASE_REF") or None
    if not base:
        return None, frozenset()
    for candidate in (f"origin/{base}", base):
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{candidate}^{{commit}}")
        except git.GitCommandError:
            continue
        shas = repo.git.rev_list(f"{candidate}..HEAD").split()
        return candidate, frozenset(shas)
    raise CheckError(f"base branch '{base}' is not in this clone; fetch it (actions/checkout with fetch-depth: 0)")
