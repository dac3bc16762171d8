"""Lock files that pin a pyproject's ranges: ``uv.lock``, ``poetry.lock``, ``pylock*.toml``,
and ``requirements*.txt`` compiled with hashes (every line has ``--hash``)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.pins.pinned_package import PinnedPackage
from mlaudit.repo_paths import OutsideRepository, contained_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOML_LOCKS = ("uv.lock", "poetry.lock", "pylock.toml")
_TOML_LINE = re.compile(r"line (\d+)")


def is_toml_lock(name: str) -> bool:
    """True for a lock file name this module reads as TOML."""
    from mlaudit.pins.source_names import SourceKind, is_kind

    return is_kind(name, SourceKind.LOCK)


@dataclass(frozen=True)
class LockFile:
    """The packages a lock file pins: canonical name -> version, with the lines naming them."""

    path: str
    versions: dict[str, str]
    pinned: tuple[PinnedPackage, ...]


def toml_error_line(exc: Exception) -> int | None:
    """The line a TOML decode error points at (tomllib puts it in the message)."""
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    match = _TOML_LINE.search(str(exc))
    return int(match.group(1)) if match else None


def load_toml(path: Path) -> tuple[dict[str, Any] | None, str | None, int | None]:
    """The parsed TOML file, or (None, reason, line) when it is unreadable or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read: {exc}", None
    try:
        return tomllib.loads(text), None, None
    except tomllib.TOMLDecodeError as exc:
        return None, f"invalid TOML: {exc}", toml_error_line(exc)
    except RecursionError:
        return None, "invalid TOML: nested too deeply", None


def read_toml_lock(root: Path, rel: str) -> tuple[LockFile | None, str | None, int | None]:
    """Read ``uv.lock``/``poetry.lock``/``pylock*.toml``: their ``[[package]]``/``[[packages]]`` tables."""
    from packaging.utils import canonicalize_name

    data, problem, line = load_toml(root / rel)
    if data is None:
        return None, problem, line
    entries = data.get("package", data.get("packages", []))
    if not isinstance(entries, list):
        return None, "no [[package]] array", None
    lines = _name_lines(root / rel)
    versions: dict[str, str] = {}
    pinned: list[PinnedPackage] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str):
            continue
        canonical = str(canonicalize_name(name))
        if isinstance(version, str):
            versions[canonical] = version
            # A package from a local path or Git is in the lock but not on an index.
            source = entry.get("source")
            local = isinstance(source, dict) and any(k in source for k in ("editable", "virtual", "directory"))
            if not local:
                pinned.append(PinnedPackage(name, version, rel, lines.get(name)))
        else:
            versions.setdefault(canonical, "")
    return LockFile(rel, versions, tuple(pinned)), None, None


def _name_lines(path: Path) -> dict[str, int]:
    """Line of the first ``name = "x"`` per package name (for findings that point into the lock)."""
    out: dict[str, int] = {}
    try:
        with path.open(encoding="utf-8") as fh:
            for number, text in enumerate(fh, 1):
                stripped = text.strip()
                if stripped.startswith("name = \"") and stripped.endswith("\""):
                    out.setdefault(stripped[8:-1], number)
    except (OSError, UnicodeDecodeError):
        pass
    return out


def find_locks(root: Path, folder: str) -> list[str]:
    """The lock files next to a pyproject in ``folder`` (POSIX, "" for the root)."""
    base = root / folder if folder else root
    found: list[str] = []
    try:
        names = sorted(p.name for p in base.iterdir() if p.is_file())
    except OSError:
        return found
    prefix = f"{folder}/" if folder else ""
    for name in names:
        if is_toml_lock(name) or (name.startswith("requirements") and name.endswith(".txt")):
            # A lock that is a symlink out of the repository is never read (nor counted as a lock).
            if not isinstance(contained_file(root, prefix + name), OutsideRepository):
                found.append(prefix + name)
    return found


def read_lock(root: Path, rel: str) -> LockFile | None:
    """Any lock file (TOML lock, or requirements compiled with hashes); None if it pins nothing."""
    if is_toml_lock(rel):
        lock, _problem, _line = read_toml_lock(root, rel)
        return lock
    from packaging.utils import canonicalize_name

    from mlaudit.pins.requirements_file import exact_version, read_requirements

    parsed, _problem = read_requirements(root, rel)
    if parsed is None:
        return None
    reqs = [r for r in parsed.requirements if r.name]
    if not reqs or not all(r.hash_options for r in reqs):
        return None  # only a requirements file compiled with hashes is a lock
    versions = {str(canonicalize_name(r.name)): exact_version(r.specifier) or "" for r in reqs}
    return LockFile(rel, versions, ())
