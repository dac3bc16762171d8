"""Git blob ids of a repository's files, as the content key of the licence scan cache.

Git gives the blob id of every tracked file whose work-tree content is
unchanged (``mlaudit.repo_files.clean_blob_ids``, shared with the weight
digest cache); other files are hashed the way Git does
(``sha1("blob <size>\\0" + content)``). Outside Git, every file is hashed that way.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from mlaudit.repo_files import clean_blob_ids


def git_blob_id(path: Path) -> str:
    """The Git blob id of a file's content (as ``git hash-object`` without filters).

    A symlink is never followed: its id is that of its target's name, as Git stores
    it (a link to ``/dev/zero`` would otherwise be read forever). Anything but a
    regular file or a link (a FIFO, a device) raises ``OSError``, without blocking.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if not os.path.islink(path):
            raise
        target = os.fsencode(os.readlink(path))
        return hashlib.sha1(b"blob %d\0" % len(target) + target, usedforsecurity=False).hexdigest()
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path}: not a regular file")
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(b"blob %d\0" % st.st_size)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def blob_ids(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Blob id per path (POSIX, relative to ``root``); unreadable files are left out."""
    wanted = set(paths)
    # Git's own ids for files it reports unchanged; the rest is hashed here, as Git would.
    ids = {name: blob for name, blob in clean_blob_ids(root).items() if name in wanted}
    for name in wanted - ids.keys():
        try:
            ids[name] = git_blob_id(root / name)
        except OSError:
            continue
    return ids
