"""Which files are dependency sources, and the scan of a set of them (check and hook share it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.globs import compile_globs
from mlaudit.pins.conda_env import scan_conda_env
from mlaudit.pins.dockerfile import scan_dockerfile
from mlaudit.pins.hf_downloads import scan_python
from mlaudit.pins.lock_files import read_toml_lock
from mlaudit.pins.pinned_package import PinnedPackage
from mlaudit.pins.pyproject_deps import scan_pyproject
from mlaudit.pins.requirements_file import (
    IndexRequirement,
    RequirementsScan,
    UnjudgeableRequirement,
    scan_requirements,
)
from mlaudit.pins.rules import FindingList, PinRules
from mlaudit.pins.source_names import SourceKind, kind_of_path
from mlaudit.pins.workflows import scan_workflow
from mlaudit.repo_paths import OutsideRepository, contained_file, shown

__all__ = ["PACKAGE_KINDS", "PinsScan", "PinsScanner", "SourceKind", "classifier"]

PACKAGE_KINDS = frozenset({SourceKind.REQUIREMENTS, SourceKind.PYPROJECT, SourceKind.LOCK, SourceKind.CONDA,
                           SourceKind.WORKFLOW, SourceKind.DOCKERFILE})
"""The kinds that pin Python packages (what ``vulns`` audits; workflows and Dockerfiles by ``pip install``)."""


def classifier(rules: PinRules) -> Callable[[str], SourceKind | None]:
    """A function telling the kind of a POSIX relative path (None: not a dependency source).

    The names are those of ``source_names.SOURCE_NAMES``, the table the hook's
    ``files:`` filter is made from; requirements files follow the configured globs.
    """
    is_requirements = compile_globs(rules.options.requirements)
    return lambda rel: kind_of_path(rel, is_requirements)


@dataclass
class PinsScan:
    """Everything the sources said: findings, exact pins (for ``vulns``), files read per kind."""

    findings: FindingList = field(default_factory=FindingList)
    pinned: list[PinnedPackage] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    locks: list[str] = field(default_factory=list)
    index_requirements: list[IndexRequirement] = field(default_factory=list)
    """Name/specifier requirements of requirements files (what an index resolves without running code)."""
    unjudgeable: list[UnjudgeableRequirement] = field(default_factory=list)
    """Local path, editable, VCS and URL requirements: judging them would mean running their code."""
    index_options: list[tuple[str, int | None, str]] = field(default_factory=list)
    """(path, line, option) of ``--index-url``-like lines, never used by mlaudit's resolution."""
    incomplete: list[str] = field(default_factory=list)
    """Sources that could not be examined (unreadable, refused includes): an error, never a pass."""


class PinsScanner:
    """Scans dependency sources of one repository; requirements includes are followed once each."""

    def __init__(self, root: Path, rules: PinRules, kinds: frozenset[SourceKind] | None = None,
                 on_read: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.on_read = on_read
        """Told every file's relative path just before it is read (``AuditContext.record_read``)."""
        self.rules = rules
        self.kinds = kinds
        self.kind_of = classifier(rules)
        self._requirements: dict[str, RequirementsScan] = {}
        self._reported: set[str] = set()

    def scan(self, paths: Iterable[str]) -> PinsScan:
        """Scan every path that is a dependency source of a wanted kind."""
        out = PinsScan()
        for rel in paths:
            kind = self.kind_of(rel)
            if kind is None or (self.kinds is not None and kind not in self.kinds):
                continue
            if kind is SourceKind.REQUIREMENTS:
                self._requirements_tree(rel, out)
                continue
            out.sources.setdefault(kind.value, []).append(rel)
            refused = contained_file(self.root, rel)
            if isinstance(refused, OutsideRepository):
                self._never_opened(rel, refused.reason, out)
                continue
            if self.on_read is not None:
                self.on_read(rel)
            self._scan_one(kind, rel, out)
        return out

    def scan_requirement_files(self, paths: Iterable[str]) -> PinsScan:
        """Scan ``paths`` as requirements files (whatever their name), following their includes."""
        out = PinsScan()
        for rel in paths:
            self._requirements_tree(rel, out)
        return out

    def _never_opened(self, rel: str, reason: str, out: PinsScan) -> None:
        """A source that is a symlink out of the root, a FIFO or a device: reported, never read."""
        out.findings.add(self.rules.finding(
            "pins.invalid-file", rel, None, f"{shown(rel)} was not read: {reason}",
            "commit the file itself (a regular file inside the repository)", key="outside"))
        out.incomplete.append(f"{shown(rel)} was not read: {reason}")

    def _scan_one(self, kind: SourceKind, rel: str, out: PinsScan) -> None:
        if kind is SourceKind.PYPROJECT:
            pyproject = scan_pyproject(self.root, rel, self.rules)
            out.findings.extend(pyproject.findings)
            out.pinned.extend(pyproject.pinned)
            out.locks.extend(pyproject.locks)
        elif kind is SourceKind.LOCK:
            lock, problem, line = read_toml_lock(self.root, rel)
            if lock is None:
                out.findings.add(self.rules.finding(
                    "pins.invalid-file", rel, line, f"{rel}: {problem}", "regenerate the lock file", key="lock"))
            else:
                out.pinned.extend(lock.pinned)
        elif kind is SourceKind.CONDA:
            conda = scan_conda_env(self.root, rel, self.rules)
            out.findings.extend(conda.findings)
            out.pinned.extend(conda.pinned)
        elif kind is SourceKind.WORKFLOW:
            out.findings.extend(scan_workflow(self.root, rel, self.rules, out.pinned))
        elif kind is SourceKind.DOCKERFILE:
            out.findings.extend(scan_dockerfile(self.root, rel, self.rules, out.pinned))
        elif kind is SourceKind.PYTHON:
            out.findings.extend(scan_python(self.root, rel, self.rules))

    def _requirements_tree(self, rel: str, out: PinsScan) -> None:
        pending = [rel]
        while pending:
            current = pending.pop()
            if current in self._reported:
                continue
            self._reported.add(current)
            scan = self._scan_requirements(current)
            out.sources.setdefault(SourceKind.REQUIREMENTS.value, []).append(current)
            out.findings.extend(scan.findings)
            out.pinned.extend(scan.pinned)
            out.index_requirements.extend(scan.index_requirements)
            out.unjudgeable.extend(scan.unjudgeable)
            out.index_options.extend((current, line, flag) for line, flag in scan.index_options)
            out.incomplete.extend(scan.incomplete)
            pending.extend(scan.includes)
            pending.extend(scan.constraints)

    def _scan_requirements(self, rel: str, depth: int = 0) -> RequirementsScan:
        cached = self._requirements.get(rel)
        if cached is not None:
            return cached
        if self.on_read is not None:
            self.on_read(rel)
        scan = scan_requirements(self.root, rel, self.rules)
        self._requirements[rel] = scan
        if scan.constraints and depth < 10:
            # Names a -c file pins need no pin of their own: rescan with them.
            from packaging.utils import canonicalize_name

            pins = frozenset(
                canonicalize_name(p.name)
                for c in scan.constraints if c != rel
                for p in self._scan_requirements(c, depth + 1).pinned
            )
            if pins:
                scan = scan_requirements(self.root, rel, self.rules, constraint_pins=pins)
                self._requirements[rel] = scan
        return scan
