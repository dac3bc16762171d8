"""Collect every component's licence, judge each one, and turn the verdicts into findings.

Shared by the ``licenses`` check (everything, scancode included) and the
``mlaudit-licenses`` hook (metadata and model card only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlaudit.formats.model_card import CARD_FILE_NAMES, ModelCardError, find_model_card, read_model_card
from mlaudit.globs import compile_globs
from mlaudit.licenses.compatibility import ComponentKind, decide
from mlaudit.licenses.components import Component, JudgedComponent
from mlaudit.licenses.dependency_facts import (
    installed_components,
    requirement_lines,
    resolve_requirements,
    unjudgeable_findings,
)
from mlaudit.licenses.file_scan import FileScan
from mlaudit.licenses.finding_rules import base_model_findings, card_findings, verdict_finding
from mlaudit.licenses.model_facts import add_license_file_components, card_components
from mlaudit.licenses.normalize import drop_license_references, normalize_expression
from mlaudit.licenses.options import LicensesOptions
from mlaudit.licenses.project_facts import is_project_license_file, license_file_subject, project_license
from mlaudit.model import Finding, Severity

_CARD_NAMES = frozenset(CARD_FILE_NAMES)


@dataclass(frozen=True)
class LicenseAudit:
    """Every judged component, the findings, and what could not be examined."""

    judged: tuple[JudgedComponent, ...]
    findings: tuple[Finding, ...]
    project_license: str | None
    incomplete: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Collected:
    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def audit_licenses(
    root: Path,
    files: Sequence[str],
    options: LicensesOptions,
    *,
    offline: bool,
    cache_dir: Path,
    scan: bool,
    resolve: bool,
    has_weights: bool,
    scan_files: Callable[[Sequence[str]], FileScan] | None = None,
    match_text: Callable[[str], str | None] | None = None,
    on_read: Callable[[str], None] | None = None,
    site_packages_anywhere: bool = False,
) -> LicenseAudit:
    """Collect and judge every licensed component of the repository at ``root``.

    ``site_packages_anywhere``: the configuration is the user's (a file outside the
    tree), so its ``site_packages`` may name an environment outside the repository.
    """
    out = _Collected()
    project = project_license(root, tuple(files), options.project)
    if scan and scan_files is not None:
        _add_file_components(out, scan_files, files, project)
        project = project or _project_from_scan(out.components)
    project_expr = project.license.expression if project else None
    if project is None:
        out.findings.append(
            Finding(
                rule="licenses.no-project-license",
                severity=Severity.LOW,
                key="project",
                message="the project declares no licence (pyproject.toml, LICENSE file or "
                "[tool.mlaudit.licenses] project): copyleft components cannot be checked against it",
                remediation='add a LICENSE file and `license = "<SPDX id>"` to pyproject.toml',
            )
        )
    else:
        out.components.insert(0, project)
    _add_card_components(out, root, options, has_weights)
    add_license_file_components(out.components, root, files)
    _add_dependencies(out, root, files, options, offline=offline, cache_dir=cache_dir, resolve=resolve,
                      on_read=on_read, site_packages_anywhere=site_packages_anywhere)
    if match_text is not None:
        out.components = [_rematch(c, match_text) for c in out.components]
    intent = options.intent(project_expr)
    judged = tuple(
        JudgedComponent(c, decide(c.license.expression, name=c.name, kind=c.kind, intent=intent))
        for c in out.components
    )
    findings = list(out.findings)
    findings.extend(f for j in judged if (f := verdict_finding(j, intent)) is not None)
    findings.extend(base_model_findings(judged))
    return LicenseAudit(judged, tuple(findings), project_expr, tuple(out.incomplete), out.facts)


def _add_file_components(
    out: _Collected,
    scan_files: Callable[[Sequence[str]], FileScan],
    files: Sequence[str],
    project: Component | None,
) -> None:
    result = scan_files(files)
    out.facts["scan"] = {
        "scanned": len(result.scanned),
        "from_cache": result.from_cache,
        "skipped": result.skipped,
        "seconds": round(result.seconds, 3),
    }
    if result.errors:
        out.incomplete.append(f"{len(result.errors)} file(s) could not be scanned: {result.errors[0]}")
    # The project's licence file and the model card are judged as the project and the model.
    judged_elsewhere = {project.path if project else None, *_CARD_NAMES}
    for detection in result.detections:
        if detection.path in judged_elsewhere or license_file_subject(detection.path):
            continue
        # "see LICENSE" points at the project's licence, judged as the project itself.
        expression = drop_license_references(detection.expression)
        if expression is None:
            continue
        out.components.append(
            Component(
                ComponentKind.FILE,
                detection.path,
                normalize_expression(expression),
                source="scancode",
                path=detection.path,
            )
        )


def _rematch(component: Component, match_text: Callable[[str], str | None]) -> Component:
    """A dependency whose licence text or name is unknown, read again with scancode's index."""
    raw = component.license.raw
    if component.kind is not ComponentKind.DEPENDENCY or component.license.known or not raw.strip():
        return component
    matched = match_text(raw)
    if matched is None:
        return component
    normalized = normalize_expression(matched)
    notes = (*normalized.notes, f"recognised by scancode in '{raw[:60].strip()}'")
    return replace(component, license=replace(normalized, raw=raw, notes=notes))


