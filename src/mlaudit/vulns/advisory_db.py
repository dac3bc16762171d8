"""A local OSV advisory database (a PyPA advisory-db checkout: ``vulns/<package>/*.yaml``).

Opening lists the package folders; a package's advisories are parsed when it is
first queried, so answering a query costs a few YAML files, not the whole database. Version matching follows the OSV
schema: explicit ``versions`` lists, and ``ECOSYSTEM`` ranges whose events
(``introduced``, ``fixed``, ``last_affected``) are compared with ``packaging``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlaudit.errors import CheckError
from mlaudit.git_safe import run_git

MAX_ADVISORY_BYTES = 1_000_000


class AdvisoryFileError(CheckError):
    """An advisory file of a queried package that cannot be read or parsed: the package cannot be judged."""


class UnusableDatabaseError(CheckError):
    """A database with no parsable advisory: it cannot tell a vulnerable package from a safe one."""


def _json_safe(value: Any) -> Any:
    """YAML dates and timestamps as RFC 3339 strings (what OSV JSON carries)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _version(text: str) -> Any | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(events: list[Mapping[str, Any]], version: Any) -> bool:
    """OSV ``ECOSYSTEM`` range evaluation: walk the events in version order."""
    keyed = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            if kind in event:
                raw = str(event[kind])
                at = None if raw == "0" else _version(raw)
                if raw != "0" and at is None:
                    continue  # an unparsable event version cannot be placed
                keyed.append((kind, at))
    affected = False
    for kind, at in sorted(keyed, key=lambda e: (e[1] is not None, e[1] or 0)):
        if kind == "introduced" and (at is None or version >= at):
            affected = True
        elif kind == "fixed" and at is not None and version >= at:
            affected = False
        elif kind == "last_affected" and at is not None and version > at:
            affected = False
    return affected


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def affects(advisory: Mapping[str, Any], name: str, version: str) -> bool:
    """True when ``advisory`` lists ``name`` (canonical) at ``version`` as affected.

    Malformed parts of an advisory (wrong types) are skipped, never raised: one
    broken file must not take the server down for every other query.
    """
    from packaging.utils import canonicalize_name

    parsed = _version(version)
    for entry in map(_mapping, _list(advisory.get("affected"))):
        package = _mapping(entry.get("package"))
        if package.get("ecosystem") != "PyPI" or canonicalize_name(str(package.get("name", ""))) != name:
            continue
        listed = [str(v) for v in _list(entry.get("versions"))]
        if version in listed or (parsed is not None and any(_version(v) == parsed for v in listed)):
            return True
        if parsed is None:
            continue
        for rng in map(_mapping, _list(entry.get("ranges"))):
            events = [e for e in _list(rng.get("events")) if isinstance(e, Mapping)]
            if rng.get("type") in ("ECOSYSTEM", "SEMVER") and _in_range(events, parsed):
                return True
    return False


