"""Pins in ``Dockerfile`` / ``Containerfile``: ``FROM`` by ``@sha256:`` digest, ``pip install`` in ``RUN``.

``FROM <stage>`` naming an earlier ``AS <stage>`` is fine (multi-stage builds);
``FROM scratch`` too. ``ARG`` defaults are substituted into ``FROM`` (the image
that is built when nobody passes ``--build-arg``); an ``ARG`` without default
cannot be checked and is reported as such.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import Path

from mlaudit.pins.pinned_package import PinnedPackage
from mlaudit.pins.pip_install_lines import logical_lines, scan_script
from mlaudit.pins.rules import FindingList, PinRules

MAX_BYTES = 1_000_000
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}")


def is_dockerfile_path(rel: str) -> bool:
    """``Dockerfile``, ``Dockerfile-cpu``, ``Dockerfile.arm64``, ``gpu.Dockerfile``, ``Containerfile*``."""
    from mlaudit.pins.source_names import SourceKind, is_kind

    return is_kind(rel, SourceKind.DOCKERFILE)


def _substitute(image: str, args: dict[str, str | None]) -> tuple[str, list[str]]:
    """``image`` with ARG defaults substituted, and the ARGs that have no value."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        value = args.get(name)
        if value is None:
            inline = _DEFAULT.fullmatch(match.group(0))
            if inline is not None:
                return inline.group(2)
            missing.append(name)
            return match.group(0)
        return value

    return _VAR.sub(replace, image), missing


def scan_dockerfile(root: Path, rel: str, rules: PinRules,
                    pinned: list[PinnedPackage] | None = None) -> FindingList:
    """Check every ``FROM`` and ``RUN pip install`` of a Dockerfile (exact pins go to ``pinned``)."""
    findings = FindingList()
    path = root / rel
    try:
        if path.stat().st_size > MAX_BYTES:
            findings.add(rules.finding("pins.invalid-file", rel, None, f"{rel} is larger than {MAX_BYTES} bytes",
                                       "split the file", key="size"))
            return findings
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        findings.add(rules.finding("pins.invalid-file", rel, None, f"{rel}: cannot read: {exc}",
                                   "save the file as UTF-8", key="read"))
        return findings
    args: dict[str, str | None] = {}
    stages: set[str] = set()
    for number, line in logical_lines(text, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        instruction, _, rest = stripped.partition(" ")
        keyword = instruction.upper()
        if keyword == "ARG":
            name, eq, value = rest.strip().partition("=")
            args.setdefault(name.strip(), value.strip().strip("\"'") if eq else None)
        elif keyword == "FROM":
            _check_from(rest, number, rel, rules, args, stages, findings)
        elif keyword == "RUN":
            scan_script(rest, number, rel, rules, "RUN", findings, pinned)
    return findings


def _check_from(rest: str, number: int, rel: str, rules: PinRules, args: dict[str, str | None],
                stages: set[str], findings: FindingList) -> None:
    words = [w for w in rest.split() if not w.startswith("--")]
    if not words:
        findings.add(rules.finding("pins.invalid-file", rel, number, "FROM without an image",
                                   "name the base image", key=f"from:{number}"))
        return
    written = words[0]
    if len(words) >= 3 and words[1].lower() == "as":
        stages.add(words[2].lower())
    image, missing = _substitute(written, args)
    if image.lower() in stages or image == "scratch":
        return
    if missing:
        findings.add(rules.finding(
            "pins.image-unpinned", rel, number,
            f"FROM {written}: ARG {', '.join(missing)} has no default, the image cannot be checked",
            "give the ARG a default pinned by digest (ARG BASE=image@sha256:<digest>)",
            key=f"from:{written}"))
        return
    if "@sha256:" in image or any(fnmatchcase(image, p) for p in rules.options.allowed_images):
        return
    shown = written if image == written else f"{written} (= {image})"
    findings.add(rules.finding(
        "pins.image-unpinned", rel, number, f"FROM {shown} is not pinned by digest",
        f"use {image}@sha256:<digest> (docker buildx imagetools inspect {image})",
        key=f"from:{image}"))
