"""Judge the rules read for a branch (rulesets and classic protection, merged) against the policy.

The effective protection of a branch is the union of the active ruleset rules
that apply to it and its classic branch protection: a requirement holds when
either asks for it. Each requirement that does not hold is one finding that
names the setting to change and where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlaudit.governance.access_options import AccessOptions
from mlaudit.governance.github_rules import AccessSnapshot
from mlaudit.model import Finding, Severity

RULESETS_WHERE = "Settings → Rules → Rulesets → (a ruleset targeting '{branch}')"
CLASSIC_WHERE = "Settings → Branches → branch protection rule for '{branch}'"


@dataclass
class EffectiveProtection:
    """What the branch's rules require, merged from every source."""

    pull_request: bool = False
    approvals: int = 0
    dismiss_stale: bool = False
    code_owner_review: bool = False
    force_push_blocked: bool = False
    deletion_blocked: bool = False
    signed_commits: bool = False
    status_checks: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """As evidence."""
        return {
            "pull_request": self.pull_request,
            "approvals": self.approvals,
            "dismiss_stale": self.dismiss_stale,
            "code_owner_review": self.code_owner_review,
            "force_push_blocked": self.force_push_blocked,
            "deletion_blocked": self.deletion_blocked,
            "signed_commits": self.signed_commits,
            "status_checks": sorted(self.status_checks),
            "sources": self.sources,
        }


def effective_protection(snapshot: AccessSnapshot) -> EffectiveProtection:
    """Merge the branch's ruleset rules and its classic protection."""
    eff = EffectiveProtection()
    _merge_rules(eff, snapshot.branch_rules)
    if snapshot.classic_protection is not None:
        _merge_classic(eff, snapshot.classic_protection)
    return eff


def _merge_rules(eff: EffectiveProtection, rules: Iterable[dict[str, Any]]) -> None:
    for rule in rules:
        kind = rule.get("type")
        raw = rule.get("parameters")
        params: dict[str, Any] = raw if isinstance(raw, dict) else {}
        source = f"ruleset {rule.get('ruleset_id', '?')}"
        if source not in eff.sources:
            eff.sources.append(source)
        if kind == "pull_request":
            eff.pull_request = True
            eff.approvals = max(eff.approvals, _int(params.get("required_approving_review_count")))
            eff.dismiss_stale |= params.get("dismiss_stale_reviews_on_push") is True
            eff.code_owner_review |= params.get("require_code_owner_review") is True
        elif kind == "non_fast_forward":
            eff.force_push_blocked = True
        elif kind == "deletion":
            eff.deletion_blocked = True
        elif kind == "required_signatures":
            eff.signed_commits = True
        elif kind == "required_status_checks":
            for check in params.get("required_status_checks") or []:
                if isinstance(check, dict) and isinstance(check.get("context"), str):
                    eff.status_checks.add(check["context"])


def _merge_classic(eff: EffectiveProtection, protection: dict[str, Any]) -> None:
    eff.sources.append("classic branch protection")
    reviews = protection.get("required_pull_request_reviews")
    if isinstance(reviews, dict):
        eff.pull_request = True
        eff.approvals = max(eff.approvals, _int(reviews.get("required_approving_review_count")))
        eff.dismiss_stale |= reviews.get("dismiss_stale_reviews") is True
        eff.code_owner_review |= reviews.get("require_code_owner_reviews") is True
    # Classic protection blocks force pushes and deletions unless they are explicitly allowed.
    eff.force_push_blocked |= not _enabled(protection.get("allow_force_pushes"))
    eff.deletion_blocked |= not _enabled(protection.get("allow_deletions"))
    eff.signed_commits |= _enabled(protection.get("required_signatures"))
    checks = protection.get("required_status_checks")
    if isinstance(checks, dict):
        eff.status_checks.update(c for c in checks.get("contexts") or [] if isinstance(c, str))
        for check in checks.get("checks") or []:
            if isinstance(check, dict) and isinstance(check.get("context"), str):
                eff.status_checks.add(check["context"])


