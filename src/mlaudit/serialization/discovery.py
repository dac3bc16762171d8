"""Which repository files hold a model or a pickle, by content, whatever their names.

A pickle named ``vocab.txt`` or ``config.json`` is loaded as readily as one
named ``model.pkl``; so every listed file is sniffed: its first bytes (magic
numbers, a trial walk when the first byte is a pickle opcode), its last bytes
(a zip's end record: zip readers start there) and the Git LFS pointer rule (a
valid pointer stands for content that is not here; anything else that starts
like one is content). Only regular files inside the root are opened; symbolic
links are left to the name-based discovery, which reports them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from mlaudit.formats.headerless_pickle import looks_like_headerless_pickle
from mlaudit.formats.lfs_pointer import MAX_POINTER_SIZE, looks_like_pointer, parse_pointer
from mlaudit.formats.model_format import TAIL_SIZE, detect_format, magic_format, zip_at_end
from mlaudit.formats.pickle_sniff import SNIFF_SIZE

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Names under which content without magic bytes is a model (detect_format's name rules).
_NAMED = (".onnx", ".pb", ".msgpack", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".bin", ".dat", ".p",
          ".dill", ".sav", ".cloudpickle")
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def holds_model_content(root: Path | str, rel: str) -> bool:
    """True when the file's content is a model, pickle or archive format a loader reads."""
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            return False
        head = os.pread(fd, SNIFF_SIZE, 0)
        if looks_like_pointer(head) and st.st_size <= MAX_POINTER_SIZE and parse_pointer(head) is not None:
            return False  # a real pointer: the named-model discovery reports the missing content
        fmt = magic_format(head)
        if fmt == "zlib":
            return _inflates(head)  # two bytes of zlib header also begin text ("x ", "x^")
        if fmt is not None or (rel.endswith(_NAMED) and detect_format(head, rel) is not None):
            return True
        tail = head if st.st_size <= len(head) else os.pread(fd, TAIL_SIZE, max(st.st_size - TAIL_SIZE, 0))
        if zip_at_end(tail) or looks_like_pointer(head):
            return True
        return looks_like_headerless_pickle(head)
    except OSError:
        return False
    finally:
        os.close(fd)


def files_with_model_content(root: Path, rel_paths: Iterable[str]) -> list[str]:
    """The paths among ``rel_paths`` whose content is a model format, in the given order."""
    base = str(root)
    return [rel for rel in rel_paths if holds_model_content(base, rel)]


def _inflates(head: bytes) -> bool:
    import zlib

    try:
        zlib.decompressobj().decompress(head, 64)
    except zlib.error:
        return False
    return True
