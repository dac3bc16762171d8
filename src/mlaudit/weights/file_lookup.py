"""Find many weight files inside the root with one ``lstat`` each: their folders are resolved once.

``resolve_in_repo`` walks every component of a name (an ``lstat`` per folder on
the way, symlinks followed and checked against the root). A manifest of 100,000
shards in a few folders would walk the same folders 100,000 times. Here each
folder is resolved once with ``resolve_in_repo`` (same rules: nothing leaves the
root), then each file costs one ``lstat`` of its last component. Anything that is
not plain — a symlink as the last component, ``..``, ``.``, a backslash, a folder
that cannot be resolved, an error other than "absent" — goes through
``resolve_in_repo`` itself, so every refusal and message stays the one it gives.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mlaudit.repo_paths import OutsideRepository, resolve_in_repo


class FileLookup:
    """Stat files of one root by relative name; ``stat_file`` returns what ``resolve_in_repo`` + ``os.stat`` would."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._folders: dict[str, str | None] = {}  # folder rel -> real path; None: absent

    def quick_stat(self, rel: str) -> tuple[os.stat_result | None, str] | None:
        """``(stat, real path)`` of a plain name, ``(None, "")`` when absent; None: ask ``resolve_in_repo``.

        The stat is of the file itself (an ``lstat`` of a component that is not a symlink).
        """
        folder, _, base = rel.rpartition("/")
        if not _plain(rel) or base in ("", ".", ".."):
            return None
        folder_real = self._folder(folder)
        if folder_real == "":
            return None
        if folder_real is None:
            return None, ""
        full = f"{folder_real}/{base}"
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return None, ""
        except OSError:
            return None
        if stat.S_ISLNK(st.st_mode):
            return None  # a symlink: followed and judged by resolve_in_repo
        return st, full

    def _folder(self, folder: str) -> str | None:
        """The folder's real path; None when absent; "" when it needs ``resolve_in_repo`` per file."""
        if folder in self._folders:
            return self._folders[folder]
        real: str | None
        if not folder:
            real = os.path.realpath(self._root)
        else:
            try:
                found = resolve_in_repo(self._root, folder, expect="dir")
            except OutsideRepository:
                real = ""
            else:
                real = found.real_path if found.exists else None
        self._folders[folder] = real
        return real


def _plain(rel: str) -> bool:
    return (
        rel != "" and "\0" not in rel and "\\" not in rel and rel[0] not in "/~"
        and rel[1:2] != ":" and "//" not in rel
        and "/./" not in f"/{rel}/" and "/../" not in f"/{rel}/"
    )
