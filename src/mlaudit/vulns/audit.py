"""Audit exact pins from every source: cached answers first, pip-audit for the rest, findings mapped
back to the file and line that pin each package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlaudit.model import Finding, Severity
from mlaudit.pins.pinned_package import PinnedPackage
from mlaudit.pins.requirements_file import UnjudgeableRequirement
from mlaudit.vulns.answer_cache import AnswerCache
from mlaudit.vulns.options import VulnsOptions
from mlaudit.vulns.pip_audit_runner import Advisory, PipAuditFailure, run_pip_audit


@dataclass
class VulnAudit:
    """What the audit found, ignored, could not audit, and how it got its answers."""

    findings: list[Finding] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    audited: int = 0
    total: int = 0
    """Distinct (package, version) pairs found pinned."""
    from_cache: int = 0
    pip_audit_runs: int = 0


def _batches(packages: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Split so each name appears once per pip-audit run (markers may pin two versions)."""
    batches: list[list[tuple[str, str]]] = []
    for pair in packages:
        for batch in batches:
            if all(n != pair[0] for n, _ in batch):
                batch.append(pair)
                break
        else:
            batches.append([pair])
    return batches


def _is_pep440(version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def audit_pins(pins: Sequence[PinnedPackage], osv_url: str, cache: AnswerCache, options: VulnsOptions,
               database: dict[str, Any], pip_audit_cache: Path) -> VulnAudit:
    """Audit every pin (cached answers first) and map advisories to the lines that pin them."""
    from packaging.utils import canonicalize_name

    result = VulnAudit()
    answers: dict[tuple[str, str], tuple[Advisory, ...]] = {}
    failed: dict[tuple[str, str], str] = {}
    by_source: dict[str, list[tuple[str, str]]] = {}
    for pin in pins:
        key = (str(canonicalize_name(pin.name)), pin.version)
        if key in answers or key in failed or key in by_source.get(pin.path, []):
            continue
        if not _is_pep440(pin.version):
            # pip-audit cannot place such a version and would abort the whole batch.
            failed[key] = f"version {pin.version!r} is not a PEP 440 version"
            result.not_audited.append(f"{key[0]}=={pin.version} ({pin.path}): {failed[key]}")
            continue
        cached = cache.get(*key)
        if cached is not None:
            answers[key] = cached
            result.from_cache += 1
        else:
            by_source.setdefault(pin.path, []).append(key)
    # One pip-audit run covers every source: its start-up (1-3 s of imports) dominates
    # the cost, and findings are mapped back to each file and line here, not by pip-audit.
    todo = list(dict.fromkeys(k for keys in by_source.values() for k in keys))
    sources_of = {k: sorted(src for src, keys in by_source.items() if k in keys) for k in todo}
    for batch in _batches(todo):
        try:
            answer = run_pip_audit(batch, osv_url, timeout=options.timeout, cache_dir=pip_audit_cache)
        except PipAuditFailure as exc:
            involved = sorted({src for k in batch for src in sources_of[k]})
            result.errors.append(f"{exc} (sources not audited: {', '.join(involved)})")
            failed.update({k: str(exc) for k in batch})
            continue
        result.pip_audit_runs += 1
        for key, advisories in answer.advisories.items():
            answers[key] = advisories
            cache.put(*key, advisories)
        for key, reason in answer.skipped.items():
            failed[key] = reason
            where = ", ".join(sources_of.get(key, []))
            result.not_audited.append(f"{key[0]}=={key[1]} ({where}): {reason}")
    cache.save()
    result.audited = len(answers)
    result.total = len({(str(canonicalize_name(p.name)), p.version) for p in pins})
    for pin in pins:
        key = (str(canonicalize_name(pin.name)), pin.version)
        for advisory in answers.get(key, ()):
            _report(pin, key[0], advisory, options, database, result)
    return result


def _report(pin: PinnedPackage, name: str, advisory: Advisory, options: VulnsOptions,
            database: dict[str, Any], result: VulnAudit) -> None:
    ids = (advisory.id, *advisory.aliases)
    waived = options.ignored(ids)
    if waived is not None and not waived.expired(dt.date.today()):
        result.ignored.append({"id": advisory.id, "package": name, "version": pin.version,
                               "path": pin.path, "line": pin.line, "reason": waived.reason,
                               "owner": waived.owner, "expires": str(waived.expires or "")})
        return
    if waived is not None:
        result.findings.append(Finding(
            rule="vulns.ignore-expired", severity=Severity.LOW, path=pin.path, line=pin.line,
            message=f"the ignore entry for {waived.id} ({waived.reason}) expired on {waived.expires}; "
                    f"{pin.name} {pin.version} is reported again",
            remediation="upgrade the package, or renew the entry's 'expires' if the reason still holds",
            key=f"{name}:{advisory.id}:expired"))
    aliases = [a for a in advisory.aliases if a.startswith(("CVE-", "GHSA-", "PYSEC-"))]
    shown = f"{advisory.id} ({', '.join(aliases)})" if aliases else advisory.id
    fixed = ", ".join(advisory.fix_versions)
    remediation = (f"upgrade to {pin.name}=={advisory.fix_versions[0]} or later (fixed in {fixed})"
                   if advisory.fix_versions else "no fixed version is known: remove the package or ignore "
                   "the advisory with a reason in [tool.mlaudit.vulns]")
    description = advisory.description if len(advisory.description) <= 160 \
        else advisory.description[:157] + "..."
    result.findings.append(Finding(
        rule="vulns.known-vulnerability",
        severity=options.severity,
        message=f"{pin.name} {pin.version} is affected by {shown}: {description}",
        path=pin.path,
        line=pin.line,
        remediation=remediation,
        key=f"{name}:{advisory.id}",
        details={"package": name, "version": pin.version, "id": advisory.id,
                 "aliases": list(advisory.aliases), "fix_versions": list(advisory.fix_versions),
                 "database": database.get("url") or database.get("path")},
    ))


def unjudgeable_findings(requirements: Sequence[UnjudgeableRequirement]) -> list[Finding]:
    """``vulns.unjudgeable-requirement`` for each local path, editable, VCS or URL requirement."""
    return [
        Finding(
            rule="vulns.unjudgeable-requirement",
            severity=Severity.MEDIUM,
            path=req.path,
            line=req.line,
            message=f"{req.text} ({req.kind} requirement): its vulnerabilities cannot be judged "
                    "without running its code (mlaudit never builds it)",
            remediation="depend on a released version (name==version) so it can be audited, "
                        "or vendor its dependencies into a requirements file",
            key=f"unjudgeable:{req.text}",
            details={"requirement": req.text, "kind": req.kind},
        )
        for req in requirements
    ]