def branch_findings(snapshot: AccessSnapshot, eff: EffectiveProtection, options: AccessOptions) -> list[Finding]:
    """One finding per requirement of the policy the branch's rules do not meet."""
    branch = snapshot.branch
    where = f"{RULESETS_WHERE.format(branch=branch)} (or {CLASSIC_WHERE.format(branch=branch)})"
    found: list[Finding] = []

    def add(rule: str, severity: Severity, message: str, setting: str) -> None:
        found.append(
            Finding(
                rule=rule,
                severity=severity,
                message=message,
                key=branch,
                remediation=f"{where}: {setting}",
                details={"branch": branch},
            )
        )

    if options.required_approvals > 0 and not eff.pull_request:
        add(
            "access.pull-request-not-required",
            Severity.HIGH,
            f"changes to '{branch}' can be pushed without a pull request or review",
            f"enable 'Require a pull request before merging' with {options.required_approvals} required approval(s), "
            "'Dismiss stale pull request approvals when new commits are pushed' and "
            "'Require review from Code Owners'",
        )
    elif eff.pull_request:
        if eff.approvals < options.required_approvals:
            add(
                "access.approvals-below-policy",
                Severity.HIGH,
                f"pull requests into '{branch}' need {eff.approvals} approving review(s); "
                f"the policy asks for {options.required_approvals}",
                f"set 'Required approvals' to {options.required_approvals} or more",
            )
        if options.dismiss_stale_reviews and not eff.dismiss_stale:
            add(
                "access.stale-approvals-kept",
                Severity.MEDIUM,
                f"approvals on pull requests into '{branch}' survive new pushes",
                "enable 'Dismiss stale pull request approvals when new commits are pushed'",
            )
        if options.require_code_owner_review and not eff.code_owner_review:
            add(
                "access.code-owner-review-not-required",
                Severity.MEDIUM,
                f"code owners need not approve changes to weights, model card or workflows on '{branch}'",
                "enable 'Require review from Code Owners'",
            )
    if not eff.force_push_blocked:
        add(
            "access.force-push-allowed",
            Severity.HIGH,
            f"force pushes to '{branch}' are allowed (history, and with it the weights' provenance, can be rewritten)",
            "enable 'Block force pushes'",
        )
    if not eff.deletion_blocked:
        add(
            "access.deletion-allowed",
            Severity.HIGH,
            f"the branch '{branch}' can be deleted",
            "enable 'Restrict deletions'",
        )
    if options.require_signed_commits and not eff.signed_commits:
        add(
            "access.unsigned-commits-allowed",
            Severity.MEDIUM,
            f"commits on '{branch}' need not be signed; the policy asks for signed commits",
            "enable 'Require signed commits'",
        )
    if options.status_check and options.status_check not in eff.status_checks:
        have = ", ".join(sorted(eff.status_checks)) or "none"
        add(
            "access.audit-not-required",
            Severity.MEDIUM,
            f"the mlaudit audit ('{options.status_check}') is not a required status check on '{branch}' "
            f"(required: {have})",
            f"enable 'Require status checks to pass' and add '{options.status_check}'",
        )
    return found


def tag_findings(snapshot: AccessSnapshot, options: AccessOptions) -> list[Finding]:
    """A finding when no active tag ruleset blocks deleting and moving tags."""
    if not options.protect_tags:
        return []
    for ruleset in snapshot.tag_rulesets:
        kinds = {r.get("type") for r in ruleset.get("rules") or [] if isinstance(r, dict)}
        if {"deletion", "non_fast_forward"} <= kinds or {"deletion", "update"} <= kinds:
            return []
    return [
        Finding(
            rule="access.tags-unprotected",
            severity=Severity.MEDIUM,
            key="tags",
            message="no active tag ruleset stops release tags from being deleted or moved to other commits",
            remediation="Settings → Rules → Rulesets → New tag ruleset: target the release tags (e.g. 'v*'), "
            "enforcement Active, enable 'Restrict deletions', 'Restrict updates' and 'Block force pushes'",
        )
    ]


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _enabled(value: object) -> bool:
    return isinstance(value, dict) and value.get("enabled") is True