class AdvisoryDatabase:
    """The advisories of a database folder, indexed by canonical package name, read on demand.

    Opening costs a listing of ``vulns/``: a package's advisory files are parsed
    the first time that package is queried, then kept in memory. A database with
    no advisory file at all (an empty ``vulns/``) is refused when opened
    (``CheckError``); one whose files are all broken is refused as soon as a query
    depends on it (``UnusableDatabaseError``): it would answer "no vulnerability"
    to every query. A package whose advisory folder holds a file that does not
    parse cannot be judged: querying it raises ``AdvisoryFileError`` (the server
    answers 500, pip-audit reports the package as not audited). A package with no
    folder in a usable database simply has no known vulnerability.
    """

    def __init__(self, path: Path) -> None:
        from packaging.utils import canonicalize_name

        self.path = path
        vulns = path / "vulns"
        if not vulns.is_dir():
            raise FileNotFoundError(f"{path}: not an advisory database (no vulns/ folder)")
        self._folders: dict[str, Path] = {str(canonicalize_name(p.name)): p for p in vulns.iterdir() if p.is_dir()}
        self._loaded: dict[str, list[dict[str, Any]] | AdvisoryFileError] = {}
        self._lock = threading.RLock()
        self._queried: set[str] = set()
        self._usable: bool | None = None
        self.parsed_files: list[str] = []
        """The advisory files parsed so far (relative to the database), in order: what the queries cost."""
        if not any(_is_advisory_name(f) for folder in self._folders.values() for f in _entries(folder)):
            raise UnusableDatabaseError(self._unusable_message())

    def _unusable_message(self) -> str:
        return (f"advisory database {self.path} holds no parsable advisory (vulns/ is empty or every "
                "file is broken): it cannot tell a vulnerable package from a safe one")

    def _require_usable(self) -> None:
        """Refuse the database when no package in it has a parsable advisory.

        Called only when an answer depends on it (a package with no folder, or one
        that does not parse, while no advisory has parsed yet); stops at the first
        package, in name order, whose advisories all parse and hold one.
        """
        with self._lock:
            if self._usable is None:
                self._usable = False
                for name in sorted(self._folders):
                    try:
                        if self._advisories(name):
                            self._usable = True
                            break
                    except AdvisoryFileError:
                        continue
            if not self._usable:
                raise UnusableDatabaseError(self._unusable_message())

    def advisories_for(self, name: str) -> list[dict[str, Any]]:
        """Every advisory in the folder of package ``name`` (canonical), parsed once.

        Raises ``AdvisoryFileError`` when one of them does not parse, and
        ``UnusableDatabaseError`` when the answer would be "none" (or "broken") from
        a database in which no advisory parses.
        """
        try:
            found = self._advisories(name)
        except AdvisoryFileError:
            self._require_usable()  # a wholly broken database is said as such, not as one broken package
            raise
        if not found:
            self._require_usable()
        return found

    def _advisories(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            cached = self._loaded.get(name)
            if cached is None:
                try:
                    cached = self._read(self._folders.get(name))
                except AdvisoryFileError as exc:
                    cached = exc
                self._loaded[name] = cached
                if isinstance(cached, list) and cached:
                    self._usable = True
        if isinstance(cached, AdvisoryFileError):
            raise cached
        return cached

    def problems(self) -> list[str]:
        """What made queried packages unjudgeable: broken advisory files, or the whole database unusable."""
        with self._lock:
            found = [str(v) for k, v in sorted(self._loaded.items())
                     if k in self._queried and isinstance(v, AdvisoryFileError)]
            if self._usable is False:
                found.insert(0, self._unusable_message())
            return found

    def _read(self, folder: Path | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if folder is None:
            return out
        for file in sorted(folder.iterdir()):
            if not _is_advisory_name(file):
                continue
            self.parsed_files.append(file.relative_to(self.path).as_posix())
            problem, data = _load_advisory(file)
            if problem:
                raise AdvisoryFileError(f"advisory file {file.relative_to(self.path).as_posix()} {problem}: "
                                        f"the package {folder.name} cannot be judged")
            out.append(_json_safe(data))
        return out

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        """The advisories affecting ``name`` at ``version`` (withdrawn ones left out)."""
        from packaging.utils import canonicalize_name

        canonical = canonicalize_name(name)
        with self._lock:
            self._queried.add(canonical)
        return [a for a in self.advisories_for(canonical)
                if not a.get("withdrawn") and affects(a, canonical, version)]


_ADVISORY_SUFFIXES = (".yaml", ".yml", ".json")


def _is_advisory_name(file: Path) -> bool:
    return file.suffix in _ADVISORY_SUFFIXES


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _load_advisory(file: Path) -> tuple[str, dict[str, Any]]:
    """(problem, advisory): the problem is '' when the file is an advisory object with an ``id``."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if not file.is_file():
            return "is not a regular file", {}
        if file.stat().st_size > MAX_ADVISORY_BYTES:
            return f"is over {MAX_ADVISORY_BYTES} bytes", {}
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})", {}
    except UnicodeDecodeError:
        return "is not UTF-8", {}
    except (yaml.YAMLError, RecursionError) as exc:
        return f"does not parse ({type(exc).__name__})", {}
    if not isinstance(data, dict) or "id" not in data:
        return "is not an advisory (no 'id')", {}
    return "", data


def snapshot_of(path: Path) -> str:
    """Which snapshot of the database: ``git:<commit>`` if it is a clean Git checkout, else a digest
    of its advisory files (``files-sha256:<hex>``: every relative path and its content); a checkout
    with local changes is ``git:<commit>+files-sha256:<hex>``."""
    commit = _git_commit(path)
    if commit is not None and not _git_dirty(path):
        return f"git:{commit}"
    files = _files_digest(path)
    return f"git:{commit}+{files}" if commit is not None else files


def _git_commit(path: Path) -> str | None:
    out = run_git(path, "rev-parse", "--show-toplevel", "HEAD", timeout=30)
    lines = out.split() if out is not None else []
    if len(lines) == 2 and Path(lines[0]).resolve() == path.resolve():
        return lines[1]
    return None


def _git_dirty(path: Path) -> bool:
    out = run_git(path, "status", "--porcelain", "--", "vulns", timeout=60)
    return out is None or bool(out.strip())


def _files_digest(path: Path) -> str:
    digest = hashlib.sha256()
    vulns = path / "vulns"
    for file in sorted(vulns.rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return f"files-sha256:{digest.hexdigest()}"
