"""Pins in ``requirements*.txt`` / ``constraints*.txt``, parsed by ``pip-requirements-parser``.

A requirement is pinned when it has exactly one ``==``/``===`` specifier without
a wildcard, or when a ``-c`` constraints file pins its name; a URL requirement
when it names a commit (VCS) or carries a hash (archive); local paths (``-e .``,
``./pkg``) are part of the repository and need no pin. Hashes are required for
every requirement once one of them has one (pip's hash-checking mode), with
``--require-hashes``, or with ``require_hashes = true``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlaudit.pins.pinned_package import PinnedPackage, is_commit_sha
from mlaudit.pins.rules import FindingList, PinRules

MAX_BYTES = 5_000_000
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")


@dataclass
class RequirementsScan:
    """What one requirements file says: findings, exact pins, and the files it includes."""

    findings: FindingList = field(default_factory=FindingList)
    pinned: list[PinnedPackage] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    hashed: bool = False
    """True when every requirement of the file carries a hash (a compiled lock)."""


def exact_version(specifier: Any) -> str | None:
    """The version of a lone ``==``/``===`` specifier without wildcard, else None."""
    specs = list(specifier) if specifier is not None else []
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator in ("==", "===") and "*" not in spec.version:
        return str(spec.version)
    return None


def _include_target(root: Path, rel: str, target: str) -> str | None:
    if "://" in target:
        return None  # remote includes cannot be followed offline
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
    return None if joined.startswith("../") else joined


def read_requirements(root: Path, rel: str) -> tuple[Any | None, str | None]:
    """The parsed file, or (None, reason) when it cannot be read."""
    from pip_requirements_parser import RequirementsFile  # type: ignore[import-untyped]

    from mlaudit.pins.requirements_parser_speedup import install

    install()
    path = root / rel
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"larger than {MAX_BYTES} bytes"
        return RequirementsFile.from_file(str(path), include_nested=False), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read: {exc}"
    except Exception as exc:  # noqa: BLE001 - the parser raises many types on hostile input
        return None, f"cannot parse: {type(exc).__name__}: {exc}"


def scan_requirements(
    root: Path, rel: str, rules: PinRules, *, constraint_pins: frozenset[str] = frozenset()
) -> RequirementsScan:
    """Check every line of the requirements file ``rel`` (POSIX, relative to ``root``)."""
    from packaging.utils import canonicalize_name

    scan = RequirementsScan()
    parsed, problem = read_requirements(root, rel)
    if parsed is None:
        scan.findings.add(rules.finding(
            "pins.invalid-file", rel, None, f"{rel} {problem}", "fix or remove the file", key="read"))
        return scan
    require_hashes = rules.options.require_hashes
    for option in parsed.options:
        opts = option.options
        if opts.get("require_hashes"):
            require_hashes = True
        for kind, bucket in (("requirements", scan.includes), ("constraints", scan.constraints)):
            for target in opts.get(kind, ()):
                inc = _include_target(root, rel, target)
                if inc is not None and not (root / inc).is_file():
                    scan.findings.add(rules.finding(
                        "pins.include-missing", rel, option.line_number,
                        f"-{kind[0]} {target}: file not found", f"create {inc} or remove the line",
                        key=f"include:{target}"))
                elif inc is not None:
                    bucket.append(inc)
    for bad in parsed.invalid_lines:
        first = (bad.error_message or "").splitlines()[0] if bad.error_message else "invalid line"
        scan.findings.add(rules.finding(
            "pins.invalid-file", rel, bad.line_number, f"unparsable requirement {bad.line!r}: {first}",
            "write a valid PEP 508 requirement (name==version)", key=f"invalid:{bad.line}"))
    requirements = list(parsed.requirements)
    hashed_count = sum(1 for r in requirements if r.hash_options)
    if hashed_count:
        require_hashes = True
    scan.hashed = bool(requirements) and hashed_count == len(requirements)
    for req in requirements:
        _check_requirement(req, root, rel, rules, scan, constraint_pins, require_hashes, canonicalize_name)
    return scan


def _check_requirement(
    req: Any, root: Path, rel: str, rules: PinRules, scan: RequirementsScan,
    constraint_pins: frozenset[str], require_hashes: bool, canonicalize: Any,
) -> None:
    line = req.line_number
    text = (req.line or "").strip()
    link = req.link.url if req.link is not None else None
    if link is not None:
        local = _check_link(link, req, root, rel, rules, scan, text, line)
        if local:
            return
    elif req.name:
        version = exact_version(req.specifier)
        if version is not None:
            scan.pinned.append(PinnedPackage(req.name, version, rel, line))
        elif canonicalize(req.name) not in constraint_pins:
            scan.findings.add(rules.finding(
                "pins.unpinned", rel, line, f"{req.name} is not pinned ({text})",
                f"pin one version: {req.name}==<version> (pip-compile / uv pip compile write them)",
                key=f"req:{canonicalize(req.name)}", details={"requirement": text}))
    if require_hashes and not req.hash_options and not req.is_editable:
        scan.findings.add(rules.finding(
            "pins.missing-hash", rel, line, f"{req.name or text} has no --hash",
            "add --hash=sha256:<digest> (pip-compile --generate-hashes / uv pip compile --generate-hashes)",
            key=f"hash:{req.name or text}"))


def _check_link(
    link: str, req: Any, root: Path, rel: str, rules: PinRules, scan: RequirementsScan,
    text: str, line: int | None,
) -> bool:
    """Check a URL/path requirement; True when it is local to the repository (no pin needed)."""
    name = req.name or link
    if link.startswith("file:"):
        target = link[len("file:"):].lstrip("/") if link.startswith("file:///") else None
        if target is None:
            return True  # file:./relative stays in the repository
        absolute = Path("/" + target)
        try:
            absolute.resolve().relative_to(root.resolve())
            return True
        except ValueError:
            scan.findings.add(rules.finding(
                "pins.local-file", rel, line, f"{name} comes from {link}, a path outside the repository",
                "publish the artifact and pin it by version and hash, or vendor it in the repository",
                key=f"file:{name}"))
            return False
    if "://" not in link:
        return True  # ./pkg, -e .: part of the repository
    if link.startswith(_VCS_PREFIXES):
        path = urlsplit(link.split("+", 1)[1]).path
        ref = path.rsplit("@", 1)[1] if "@" in path else ""
        if not is_commit_sha(ref):
            shown = ref or "no ref (the default branch)"
            scan.findings.add(rules.finding(
                "pins.url-unpinned", rel, line, f"{name} follows {shown}, not a commit ({text})",
                "pin the full commit SHA: git+https://...@<40-hex commit>", key=f"vcs:{name}"))
        return False
    fragment = urlsplit(link).fragment
    if "sha256=" not in fragment and not req.hash_options:
        scan.findings.add(rules.finding(
            "pins.url-unpinned", rel, line, f"{name} is downloaded from {link} without a hash",
            "add #sha256=<digest> to the URL or a --hash option", key=f"url:{name}"))
    return False
