"""What the repository's workflows let a token or a pull request do.

zizmor (when installed) is the maintained auditor for GitHub workflows: its
offline findings are reused as ``access.workflow-<audit>``. Without it, minimal
checks of our own stand in for the audits that matter here
(``dangerous-triggers``: ``pull_request_target`` checking out the head;
``artipacked``: ``actions/checkout`` persisting the token in ``.git/config``),
under the same rule ids. Two checks always run, because zizmor does not make
them: the top-level ``permissions:`` must be set and read-only, and no step
may write a token to a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from mlaudit.governance.zizmor_findings import WORKFLOWS_DIR, run_zizmor, zizmor_command
from mlaudit.model import Finding, Severity
from mlaudit.repo_paths import OutsideRepository, contained_file

_TOKEN = re.compile(r"\$\{\{\s*(secrets\.[A-Za-z0-9_]+|github\.token)\s*\}\}")
_TO_FILE = re.compile(r"(>>?|\btee\b)\s*(?!\s*&)")
_HEAD_REF = re.compile(r"github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref")
_WRITE_SCOPES = ("write", "write-all")


def workflow_files(files: Sequence[str]) -> list[str]:
    """The repository's workflow files."""
    return [p for p in files if p.startswith(WORKFLOWS_DIR + "/") and p.endswith((".yml", ".yaml"))]


def audit_workflows(root: Path, files: Sequence[str], *, use_zizmor: bool) -> tuple[list[Finding], dict[str, Any]]:
    """Findings about the workflows and evidence saying which auditor produced them."""
    workflows = workflow_files(files)
    findings: list[Finding] = []
    parsed: dict[str, Any] = {}
    inside: list[str] = []  # only these reach zizmor: a link out of the root is never read by either
    for rel in workflows:
        found = contained_file(root, rel)
        if isinstance(found, OutsideRepository):
            findings.append(_unreadable(rel, f"{found.reason}: never read"))
            continue
        inside.append(rel)
        try:
            data = yaml.safe_load(Path(found.real).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            findings.append(_unreadable(rel, f"cannot parse the workflow: {str(exc).splitlines()[0]}"))
            continue
        if isinstance(data, dict):
            parsed[rel] = data
            findings.extend(_permission_findings(rel, data))
            findings.extend(_token_to_disk(rel, data))
    command = zizmor_command() if use_zizmor else None
    evidence: dict[str, Any] = {"workflows": workflows, "auditor": "mlaudit minimal checks"}
    if command and inside:
        zizmor_found, version = run_zizmor(command, root, inside)
        if zizmor_found is not None:
            findings.extend(zizmor_found)
            evidence["auditor"] = f"zizmor {version}".strip()
            return findings, evidence
        evidence["zizmor_failed"] = version
    for rel, data in parsed.items():
        findings.extend(_fallback_findings(rel, data))
    return findings, evidence


def _unreadable(rel: str, why: str) -> Finding:
    return Finding(
        rule="access.workflow-unreadable",
        severity=Severity.MEDIUM,
        path=rel,
        key=rel,
        message=why,
        remediation="make it a regular file of the repository that GitHub (and this audit) can read",
    )


def _permission_findings(rel: str, data: dict[str, Any]) -> list[Finding]:
    perms = data.get("permissions")
    where = f"{rel}: top-level 'permissions:'"
    if perms is None:
        return [
            Finding(
                rule="access.workflow-permissions-unset",
                severity=Severity.MEDIUM,
                path=rel,
                key=rel,
                message="no top-level 'permissions:': every job gets the repository's default token scopes",
                remediation=f"{where}: add `permissions: {{contents: read}}` (or `{{}}`) and grant "
                "more per job only where needed",
            )
        ]
    broad = perms in _WRITE_SCOPES or (isinstance(perms, dict) and any(v in _WRITE_SCOPES for v in perms.values()))
    if broad:
        return [
            Finding(
                rule="access.workflow-permissions-broad",
                severity=Severity.MEDIUM,
                path=rel,
                key=rel,
                message="the top-level 'permissions:' grants write access to every job",
                remediation=f"{where}: make it read-only (`contents: read`) and grant write scopes "
                "in the one job that needs them",
            )
        ]
    return []


def _steps(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    jobs = data.get("jobs")
    for job_id, job in jobs.items() if isinstance(jobs, dict) else ():
        for step in (job.get("steps") or []) if isinstance(job, dict) else []:
            if isinstance(step, dict):
                out.append((str(job_id), step))
    return out


def _token_to_disk(rel: str, data: dict[str, Any]) -> list[Finding]:
    found = []
    for job_id, step in _steps(data):
        script = step.get("run")
        if not isinstance(script, str):
            continue
        for line in script.splitlines():
            if _TOKEN.search(line) and _TO_FILE.search(line):
                found.append(
                    Finding(
                        rule="access.workflow-token-on-disk",
                        severity=Severity.HIGH,
                        path=rel,
                        key=f"{job_id}",
                        message=f"job '{job_id}' writes a token to a file "
                        "(later steps, artifacts or caches can read it)",
                        remediation=f"{rel}: job '{job_id}': pass the token through `env:` to the one command "
                        "that needs it instead of writing it to disk",
                    )
                )
                break
    return found


def _triggers(data: dict[Any, Any]) -> set[str]:
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on:` key as true
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(t) for t in on}
    return {str(t) for t in on} if isinstance(on, dict) else set()


def _fallback_findings(rel: str, data: dict[str, Any]) -> list[Finding]:
    found = []
    target = "pull_request_target" in _triggers(data)
    for job_id, step in _steps(data):
        uses = step.get("uses")
        if not (isinstance(uses, str) and uses.startswith("actions/checkout@")):
            continue
        with_ = _mapping(step.get("with"))
        if target and _HEAD_REF.search(str(with_.get("ref", ""))):
            found.append(
                Finding(
                    rule="access.workflow-dangerous-triggers",
                    severity=Severity.HIGH,
                    path=rel,
                    key=job_id,
                    message=f"job '{job_id}' checks out the pull request's head under pull_request_target "
                    "(code from a fork runs with a write token and secrets)",
                    remediation=f"{rel}: use `on: pull_request` for code from the PR, and the workflow_run pattern "
                    "for steps that need write access",
                )
            )
        if str(with_.get("persist-credentials", "true")).lower() != "false":
            found.append(
                Finding(
                    rule="access.workflow-artipacked",
                    severity=Severity.MEDIUM,
                    path=rel,
                    key=job_id,
                    message=f"job '{job_id}': actions/checkout leaves the token in .git/config",
                    remediation=f"{rel}: job '{job_id}': add `with: persist-credentials: false` to actions/checkout",
                )
            )
    return found


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
