"""Open a file only when it is a regular file, and sniff the format of content from its first bytes.

Shared by the scanner, its format and container scans and the scan cache (a
leaf: it imports none of them).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from mlaudit.formats.headerless_pickle import looks_like_headerless_pickle
from mlaudit.formats.model_format import detect_format


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected: never opened."""


def open_regular(path: Path) -> IO[bytes]:
    """Open ``path`` for reading only when it is a regular file (a FIFO would block, a device never ends)."""
    try:
        before = os.stat(path)
    except OSError:
        raise
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFile(f"not a regular file ({_file_kind(before.st_mode)}); not opened")
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it does not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode):
            raise NotRegularFile(f"not a regular file ({_file_kind(after.st_mode)}); not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "not a file"


def sniff_format(head: bytes, name: str) -> str | None:
    """The format of content starting with ``head``: magic bytes, then the name, then a trial pickle walk."""
    fmt = detect_format(head, name)
    if fmt is None and looks_like_headerless_pickle(head):
        return "pickle"
    return fmt
