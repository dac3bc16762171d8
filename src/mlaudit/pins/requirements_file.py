"""Pins in ``requirements*.txt`` / ``constraints*.txt``, parsed by ``pip-requirements-parser``.

A requirement is pinned when it has exactly one ``==``/``===`` specifier without
a wildcard, or when a ``-c`` constraints file pins its name; a URL requirement
when it names a commit (VCS) or carries a hash (archive); local paths (``-e .``,
``./pkg``) are part of the repository and need no pin. Hashes are required for
every requirement once one of them has one (pip's hash-checking mode), with
``--require-hashes``, or with ``require_hashes = true``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlaudit.pins.pinned_package import PinnedPackage, is_commit_sha
from mlaudit.pins.rules import FindingList, PinRules
from mlaudit.repo_paths import OutsideRepository, resolve_in_repo, shown

MAX_BYTES = 5_000_000
"""Requirement lines (comments and blank lines aside) beyond this are an error, never a skip."""
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
# Options that point pip at another index or at local archives: never taken from the repository.
INDEX_OPTIONS = {"index_url": "--index-url", "extra_index_urls": "--extra-index-url", "find_links": "--find-links",
                 "trusted_hosts": "--trusted-host", "no_index": "--no-index"}


@dataclass(frozen=True)
class UnjudgeableRequirement:
    """A requirement that names code, not a release of the index (local path, editable, VCS, URL)."""

    path: str
    line: int | None
    text: str
    kind: str
    """``local path``, ``editable``, ``VCS`` or ``URL``."""


@dataclass(frozen=True)
class IndexRequirement:
    """A name/specifier requirement (canonical PEP 508 text) that an index resolves without running code."""

    path: str
    line: int | None
    requirement: str


@dataclass
class RequirementsScan:
    """What one requirements file says: findings, exact pins, and the files it includes."""

    findings: FindingList = field(default_factory=FindingList)
    pinned: list[PinnedPackage] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    hashed: bool = False
    """True when every requirement of the file carries a hash (a compiled lock)."""
    index_requirements: list[IndexRequirement] = field(default_factory=list)
    unjudgeable: list[UnjudgeableRequirement] = field(default_factory=list)
    index_options: list[tuple[int | None, str]] = field(default_factory=list)
    """Lines that set the index or local archives (``--index-url`` ...): ignored by mlaudit's resolution."""
    incomplete: list[str] = field(default_factory=list)
    """What could not be examined (unreadable file, remote or refused include): an error, never a pass."""


def exact_version(specifier: Any) -> str | None:
    """The version of a lone ``==``/``===`` specifier without wildcard, else None."""
    specs = list(specifier) if specifier is not None else []
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator in ("==", "===") and "*" not in spec.version:
        return str(spec.version)
    return None


def _include_target(root: Path, rel: str, target: str) -> str:
    """The include ``target`` of ``rel`` as a path inside the root; raises ``OutsideRepository``."""
    if "://" in target:
        raise OutsideRepository(target, "a remote include: mlaudit never downloads requirement files")
    base = rel.rsplit("/", 1)[0] if "/" in rel else ""
    return resolve_in_repo(root, target, base=base).rel


def read_requirements(root: Path, rel: str) -> tuple[Any | None, str | None]:
    """The parsed file, or (None, reason) when it cannot be read.

    Comment-only and blank lines are dropped while streaming (line numbers kept), so
    a pin followed by megabytes of comments is still judged; more than ``MAX_BYTES``
    of requirement lines is a reason, never a silent skip.
    """
    from pip_requirements_parser import RequirementsFile  # type: ignore[import-untyped]

    from mlaudit.pins.requirements_parser_speedup import install

    install()
    try:
        path = resolve_in_repo(root, rel, expect="file").real
        kept = _requirement_lines(path)
    except OutsideRepository as exc:
        return None, exc.reason
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read: {exc}"
    if kept is None:
        return None, f"holds more than {MAX_BYTES} bytes of requirement lines"
    try:
        with tempfile.TemporaryDirectory(prefix="mlaudit-req-") as tmp:
            copy = os.path.join(tmp, "requirements.txt")
            with open(copy, "wb") as out:
                out.write(kept)
            return RequirementsFile.from_file(copy, include_nested=False), None
    except UnicodeDecodeError as exc:
        return None, f"cannot read: {exc}"
    except Exception as exc:  # noqa: BLE001 - the parser raises many types on hostile input
        return None, f"cannot parse: {type(exc).__name__}: {exc}"


