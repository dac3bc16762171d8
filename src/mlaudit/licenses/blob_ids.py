"""Git blob ids of a repository's files, as the content key of the licence scan cache.

``git ls-files -s`` gives the blob id of every tracked file as staged; files
whose work-tree content differs (``git ls-files -m``) or that are untracked are
hashed the way Git does (``sha1("blob <size>\\0" + content)``). Outside Git,
every file is hashed that way.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path


def git_blob_id(path: Path) -> str:
    """The Git blob id of a file's content (as ``git hash-object`` without filters)."""
    digest = hashlib.sha1(usedforsecurity=False)
    size = path.stat().st_size
    digest.update(b"blob %d\0" % size)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _git(root: Path, *args: str) -> list[str] | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def blob_ids(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Blob id per path (POSIX, relative to ``root``); unreadable files are left out."""
    wanted = set(paths)
    ids: dict[str, str] = {}
    staged = _git(root, "ls-files", "-s", "-z")
    modified = _git(root, "ls-files", "-m", "-z")
    if staged is not None and modified is not None:
        changed = set(modified)
        for entry in staged:
            meta, _, name = entry.partition("\t")
            fields = meta.split()
            # Stage 0 only: a file in a merge conflict is hashed from the work tree.
            if name in wanted and name not in changed and len(fields) == 3 and fields[2] == "0":
                ids[name] = fields[1]
    for name in wanted - ids.keys():
        try:
            ids[name] = git_blob_id(root / name)
        except OSError:
            continue
    return ids
