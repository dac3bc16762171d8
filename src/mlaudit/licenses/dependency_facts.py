"""Licences of Python dependencies, from package metadata: installed, or as pip resolves them.

Two sources, neither of which runs code from the audited repository:

- an installed environment (``site_packages``), read with ``importlib.metadata``;
- the requirement files, resolved without installing by
  ``pip install --dry-run --ignore-installed --only-binary :all: --report``
  (wheels only, so no ``setup.py`` of any package runs). Only name/specifier
  requirements reach pip, from a temporary folder with the checkout out of
  reach (``isolated_tool``); local paths, editables, VCS and URL requirements
  would make pip prepare their metadata, i.e. run their build backend, so they
  are reported instead. This needs the package index, so it is skipped when
  offline; its report is cached under the requirements' content digest.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlaudit.isolated_tool import run_python_tool
from mlaudit.licenses.compatibility import ComponentKind
from mlaudit.licenses.components import Component
from mlaudit.licenses.normalize import Normalized, normalize_classifiers, normalize_expression
from mlaudit.model import Finding, Severity
from mlaudit.pins.requirements_file import UnjudgeableRequirement
from mlaudit.store.atomic_file import write_json_atomic

if TYPE_CHECKING:
    from importlib.metadata import PackageMetadata

def license_from_metadata(
    expression: str | None, license_field: str | None, classifiers: Iterable[str]
) -> tuple[Normalized, str]:
    """A package's licence by precedence: ``License-Expression``, ``License``, classifiers."""
    if expression and expression.strip():
        return normalize_expression(expression), "License-Expression"
    from_field = normalize_expression(license_field) if license_field and license_field.strip() else None
    if from_field is not None and from_field.known:
        return from_field, "License"
    from_classifiers = normalize_classifiers(classifiers)
    if from_classifiers is not None and from_classifiers.expression:
        return from_classifiers, "classifiers"
    if from_field is not None and from_field.expression:
        return from_field, "License"
    return Normalized(license_field or "", None, (license_field,) if license_field else ()), "none"


def installed_components(site_packages: Sequence[Path]) -> list[Component]:
    """Every distribution installed in ``site_packages`` folders, with its licence."""
    from importlib.metadata import distributions

    found: dict[str, Component] = {}
    for dist in distributions(path=[str(p) for p in site_packages]):
        meta = dist.metadata
        name = _field(meta, "Name")
        if not name:
            continue
        normalized, field_name = license_from_metadata(
            _field(meta, "License-Expression"), _field(meta, "License"), meta.get_all("Classifier") or ()
        )
        key = _canonical_name(name)
        found.setdefault(
            key,
            Component(
                ComponentKind.DEPENDENCY,
                name,
                normalized,
                source=f"installed metadata ({field_name})",
                version=_field(meta, "Version") or "",
            ),
        )
    return sorted(found.values(), key=lambda c: c.name.lower())


def _field(meta: PackageMetadata, name: str) -> str | None:
    values = meta.get_all(name)
    return str(values[0]) if values else None


def _canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Resolution:
    """Dependencies pip resolved for the requirement files, or why it could not."""

    components: tuple[Component, ...] = ()
    problem: str | None = None
    from_cache: bool = False


@dataclass(frozen=True)
class RequirementSet:
    """What the requirement files ask for, split by whether an index can answer without running code."""

    lines: tuple[str, ...] = ()
    """Canonical PEP 508 name/specifier requirements (no paths, no URLs, no options)."""
    unjudgeable: tuple[UnjudgeableRequirement, ...] = ()
    index_options: tuple[tuple[str, int | None, str], ...] = ()
    incomplete: tuple[str, ...] = ()


def requirement_lines(root: Path, files: Sequence[str], extra: Sequence[str] = (),
                      on_read: Callable[[str], None] | None = None) -> RequirementSet:
    """The requirements of ``files`` (and ``extra``), parsed like the ``pins`` check parses them.

    Local paths, editables, VCS and URL requirements are set apart: pip would
    build them (run their build backend) to learn their metadata. Includes are
    followed only inside the repository; index options are never taken from it.
    """
    from mlaudit.pins.rules import PinRules
    from mlaudit.pins.sources import PinsScanner

    scan = PinsScanner(root, PinRules(), on_read=on_read).scan_requirement_files(files)
    lines = [*extra, *(r.requirement for r in scan.index_requirements)]
    return RequirementSet(tuple(lines), tuple(scan.unjudgeable), tuple(scan.index_options), tuple(scan.incomplete))


