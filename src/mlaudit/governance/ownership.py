"""Who owns the sensitive paths (CODEOWNERS) and who holds admin or write access."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlaudit.governance.codeowners import LOCATIONS, CheckedCodeOwners, is_catch_all
from mlaudit.model import Finding, Severity

_WHERE = "Settings → Collaborators and teams"


def codeowners_findings(owners: CheckedCodeOwners | None, targets: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Findings for a missing/invalid CODEOWNERS and for target paths with no named owner.

    ``targets`` maps a category (``weights``, ``model card`` ...) to its paths.
    A path owned only through a catch-all rule (``*``) counts as unowned: the
    catch-all names whoever reviews everything, so nobody in particular.
    """
    if owners is None:
        listed = ", ".join(sorted({p for paths in targets.values() for p in paths})[:8])
        return [
            Finding(
                rule="access.codeowners-missing",
                severity=Severity.MEDIUM,
                key="codeowners",
                message=f"no CODEOWNERS file: nobody is asked to review changes to {listed or 'the model'}",
                remediation=f"add {LOCATIONS[0]} naming owners for the weights, the weight manifest, "
                "the model card, mlaudit's configuration and .github/workflows/",
            )
        ]
    found = [
        Finding(
            rule="access.codeowners-invalid",
            severity=Severity.MEDIUM,
            path=owners.path,
            line=p.line,
            key=f"{p.line}:{p.message}",
            message=(f"CODEOWNERS line {p.line}: {p.message} (GitHub skips it)" if p.line
                     else f"{owners.path}: {p.message}"),
            remediation=f"{owners.path} line {p.line}: fix the rule",
        )
        for p in owners.problems
    ]
    for category, paths in targets.items():
        unowned = [p for p in paths if not _rule_owners(owners, p)]
        catch_all = [p for p in paths if p not in unowned and (rule := owners.owner_rule(p)) and is_catch_all(rule)]
        if unowned:
            found.append(
                Finding(
                    rule="access.codeowners-uncovered",
                    severity=Severity.MEDIUM,
                    path=owners.path,
                    key=category,
                    message=f"no code owner for the {category}: {_some(unowned)}",
                    remediation=f"{owners.path}: add a rule for {_some(unowned)} naming the people or team who "
                    "must review it",
                    details={"paths": list(unowned)},
                )
            )
        if catch_all:
            found.append(
                Finding(
                    rule="access.codeowners-catch-all",
                    severity=Severity.LOW,
                    path=owners.path,
                    key=category,
                    message=f"the {category} ({_some(catch_all)}) are owned only through the catch-all rule",
                    remediation=f"{owners.path}: add a specific rule for {_some(catch_all)} after the catch-all, "
                    "naming its reviewers",
                    details={"paths": list(catch_all)},
                )
            )
    return found


def _rule_owners(owners: CheckedCodeOwners, path: str) -> tuple[str, ...]:
    rule = owners.owner_rule(path)
    return rule.owners if rule else ()


def _some(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:5])
    return shown + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def access_holders(collaborators: Sequence[Any], teams: Sequence[Any]) -> dict[str, list[dict[str, str]]]:
    """People and teams with admin and with write (maintain or push) access."""
    admins: list[dict[str, str]] = []
    writers: list[dict[str, str]] = []
    for person in collaborators:
        if not isinstance(person, dict):
            continue
        raw = person.get("permissions")
        perms: dict[str, Any] = raw if isinstance(raw, dict) else {}
        entry = {"kind": "user", "name": str(person.get("login", "?")), "role": str(person.get("role_name", ""))}
        if perms.get("admin"):
            admins.append(entry)
        elif perms.get("maintain") or perms.get("push"):
            writers.append(entry)
    for team in teams:
        if not isinstance(team, dict):
            continue
        permission = str(team.get("permission", ""))
        entry = {"kind": "team", "name": str(team.get("slug") or team.get("name", "?")), "role": permission}
        if permission == "admin":
            admins.append(entry)
        elif permission in ("maintain", "push"):
            writers.append(entry)
    return {"admins": admins, "writers": writers}


def holder_findings(holders: Mapping[str, list[dict[str, str]]], max_admins: int, max_writers: int) -> list[Finding]:
    """A finding when more people or teams hold admin / write access than the policy allows."""
    found = []
    for kind, limit, rule in (
        ("admins", max_admins, "access.too-many-admins"),
        ("writers", max_writers, "access.too-many-writers"),
    ):
        names = [f"{h['name']} ({h['kind']})" for h in holders[kind]]
        if len(names) > limit:
            label = "admin" if kind == "admins" else "write"
            found.append(
                Finding(
                    rule=rule,
                    severity=Severity.MEDIUM,
                    key=kind,
                    message=f"{len(names)} people or teams hold {label} access "
                    f"(policy: at most {limit}): {_some(names)}",
                    remediation=f"{_WHERE}: lower the role of those who do not need {label} access, "
                    f"or raise [tool.mlaudit.access] max_{kind} with the reason",
                    details={kind: names},
                )
            )
    return found
