"""Pins in ``pyproject.toml``: PEP 621 dependencies, optional dependencies, PEP 735 groups.

A library publishes ranges on purpose; an application or model repository must
install the same versions every time, so its ranges are flagged unless a lock
file next to the pyproject pins them (and then every dependency must be in it).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlaudit.pins.lock_files import LockFile, find_locks, load_toml, read_lock
from mlaudit.pins.pinned_package import PinnedPackage, is_commit_sha
from mlaudit.pins.rules import FindingList, PinRules


@dataclass
class PyprojectScan:
    """Findings of one pyproject, its exact pins and the lock files recognised."""

    findings: FindingList = field(default_factory=FindingList)
    pinned: list[PinnedPackage] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)
    kind: str = ""


def declared_dependencies(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(group, requirement string) for every PEP 621 / PEP 735 dependency."""
    out: list[tuple[str, str]] = []
    project = data.get("project")
    if isinstance(project, dict):
        for dep in project.get("dependencies") or []:
            out.append(("dependencies", dep))
        optional = project.get("optional-dependencies") or {}
        if isinstance(optional, dict):
            for extra, deps in optional.items():
                out.extend((f"optional-dependencies.{extra}", d) for d in deps or [])
    groups = data.get("dependency-groups") or {}
    if isinstance(groups, dict):
        for group, deps in groups.items():
            # {include-group = "x"} entries reuse another group, checked there.
            out.extend((f"dependency-groups.{group}", d) for d in deps or [] if isinstance(d, str))
    return [(g, d) for g, d in out if isinstance(d, str)]


def _line_of(lines: list[str], needle: str) -> int | None:
    for number, text in enumerate(lines, 1):
        if f'"{needle}"' in text or f"'{needle}'" in text:
            return number
    return None


def scan_pyproject(root: Path, rel: str, rules: PinRules) -> PyprojectScan:
    """Check the dependencies of the pyproject ``rel``."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    from mlaudit.pins.requirements_file import exact_version

    scan = PyprojectScan()
    data, problem, line = load_toml(root / rel)
    if data is None:
        scan.findings.add(rules.finding("pins.invalid-file", rel, line, f"{rel}: {problem}",
                                        "fix the TOML syntax", key="toml"))
        return scan
    kind = rules.options.project_kind
    if kind == "auto":
        kind = "library" if isinstance(data.get("build-system"), dict) else "application"
    scan.kind = kind
    text_lines = (root / rel).read_text(encoding="utf-8").splitlines()
    folder = posixpath.dirname(rel)
    locks = [lock for lock in (read_lock(root, p) for p in find_locks(root, folder)) if lock is not None]
    scan.locks = [lock.path for lock in locks]
    for group, dep in declared_dependencies(data):
        where = _line_of(text_lines, dep)
        try:
            req = Requirement(dep)
        except InvalidRequirement as exc:
            scan.findings.add(rules.finding(
                "pins.invalid-file", rel, where, f"unparsable dependency {dep!r} in {group}: {exc}",
                "write a valid PEP 508 requirement", key=f"invalid:{dep}"))
            continue
        version = exact_version(req.specifier)
        if version is not None:
            scan.pinned.append(PinnedPackage(req.name, version, rel, where))
            continue
        if req.url:
            ref = req.url.rsplit("@", 1)[-1] if "@" in req.url.split("://", 1)[-1] else ""
            if req.url.startswith("file:") or is_commit_sha(ref) or "sha256=" in req.url:
                continue
        if kind == "library":
            continue  # a library publishes ranges on purpose; its users pin them
        _check_locked(scan, rules, rel, where, group, dep, canonicalize_name(req.name), locks)
    return scan


def _check_locked(scan: PyprojectScan, rules: PinRules, rel: str, line: int | None, group: str,
                  dep: str, name: str, locks: list[LockFile]) -> None:
    if not locks:
        scan.findings.add(rules.finding(
            "pins.pyproject-range", rel, line, f"{dep!r} in [{group}] is a range and no lock file pins it",
            "commit a lock file (uv lock, poetry lock, pip-compile --generate-hashes) or pin name==version",
            key=f"range:{name}"))
        return
    if not any(name in lock.versions for lock in locks):
        names = ", ".join(lock.path for lock in locks)
        scan.findings.add(rules.finding(
            "pins.lock-missing-package", rel, line, f"{dep!r} in [{group}] is not in the lock file ({names})",
            "regenerate the lock file so it pins every dependency", key=f"lock:{name}"))
