"""An exclusive lock beside the manifest, so concurrent ``--fix``/``--update`` runs merge, never overwrite.

The manifest itself is replaced by rename, so locking it would lock an inode
that the next writer no longer opens. The lock is ``.<manifest>.lock`` in the
same folder; it is removed on release, and a holder re-checks after locking
that the path still names the inode it locked (else another run removed it
meanwhile and it locks again), the usual way to make a removable lock file safe.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path_for(manifest: Path) -> Path:
    """The lock file of ``manifest``: hidden, in the same folder."""
    return manifest.with_name(f".{manifest.name}.lock")


@contextmanager
def manifest_lock(manifest: Path) -> Iterator[None]:
    """Hold the manifest's exclusive lock for the ``with`` block (blocks while another run holds it)."""
    lock = lock_path_for(manifest)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(lock, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(lock)
        except FileNotFoundError:  # pragma: no cover - removed by hand meanwhile
            pass
        os.close(fd)
