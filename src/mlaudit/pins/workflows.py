"""Pins in GitHub workflows and composite actions: ``uses:`` by full commit SHA, ``pip install`` in ``run:``.

Accepted: ``owner/repo[/path]@<40-hex>`` (actions and reusable workflows), local
``./`` actions and workflows, ``docker://image@sha256:<digest>``. A tag or a
branch can be moved after review, so it is flagged.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mlaudit.pins.pinned_package import PinnedPackage, is_commit_sha
from mlaudit.pins.pip_install_lines import scan_script
from mlaudit.pins.rules import FindingList, PinRules
from mlaudit.pins.yaml_lines import (
    block_first_line,
    compose_yaml,
    line_of,
    mapping_get,
    mapping_items,
    scalar,
    sequence_items,
)


def is_workflow_path(rel: str) -> bool:
    """A workflow (``.github/workflows/*.yml``) or an action metadata file (``action.yml``)."""
    from mlaudit.pins.source_names import SourceKind, is_kind

    return is_kind(rel, SourceKind.WORKFLOW)


def check_uses(value: str, rel: str, line: int, rules: PinRules, findings: FindingList) -> None:
    """Check one ``uses:`` value."""
    if value.startswith("./") or "${{" in value:
        return
    if value.startswith("docker://"):
        image = value[len("docker://"):]
        if "@sha256:" not in image and not _allowed(image, rules.options.allowed_images):
            findings.add(rules.finding(
                "pins.docker-action-unpinned", rel, line, f"uses: {value} is not pinned by digest",
                f"use docker://{image.split(':')[0]}@sha256:<digest>", key=f"docker:{value}"))
        return
    target, _, ref = value.partition("@")
    if is_commit_sha(ref) or _allowed(target, rules.options.allowed_actions):
        return
    kind = "reusable workflow" if "/.github/workflows/" in target else "action"
    shown = ref or "no ref"
    findings.add(rules.finding(
        "pins.action-unpinned", rel, line, f"{kind} {target} is pinned to {shown}, not a commit SHA",
        f"use {target}@<full 40-hex commit SHA> # {ref or 'tag'} (pinact / Dependabot keep it updated)",
        key=f"uses:{target}", details={"uses": value}))


def _allowed(target: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(target, p) for p in patterns)


def _check_steps(steps: Any, rel: str, rules: PinRules, findings: FindingList, where: str,
                 pinned: list[PinnedPackage] | None) -> None:
    for index, step in enumerate(sequence_items(steps)):
        uses = mapping_get(step, "uses")
        value = scalar(uses) if uses is not None else None
        if value:
            check_uses(value.strip(), rel, line_of(uses), rules, findings)
        run = mapping_get(step, "run")
        script = scalar(run) if run is not None else None
        if script:
            name = scalar(mapping_get(step, "name")) or f"step {index + 1}"
            scan_script(script, block_first_line(run), rel, rules, f"{where} / {name}", findings, pinned)


def scan_workflow(root: Path, rel: str, rules: PinRules,
                  pinned: list[PinnedPackage] | None = None) -> FindingList:
    """Check a workflow or composite action file (``pip install name==version`` pins go to ``pinned``)."""
    findings = FindingList()
    node, problem, line = compose_yaml(root / rel)
    if node is None:
        if problem is not None:
            findings.add(rules.finding("pins.invalid-file", rel, line, f"{rel}: {problem}",
                                       "fix the YAML syntax", key="yaml"))
        return findings
    for job_name, job in mapping_items(mapping_get(node, "jobs")):
        uses = mapping_get(job, "uses")  # a job calling a reusable workflow
        value = scalar(uses) if uses is not None else None
        if value:
            check_uses(value.strip(), rel, line_of(uses), rules, findings)
        container = mapping_get(job, "container")
        image = scalar(container) or scalar(mapping_get(container, "image"))
        if image and "@sha256:" not in image and "${{" not in image \
                and not _allowed(image, rules.options.allowed_images):
            findings.add(rules.finding(
                "pins.image-unpinned", rel, line_of(container), f"job {job_name} container {image} has no digest",
                f"use {image.split(':')[0]}@sha256:<digest>", key=f"container:{job_name}"))
        for service_name, service in mapping_items(mapping_get(job, "services")):
            service_node = mapping_get(service, "image")
            service_image = scalar(service_node)
            if service_image and "@sha256:" not in service_image and "${{" not in service_image \
                    and not _allowed(service_image, rules.options.allowed_images):
                findings.add(rules.finding(
                    "pins.image-unpinned", rel, line_of(service_node),
                    f"job {job_name} service {service_name} image {service_image} has no digest",
                    f"use {service_image.split(':')[0]}@sha256:<digest>", key=f"service:{job_name}:{service_name}"))
        _check_steps(mapping_get(job, "steps"), rel, rules, findings, f"job {job_name}", pinned)
    runs = mapping_get(node, "runs")  # action.yml of a composite (or docker) action
    if runs is not None:
        _check_steps(mapping_get(runs, "steps"), rel, rules, findings, "composite action", pinned)
        image_node = mapping_get(runs, "image")
        image = scalar(image_node)
        if image and image.startswith("docker://"):
            check_uses(image, rel, line_of(image_node), rules, findings)
    return findings
