"""Paths named by the audited repository, kept inside it.

A manifest location, an include (``-r``), a register, a weight file name or a
symlink all come from the repository, which is untrusted: each is resolved here,
one component at a time, against the repository root. Refused: empty names, NUL
bytes, absolute paths, ``..`` that climbs above the root, symlinks (at any
component, chains included) whose target leaves the root, symlink loops, and a
non-regular file where a regular file is expected (a FIFO would hang a reader).
Symlinks that stay inside the root are followed. Names that are not UTF-8
(``surrogateescape`` strings from the file system) are accepted and shown escaped.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlaudit.errors import UsageError

_MAX_SYMLINKS = 40  # what the Linux kernel allows in one lookup
Expect = Literal["file", "dir", "any"]


class OutsideRepository(UsageError):
    """A path from the repository would leave it, or is not the kind of file expected (exit 2)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{shown(name)}: {reason}")


@dataclass(frozen=True)
class RepoPath:
    """A path resolved inside the root: ``rel`` as named (normalised), ``real_path`` with every symlink followed."""

    rel: str
    real_path: str
    exists: bool

    @property
    def real(self) -> Path:
        """``real_path`` as a ``Path``."""
        return Path(self.real_path)


def shown(name: str) -> str:
    """``name`` printable on one line: control characters, NUL and undecodable bytes escaped."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def resolve_in_repo(root: Path, name: str, *, base: str = "", expect: Expect = "any") -> RepoPath:
    """Resolve ``name`` (relative to the folder ``base`` of the root) inside ``root``, or raise ``OutsideRepository``.

    A missing path is allowed (``exists`` False: a manifest about to be written);
    a missing folder on the way is too, as long as nothing leaves the root.
    """
    _check_name(name)
    rel = _normalise(name, base)
    root_real = _real_root(os.fspath(root))
    real, exists, mode = _walk(name, root_real, rel)
    if exists:
        _check_kind(name, real, expect, mode)
    return RepoPath(rel, real, exists)


@functools.lru_cache(maxsize=16)
def _real_root(root: str) -> str:
    # The root is chosen by the caller (trusted), and resolving it costs more than the file's own lookup.
    return os.path.realpath(root)


def _walk(name: str, root_real: str, rel: str) -> tuple[str, bool, int | None]:
    """Follow ``rel`` from the root one component at a time (strings: this runs once per weight file)."""
    current = root_real
    pending = rel.split("/") if rel else []
    pending.reverse()  # a stack: pop() takes the next component
    hops = 0
    exists = True
    mode: int | None = None  # of ``current`` when known from its lstat (not a symlink)
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if current == root_real:
                raise OutsideRepository(name, "a symlink on the way leads out of the repository")
            current, mode = os.path.dirname(current), None
            continue
        candidate = f"{current}/{part}" if current != "/" else f"/{part}"
        if not exists:
            current = candidate
            continue
        try:
            mode = os.lstat(candidate).st_mode
        except FileNotFoundError:
            exists = False
            current = candidate
            continue
        except OSError as exc:
            raise OutsideRepository(name, f"cannot be examined: {exc.strerror or exc}") from None
        if not stat.S_ISLNK(mode):
            current = candidate
            continue
        mode = None
        hops += 1
        if hops > _MAX_SYMLINKS:
            raise OutsideRepository(name, "a symlink loop (too many levels of symlinks)")
        target = os.readlink(candidate)
        if os.path.isabs(target):
            inside = _relative_to(os.path.normpath(target), root_real)
            if inside is None:
                raise OutsideRepository(name, f"is a symlink to {shown(target)}, outside the repository")
            current = root_real
            target = inside
        pending.extend(reversed(target.split("/")))
    return current, exists, mode


def contained_file(root: Path, rel: str) -> RepoPath | OutsideRepository:
    """A repository file (``rel`` from a file listing) as a regular file inside the root, or why it is not."""
    try:
        return resolve_in_repo(root, rel, expect="file")
    except OutsideRepository as exc:
        return exc


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise OutsideRepository(str(name), "an empty path")
    if "\0" in name:
        raise OutsideRepository(name, "a path with a NUL byte")
    if name.startswith(("/", "\\", "~")) or (len(name) > 1 and name[1] == ":" and name[0].isalpha()):
        raise OutsideRepository(name, "an absolute path: name a path relative to the repository root")


def _normalise(name: str, base: str) -> str:
    """Lexical normalisation; ``..`` above the root is refused (symlinks are handled by the walk)."""
    parts: list[str] = []
    for part in [*base.split("/"), *name.split("/")]:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise OutsideRepository(name, "leaves the repository (`..` above its root)")
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def _relative_to(path: str, root_real: str) -> str | None:
    if path == root_real:
        return ""
    prefix = root_real.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else None


def _check_kind(name: str, real: str, expect: Expect, mode: int | None) -> None:
    if expect == "any":
        return
    if mode is None:
        try:
            mode = os.stat(real).st_mode
        except OSError as exc:
            raise OutsideRepository(name, f"cannot be examined: {exc.strerror or exc}") from None
    if expect == "file" and not stat.S_ISREG(mode):
        raise OutsideRepository(name, f"is not a regular file ({_kind_name(mode)})")
    if expect == "dir" and not stat.S_ISDIR(mode):
        raise OutsideRepository(name, f"is not a folder ({_kind_name(mode)})")


def _kind_name(mode: int) -> str:
    for test, label in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return label
    return "a regular file" if stat.S_ISREG(mode) else "an unknown kind of file"


def repo_config_file(root: Path, name: str) -> Path | None:
    """The configuration file ``name`` found at the top of ``root``, or None when there is none.

    A file the repository offers as configuration is read only when it is its own
    regular file: a symlink whose target leaves the root, a FIFO or a device is
    refused (``ConfigError``, exit 2, naming the file). ``--config PATH`` is the
    user's choice and does not come through here.
    """
    from mlaudit.errors import ConfigError

    if not os.path.lexists(os.path.join(root, name)):
        return None
    try:
        found = resolve_in_repo(root, name, expect="file")
    except OutsideRepository as exc:
        raise ConfigError(f"{os.path.join(root, name)}: refused as configuration: {exc.reason} "
                          "(commit the file itself, or pass --config PATH to use a file of your choice)") from None
    return Path(found.real_path) if found.exists else None


def lies_inside(path: Path, root: Path) -> bool:
    """True when ``path`` (any path, links resolved) is ``root`` or lies below it: state that must not live there."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