def unjudgeable_findings(wanted: RequirementSet) -> list[Finding]:
    """A finding per requirement pip would have to build, and per index option the file sets."""
    findings = [
        Finding(
            rule="licenses.unjudgeable-requirement",
            severity=Severity.MEDIUM,
            path=req.path,
            line=req.line,
            message=f"{req.text} ({req.kind} requirement): its licence and its dependencies cannot be "
                    "judged without running its code (mlaudit never builds it)",
            remediation="depend on a released version (name==version), or declare its licence in "
                        "[tool.mlaudit.licenses] packages and list its dependencies in a requirements file",
            key=f"unjudgeable:{req.text}",
            details={"requirement": req.text, "kind": req.kind},
        )
        for req in wanted.unjudgeable
    ]
    findings.extend(
        Finding(
            rule="licenses.index-option-ignored",
            severity=Severity.LOW,
            path=path,
            line=line,
            message=f"{option} in a requirements file is ignored: dependencies are resolved from the index "
                    "the runner configures (PIP_INDEX_URL, pip.conf), never from one the repository names",
            remediation="set the index in the runner's environment or pip.conf if the audit needs it",
            key=f"index-option:{option}",
            details={"option": option},
        )
        for path, line, option in wanted.index_options
    )
    return findings


def resolve_requirements(lines: Sequence[str], *, offline: bool, cache_dir: Path, timeout: float = 300) -> Resolution:
    """Resolve ``lines`` with pip's dry run and read each package's licence from its metadata."""
    if not lines:
        return Resolution()
    body = "\n".join(sorted(set(lines))) + "\n"
    # The interpreter (markers) and pip (which fields it reports) shape the result as much as the lines.
    digest = hashlib.sha256(f"{sys.version_info[:2]}\n{_pip_version()}\n{body}".encode()).hexdigest()[:32]
    cache_file = cache_dir / "licenses" / f"pip-report-{digest}.json"
    report = _read_cached(cache_file)
    if report is not None:
        return Resolution(_components_from_report(report), from_cache=True)
    if offline:
        return Resolution(problem="resolving requirements needs the package index, and the audit is offline")
    unsafe = [line for line in lines if not _is_index_requirement(line)]
    if unsafe:
        return Resolution(problem=f"not a name/specifier requirement, never handed to pip: {unsafe[0]!r}")
    with tempfile.TemporaryDirectory(prefix="mlaudit-pip-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text(body, encoding="utf-8")
        out = Path(tmp) / "report.json"
        args = [
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--only-binary",
            ":all:",
            "--report",
            str(out),
            "-r",
            str(req),
        ]
        try:
            # Wheels of the index only, from a folder of ours: nothing of the checkout is imported or built.
            proc = run_python_tool("pip", args, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            return Resolution(problem=f"pip could not resolve the requirements within {timeout:.0f} s")
        if proc.returncode != 0 or not out.is_file():
            detail = _last_error_line(proc.stderr)
            return Resolution(problem=f"pip could not resolve the requirements: {detail}")
        try:
            report = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return Resolution(problem=f"pip wrote an unreadable report: {exc}")
    _write_cached(cache_file, report)
    return Resolution(_components_from_report(report))


def _is_index_requirement(line: str) -> bool:
    """True for a PEP 508 requirement without URL that pip cannot mistake for a path."""
    from packaging.requirements import InvalidRequirement, Requirement

    if line.startswith(("-", ".", "/", "~")) or "/" in line.split(";")[0] or "\\" in line:
        return False
    try:
        return Requirement(line).url is None
    except InvalidRequirement:
        return False


def _pip_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pip")
    except PackageNotFoundError:
        return "none"


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and "is ignored" not in line]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1][:300]


def _components_from_report(report: Mapping[str, Any]) -> tuple[Component, ...]:
    out = []
    for item in report.get("install", ()):
        meta = item.get("metadata", {}) if isinstance(item, Mapping) else {}
        name = meta.get("name")
        if not isinstance(name, str):
            continue
        normalized, field_name = license_from_metadata(
            meta.get("license_expression"), meta.get("license"), meta.get("classifier") or ()
        )
        if normalized.expression is None and _drops_license_expression(report, meta):
            note = "pip before 25.0 leaves License-Expression (metadata 2.4) out of its report: upgrade pip"
            normalized = Normalized(normalized.raw, None, normalized.unknown, (*normalized.notes, note))
        out.append(
            Component(
                ComponentKind.DEPENDENCY,
                name,
                normalized,
                version=str(meta.get("version", "")),
                source=f"pip report ({field_name})",
            )
        )
    return tuple(sorted(out, key=lambda c: c.name.lower()))


def _drops_license_expression(report: Mapping[str, Any], meta: Mapping[str, Any]) -> bool:
    """True when an old pip reported metadata 2.4+ without its License-Expression field."""
    from packaging.version import InvalidVersion, Version

    try:
        old_pip = Version(str(report.get("pip_version", "0"))) < Version("25.0")
        return old_pip and Version(str(meta.get("metadata_version", "0"))) >= Version("2.4")
    except InvalidVersion:
        return False


def _read_cached(path: Path) -> Mapping[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("install"), list) else None


def _write_cached(path: Path, report: Mapping[str, Any]) -> None:
    try:
        write_json_atomic(path, {"pip_version": report.get("pip_version"), "install": report.get("install", [])})
    except OSError:
        pass  # a cache that cannot be written only costs the next run a resolution