def _requirement_lines(path: Path) -> bytes | None:
    """The file with comment-only lines emptied (line numbers kept); None past ``MAX_BYTES`` of content."""
    kept: list[bytes] = []
    size = 0
    blank_run = 0
    continued = False
    with open(path, "rb") as stream:
        for raw in stream:
            stripped = raw.strip()
            if not continued and (not stripped or stripped.startswith(b"#")):
                blank_run += 1
                continue
            continued = stripped.endswith(b"\\")
            if blank_run:
                kept.append(b"\n" * blank_run)
                blank_run = 0
            size += len(raw)
            if size > MAX_BYTES:
                return None
            kept.append(raw if raw.endswith(b"\n") else raw + b"\n")
    return b"".join(kept)


def scan_requirements(
    root: Path, rel: str, rules: PinRules, *, constraint_pins: frozenset[str] = frozenset()
) -> RequirementsScan:
    """Check every line of the requirements file ``rel`` (POSIX, relative to ``root``)."""
    from packaging.utils import canonicalize_name

    scan = RequirementsScan()
    parsed, problem = read_requirements(root, rel)
    if parsed is None:
        scan.findings.add(rules.finding(
            "pins.invalid-file", rel, None, f"{shown(rel)} {problem}", "fix or remove the file", key="read"))
        scan.incomplete.append(f"{shown(rel)} was not examined: {problem}")
        return scan
    require_hashes = rules.options.require_hashes
    for option in parsed.options:
        opts = option.options
        if opts.get("require_hashes"):
            require_hashes = True
        scan.index_options.extend((option.line_number, flag) for key, flag in INDEX_OPTIONS.items() if opts.get(key))
        for kind, bucket in (("requirements", scan.includes), ("constraints", scan.constraints)):
            for target in opts.get(kind, ()):
                _add_include(root, rel, option.line_number, kind, target, bucket, rules, scan)
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


def _add_include(root: Path, rel: str, line: int | None, kind: str, target: str, bucket: list[str],
                 rules: PinRules, scan: RequirementsScan) -> None:
    try:
        inc = _include_target(root, rel, target)
    except OutsideRepository as exc:
        scan.findings.add(rules.finding(
            "pins.include-refused", rel, line, f"-{kind[0]} {shown(target)} not followed: {exc.reason}",
            "include a requirements file of this repository by its relative path", key=f"include:{target}"))
        scan.incomplete.append(f"{shown(rel)}:{line}: -{kind[0]} {shown(target)} not followed: {exc.reason}")
        return
    if not (root / inc).is_file():
        scan.findings.add(rules.finding(
            "pins.include-missing", rel, line,
            f"-{kind[0]} {shown(target)}: file not found", f"create {shown(inc)} or remove the line",
            key=f"include:{target}"))
        return
    bucket.append(inc)


def _check_requirement(
    req: Any, root: Path, rel: str, rules: PinRules, scan: RequirementsScan,
    constraint_pins: frozenset[str], require_hashes: bool, canonicalize: Any,
) -> None:
    line = req.line_number
    text = (req.line or "").strip()
    link = req.link.url if req.link is not None else None
    if link is not None or req.is_editable:
        scan.unjudgeable.append(UnjudgeableRequirement(rel, line, text, _link_kind(link or "", req.is_editable)))
    elif req.req is not None:
        marker = f"; {req.marker}" if req.marker is not None and req.req.marker is None else ""
        scan.index_requirements.append(IndexRequirement(rel, line, f"{req.req}{marker}"))
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


def _link_kind(link: str, editable: bool) -> str:
    if editable:
        return "editable"
    if link.startswith(_VCS_PREFIXES):
        return "VCS"
    if "://" in link and not link.startswith("file:"):
        return "URL"
    return "local path"


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
