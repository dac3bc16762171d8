"""Git blob ids of a repository's files, as the content key of the licence scan cache.

Git gives the blob id of every tracked file whose work-tree content is
unchanged (``mlaudit.repo_files.clean_blob_ids``, shared with the weight
digest cache); other files are hashed the way Git does
(``sha1("blob <size>\\0" + content)``). Outside Git, every file is hashed that way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from mlaudit.repo_files import clean_blob_ids


def git_blob_id(path: Path) -> str:
    """The Git blob id of a file's content (as ``git hash-object`` without filters)."""
    digest = hashlib.sha1(usedforsecurity=False)
    size = path.stat().st_size
    digest.update(b"blob %d\0" % size)
    with path.open("rb") as handle:
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
