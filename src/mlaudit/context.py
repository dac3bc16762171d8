"""The read-only context every check receives: where, what, with which configuration."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from mlaudit.config import Config
from mlaudit.globs import compile_globs
from mlaudit.repo_files import list_repo_files
from mlaudit.store.advisory_location import AdvisoryLocation, choose_advisory_db
from mlaudit.store.cache_location import choose_cache_dir

T = TypeVar("T")

FileSnapshot = tuple[int, int, int, int, int]
"""(device, inode, size, mtime_ns, ctime_ns): a write, a truncation or a rename over the file changes it."""


def snapshot_of(st: os.stat_result) -> FileSnapshot:
    """The snapshot of a file's state from its ``stat``."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def describe_change(before: FileSnapshot | None, now: FileSnapshot | None, when: str) -> str:
    """How a file went from one snapshot to another, in words (``when`` ends the phrase)."""
    if now is None:
        return f"removed {when}"
    if before is None:
        return f"created {when}"
    if (now[0], now[1]) != (before[0], before[1]):
        return f"replaced by another file {when}"
    return f"modified {when}"


class AuditContext:
    """What a check may read. Checks never write to the repository through it."""

    def __init__(
        self,
        root: Path,
        config: Config,
        *,
        offline: bool | None = None,
        changed_files: frozenset[str] | None = None,
        cache_dir: Path | None = None,
        advisory_db: Path | None = None,
        github_token: str | None = None,
        untrusted_config: bool = False,
    ) -> None:
        self.root = root.resolve()
        self.config = config
        self.offline = config.general.offline if offline is None else offline
        self.changed_files = changed_files
        """POSIX relative paths changed (hooks, pull requests), or None for the whole repository."""
        location = choose_cache_dir(self.root, explicit=cache_dir, configured=config.general.cache_dir,
                                    untrusted_config=untrusted_config)
        self.cache_dir = location.path
        """The user's cache folder (never one inside the audited root, see ``choose_cache_dir``)."""
        self.notes: list[str] = list(location.notes)
        """What the user should be told about this run's set-up (printed by the CLI on stderr)."""
        self._excluded = compile_globs(config.general.exclude)
        self.advisory: AdvisoryLocation = choose_advisory_db(
            self.root, explicit=advisory_db, configured=config.general.advisory_db,
            untrusted_config=untrusted_config)
        """The local advisory database chosen, by whom, and what the user was told (``choose_advisory_db``)."""
        self.advisory_db = self.advisory.path
        """Local advisory database (``--advisory-db``, ``$MLAUDIT_ADVISORY_DB``, else ``advisory_db`` on a
        developer's machine), or None for the public service."""
        self.notes.extend(self.advisory.notes)
        self.github_token = github_token or None
        """A GitHub token given on the command line (``--github-token``); checks fall back to the environment."""
        self._reads: dict[str, FileSnapshot | None] = {}
        self._changed_reads: dict[str, str] = {}
        self._reads_lock = threading.Lock()

    def section(self, name: str, cls: type[T]) -> T:
        """The validated options of configuration section ``name``."""
        return self.config.section(name, cls)

    def is_excluded(self, rel_path: str) -> bool:
        """True when the configuration's ``exclude`` globs leave this path out."""
        return self._excluded(rel_path)

    @functools.cached_property
    def files(self) -> tuple[str, ...]:
        """Every file of the repository not ignored by Git nor excluded, sorted."""
        return tuple(p for p in list_repo_files(self.root) if not self._excluded(p))

    def path(self, rel_path: str) -> Path:
        """The absolute path of a repository file."""
        return self.root / rel_path

    def record_read(self, rel_path: str) -> None:
        """Remember the state of a file a check reads for its verdict, *before* reading it.

        The engine compares every recorded file with the disk once all checks ran
        (``changed_reads``): what ``weights`` hashed is what ``serialization`` scanned,
        or the audit says which file changed. A file recorded again in another state
        (e.g. by a later check) is a change too.
        """
        try:
            snap: FileSnapshot | None = snapshot_of(os.stat(self.root / rel_path))
        except OSError:
            snap = None  # unreadable now: the check will say so; reappearing later is a change
        with self._reads_lock:
            first = self._reads.setdefault(rel_path, snap)
            if first != snap and rel_path not in self._changed_reads:
                self._changed_reads[rel_path] = describe_change(first, snap, "between two checks")

    def recorded_reads(self) -> tuple[dict[str, FileSnapshot | None], dict[str, str]]:
        """What ``record_read`` recorded: path -> first state, and the changes seen between two checks."""
        with self._reads_lock:
            return dict(self._reads), dict(self._changed_reads)

    def merge_reads(self, reads: dict[str, FileSnapshot | None], changed: dict[str, str]) -> None:
        """Take in the reads a check recorded in another process (``check_apart``), as if recorded here."""
        with self._reads_lock:
            for rel, how in changed.items():
                self._changed_reads.setdefault(rel, how)
            for rel, snap in reads.items():
                first = self._reads.setdefault(rel, snap)
                if first != snap and rel not in self._changed_reads:
                    self._changed_reads[rel] = describe_change(first, snap, "between two checks")

    def changed_reads(self) -> dict[str, str]:
        """Files recorded by ``record_read`` that are no longer in the recorded state: path -> how."""
        with self._reads_lock:
            out = dict(self._changed_reads)
            reads = dict(self._reads)
        for rel, before in sorted(reads.items()):
            if rel in out:
                continue
            try:
                now: FileSnapshot | None = snapshot_of(os.stat(self.root / rel))
            except OSError:
                now = None
            if now != before:
                out[rel] = describe_change(before, now, "during the audit")
        return dict(sorted(out.items()))

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a value once per audit and share it between checks (e.g. weight discovery)."""
        store: dict[str, object] = self.__dict__.setdefault("_memo", {})
        if key not in store:
            store[key] = compute()
        return store[key]  # type: ignore[return-value]
