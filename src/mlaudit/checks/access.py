"""The ``access`` check: who can change the model (branch and tag rules, code owners, access, workflows).

Needs a GitHub token (``MLAUDIT_GITHUB_TOKEN``, ``GITHUB_TOKEN`` or
``GH_TOKEN``); without one, or when the token may not read what the policy
depends on, the check is skipped with the reason, never passed.
"""

from __future__ import annotations

import os
from typing import Any

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.governance.access_options import AccessOptions
from mlaudit.model import Finding, Pillar


class AccessCheck(Check[AccessOptions]):
    """Reads the repository's protection through the GitHub API and its CODEOWNERS and workflows."""

    id = "access"
    title = "Access control"
    pillar = Pillar.COMPLIANCE
    options_type = AccessOptions

    def run(self, ctx: AuditContext, options: AccessOptions) -> Outcome:
        from mlaudit.github.api_client import GitHubClient
        from mlaudit.governance.branch_requirements import branch_findings, effective_protection, tag_findings
        from mlaudit.governance.github_rules import read_snapshot
        from mlaudit.governance.github_target import resolve_target
        from mlaudit.governance.ownership import access_holders, holder_findings
        from mlaudit.governance.workflow_access import audit_workflows

        if ctx.offline:
            raise CheckSkipped("offline: the access check reads the repository's settings from the GitHub API")
        target = resolve_target(ctx.root, options, token=ctx.github_token)
        backoff = float(os.environ.get("MLAUDIT_GITHUB_BACKOFF_S", "1.0"))
        client = GitHubClient(target.api_url, target.token, backoff_s=backoff, timeout_s=options.timeout_s)
        snapshot = read_snapshot(client, target, options.branch)
        protection = effective_protection(snapshot)
        findings: list[Finding] = branch_findings(snapshot, protection, options)
        _skip_when_blind(snapshot.unreadable, findings, target.token_source, tags=options.protect_tags)
        findings.extend(tag_findings(snapshot, options))
        holders = access_holders(snapshot.collaborators or [], snapshot.teams or [])
        findings.extend(holder_findings(holders, options.max_admins, options.max_writers))
        findings.extend(_codeowner_findings(ctx, options))
        evidence: dict[str, Any] = {
            "snapshot": snapshot.to_json(),
            "effective_protection": protection.to_json(),
            "access": holders,
            "policy": {
                "required_approvals": options.required_approvals,
                "status_check": options.status_check,
                "require_signed_commits": options.require_signed_commits,
                "max_admins": options.max_admins,
                "max_writers": options.max_writers,
            },
        }
        if options.workflows:
            workflow_found, evidence["workflows"] = audit_workflows(ctx.root, ctx.files, use_zizmor=options.zizmor)
            findings.extend(workflow_found)
        summary = (
            f"{snapshot.repository} '{snapshot.branch}' read at {snapshot.read_at}: "
            f"{len(holders['admins'])} admin(s), {len(holders['writers'])} writer(s), "
            f"{len(findings)} finding(s)"
        )
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence)


def _skip_when_blind(unreadable: dict[str, str], branch_found: list[Finding], token_source: str, *, tags: bool) -> None:
    """Skip (never pass) when the token could not read what the verdict depends on."""
    blind = []
    if "branch_rules" in unreadable and "classic_protection" in unreadable:
        blind.append("the branch's rules")
    elif "classic_protection" in unreadable and branch_found:
        # The rulesets alone fall short; classic protection might make up for it, and we cannot see it.
        blind.append("classic branch protection")
    if tags and any(part == "rulesets" or part.startswith("ruleset ") for part in unreadable):
        blind.append("the tag rulesets")
    blind += [part for part in ("collaborators", "teams") if part in unreadable]
    if blind:
        reasons = "; ".join(f"{part}: {why}" for part, why in sorted(unreadable.items()))
        raise CheckSkipped(
            f"the token in {token_source} may not read {', '.join(blind)} ({reasons}); use a token with "
            "'Administration: read' on the repository (a fine-grained token or a GitHub App, e.g. as "
            "MLAUDIT_GITHUB_TOKEN): the workflow's GITHUB_TOKEN cannot be granted it"
        )


def _codeowner_findings(ctx: AuditContext, options: AccessOptions) -> list[Finding]:
    from mlaudit.formats.model_card import find_model_card
    from mlaudit.governance.codeowners import find_codeowners, read_codeowners
    from mlaudit.governance.ownership import codeowners_findings
    from mlaudit.governance.workflow_access import workflow_files
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files

    weights_options = ctx.section("weights", WeightsOptions)
    existing = set(ctx.files)
    targets: dict[str, list[str]] = {"weight files": list(find_weight_files(ctx, weights_options))}
    targets["weight manifest"] = [weights_options.manifest] if weights_options.manifest in existing else []
    card = find_model_card(ctx.root)
    targets["model card"] = [card.relative_to(ctx.root).as_posix()] if card else []
    config = ctx.config.path
    if config is not None and config.resolve().is_relative_to(ctx.root):
        targets["mlaudit configuration"] = [config.resolve().relative_to(ctx.root).as_posix()]
    targets["workflows"] = workflow_files(ctx.files)
    targets["configured paths"] = [p for p in options.codeowners_paths]
    targets = {k: v for k, v in targets.items() if v}
    found = find_codeowners(ctx.root)
    return codeowners_findings(read_codeowners(ctx.root, found) if found else None, targets)
