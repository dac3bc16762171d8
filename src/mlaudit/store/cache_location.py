"""Where trusted state lives: the user's cache, never a place the audited repository chooses.

A cache entry only saves work, but a cache the repository controls could hand
the audit a recorded digest for swapped weights. So the order is:

1. the caller's own choice (``--cache-dir``, the Action's input);
2. ``$MLAUDIT_CACHE_DIR`` (the user's environment);
3. ``[general] cache_dir`` of the audited repository's config, **only** on a
   developer's machine: in CI (``CI`` or ``GITHUB_ACTIONS`` set) and in
   pull-request mode it is ignored;
4. ``$XDG_CACHE_HOME/mlaudit`` or ``~/.cache/mlaudit``.

Whatever the source, a folder that resolves inside the audited root is refused
(a committed cache is the repository's, not the user's) and the user cache is
used instead. Every such decision comes back as a note for the user.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlaudit.repo_paths import lies_inside


@dataclass(frozen=True)
class CacheLocation:
    """The cache folder chosen, and what the user should be told about the choice."""

    path: Path
    notes: tuple[str, ...] = ()


def running_in_ci() -> bool:
    """True on a CI runner (``CI`` or ``GITHUB_ACTIONS`` set to anything but false/0/empty)."""
    return any(os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
               for name in ("CI", "GITHUB_ACTIONS"))


def user_cache_dir() -> Path:
    """The user's cache: ``$XDG_CACHE_HOME/mlaudit`` or ``~/.cache/mlaudit``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mlaudit"


def choose_cache_dir(root: Path, *, explicit: Path | None, configured: str | None,
                     untrusted_config: bool = False) -> CacheLocation:
    """The cache folder for auditing ``root`` (see the module docstring for the order).

    ``configured`` is the repository's ``cache_dir``; ``untrusted_config`` says the
    caller audits in pull-request mode (the config is the pull request's).
    """
    notes: list[str] = []
    env = os.environ.get("MLAUDIT_CACHE_DIR")
    candidates: list[tuple[Path, str]] = []
    if explicit is not None:
        candidates.append((explicit, "--cache-dir"))
    if env:
        candidates.append((Path(env), "$MLAUDIT_CACHE_DIR"))
    if configured:
        if untrusted_config or running_in_ci():
            where = "in pull-request mode" if untrusted_config else "in CI"
            notes.append(f"cache_dir = {configured!r} from the audited repository's config is ignored {where} "
                         "(set --cache-dir or MLAUDIT_CACHE_DIR instead)")
        elif not candidates:
            candidates.append((Path(configured).expanduser() if Path(configured).expanduser().is_absolute()
                               else root / configured, "cache_dir in the repository's config"))
    for path, source in candidates:
        if lies_inside(path, root):
            notes.append(f"cache folder {path} ({source}) is inside the audited repository and is refused: "
                         "a cache the repository holds is never trusted; using the user cache")
            continue
        return CacheLocation(path, tuple(notes))
    return CacheLocation(user_cache_dir(), tuple(notes))
