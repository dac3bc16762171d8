"""Pins in conda ``environment.yml``: ``name=version[=build]`` or ``name==version``; the ``pip:`` list
follows the requirement rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.pins.pinned_package import PinnedPackage
from mlaudit.pins.rules import FindingList, PinRules
from mlaudit.pins.yaml_lines import compose_yaml, line_of, mapping_get, scalar, sequence_items

# channel::name=version=build, version without wildcard or comparison.
_CONDA_PIN = re.compile(r"^(?:[\w.\-/]+::)?([A-Za-z0-9_.\-]+)\s*(==?)\s*([^=<>!*,|\s]+)(?:=[^\s]+)?$")


def is_conda_env_path(rel: str) -> bool:
    """``environment.yml``/``.yaml`` and ``environment-*.yml`` / ``conda*.yml`` files."""
    from mlaudit.pins.source_names import SourceKind, is_kind

    return is_kind(rel, SourceKind.CONDA)


@dataclass
class CondaScan:
    """Findings of an environment file and the exact pins of its ``pip:`` section."""

    findings: FindingList = field(default_factory=FindingList)
    pinned: list[PinnedPackage] = field(default_factory=list)


def scan_conda_env(root: Path, rel: str, rules: PinRules) -> CondaScan:
    """Check every dependency of a conda environment file."""
    scan = CondaScan()
    node, problem, line = compose_yaml(root / rel)
    if node is None:
        if problem is not None:
            scan.findings.add(rules.finding("pins.invalid-file", rel, line, f"{rel}: {problem}",
                                            "fix the YAML syntax", key="yaml"))
        return scan
    for item in sequence_items(mapping_get(node, "dependencies")):
        spec = scalar(item)
        if spec is not None:
            _check_conda(spec.strip(), rel, line_of(item), rules, scan)
            continue
        for pip_item in sequence_items(mapping_get(item, "pip")):
            text = scalar(pip_item)
            if text is not None:
                _check_pip(text.strip(), rel, line_of(pip_item), rules, scan)
    return scan


def _check_conda(spec: str, rel: str, line: int, rules: PinRules, scan: CondaScan) -> None:
    if _CONDA_PIN.match(spec):
        return
    scan.findings.add(rules.finding(
        "pins.conda-unpinned", rel, line, f"conda package {spec!r} has no exact version",
        "pin name=version=build (conda env export --no-builds gives name=version), or use conda-lock",
        key=f"conda:{spec.split('=')[0].split('<')[0].split('>')[0].strip()}"))


def _check_pip(text: str, rel: str, line: int, rules: PinRules, scan: CondaScan) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    from mlaudit.pins.pip_install_lines import unpinned_arguments
    from mlaudit.pins.requirements_file import exact_version

    if text.startswith("-"):
        return  # -r requirements.txt / --index-url: the file is checked on its own
    try:
        req = Requirement(text)
    except InvalidRequirement:
        req = None
    if req is not None and not req.url:
        version = exact_version(req.specifier)
        if version is not None:
            scan.pinned.append(PinnedPackage(req.name, version, rel, line))
            return
    if unpinned_arguments([text]):
        scan.findings.add(rules.finding(
            "pins.unpinned", rel, line, f"pip package {text!r} in the conda environment is not pinned",
            "pin name==version", key=f"pip:{text}"))