def _project_from_scan(components: list[Component]) -> Component | None:
    for c in components:
        if "/" not in c.name and is_project_license_file(c.name) and c.license.expression:
            components.remove(c)
            return Component(ComponentKind.PROJECT, "project", c.license, source=f"{c.name} (scancode)", path=c.path)
    return None


def _add_card_components(out: _Collected, root: Path, options: LicensesOptions, has_weights: bool) -> None:
    path = find_model_card(root)
    if path is None:
        if has_weights:
            out.findings.append(
                Finding(
                    rule="licenses.model-card",
                    severity=Severity.MEDIUM,
                    key="missing",
                    path="README.md",
                    message="weight files but no model card (README.md): the model's licence is not declared",
                    remediation="add a README.md with YAML front matter: `license: <Hub licence id>`",
                )
            )
        return
    rel = path.relative_to(root).as_posix()
    card = read_model_card(path, rel)
    if isinstance(card, ModelCardError):
        out.findings.extend(card_findings(card, has_weights))
        return
    out.findings.extend(card_findings(card, has_weights))
    if not card.licenses and not has_weights:
        return  # a plain README with front matter but no model
    facts = card_components(
        card,
        root.name or "model",
        base_model_licenses=options.base_model_licenses,
        dataset_licenses=options.dataset_licenses,
    )
    out.components.extend((facts.model, *facts.base_models, *facts.datasets))


def site_packages_folders(root: Path, entries: Sequence[str], *, anywhere: bool) -> tuple[list[Path], list[str]]:
    """The ``site_packages`` folders to read, and why any other was not read.

    The repository's own configuration may only name folders inside it (``.venv/...``),
    resolved by ``repo_paths``: an absolute path, ``..`` or a symlink out of the root is
    refused. A configuration outside the tree (the user's ``--config``) may name any folder.
    """
    from mlaudit.repo_paths import OutsideRepository, resolve_in_repo, shown

    folders: list[Path] = []
    problems: list[str] = []
    for entry in entries:
        if anywhere and Path(entry).is_absolute():
            folder = Path(entry)
        else:
            try:
                found = resolve_in_repo(root, entry, expect="dir")
            except OutsideRepository as exc:
                problems.append(f"site_packages folder {shown(entry)} not read: {exc.reason} (the repository's "
                                "own config names folders inside it; name others with --config PATH)")
                continue
            folder = found.real
        if folder.is_dir():
            folders.append(folder)
        else:
            problems.append(f"site_packages folder not found: {shown(entry)}")
    return folders, problems


def _add_dependencies(
    out: _Collected,
    root: Path,
    files: Sequence[str],
    options: LicensesOptions,
    *,
    offline: bool,
    cache_dir: Path,
    resolve: bool,
    site_packages_anywhere: bool,
    on_read: Callable[[str], None] | None = None,
) -> None:
    deps: dict[str, Component] = {}
    if options.site_packages:
        folders, problems = site_packages_folders(root, options.site_packages, anywhere=site_packages_anywhere)
        out.incomplete.extend(problems)
        for c in installed_components(folders):
            deps.setdefault(c.name.lower(), c)
    matcher = compile_globs(options.requirements)
    req_files = [f for f in files if matcher(f)]
    out.facts["requirement_files"] = req_files
    if resolve and options.resolve and req_files:
        wanted = requirement_lines(root, req_files, on_read=on_read)
        out.findings.extend(unjudgeable_findings(wanted))
        out.incomplete.extend(wanted.incomplete)
        resolution = resolve_requirements(
            wanted.lines, offline=offline, cache_dir=cache_dir, timeout=options.resolve_timeout)
        out.facts["resolved_from_cache"] = resolution.from_cache
        if resolution.problem:
            out.incomplete.append(f"dependencies of {', '.join(req_files)} not examined: {resolution.problem}")
        for c in resolution.components:
            deps.setdefault(
                c.name.lower(), Component(c.kind, c.name, c.license, c.source, c.version, path=req_files[0])
            )
    overrides = {k.lower(): v for k, v in options.packages.items()}
    for key, c in sorted(deps.items()):
        if key in overrides:
            c = Component(
                c.kind,
                c.name,
                normalize_expression(overrides[key]),
                "[tool.mlaudit.licenses] packages",
                c.version,
                c.path,
            )
        out.components.append(c)
    out.facts["dependencies"] = len(deps)
