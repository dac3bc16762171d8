"""The ``provenance`` check: where every weight file came from, who changed it, signed or not.

For every weight file and the manifest: the commits that touched it (author,
committer, date, signature verdict), its first commit and, in a pull request,
the commits of the PR that changed it. Findings by policy: weights changed by
unsigned (or badly signed) commits, weight paths no CODEOWNERS rule covers, a
missing model card or one without ``license`` / ``base_model``. A shallow clone
cannot tell where a file came from: the check says so (incomplete, never pass)
instead of reporting the one commit it can see as the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.model import Finding, Pillar, Severity
from mlaudit.provenance.options import ProvenanceOptions

SHALLOW_HINT = "fetch the full history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`)"


class ProvenanceCheck(Check[ProvenanceOptions]):
    """History of the weight files from Git, CODEOWNERS coverage and model card facts."""

    id = "provenance"
    title = "Provenance"
    pillar = Pillar.COMPLIANCE
    options_type = ProvenanceOptions

    def run(self, ctx: AuditContext, options: ProvenanceOptions) -> Outcome:
        """History of every weight file and the manifest, CODEOWNERS coverage, model card facts."""
        from mlaudit.provenance.git_history import read_history
        from mlaudit.weights.options import WeightsOptions
        from mlaudit.weights.repository_weights import find_weight_files

        weights_options = ctx.section("weights", WeightsOptions)
        weights = list(find_weight_files(ctx, weights_options))
        tracked = weights + ([weights_options.manifest] if ctx.path(weights_options.manifest).is_file() else [])
        history = read_history(ctx.root, tracked, base_ref=options.base_ref)
        findings: list[Finding] = []
        files: dict[str, Any] = {}
        for path in tracked:
            commits = history.of(path)
            in_pr = [c for c in commits if c.sha in history.pr_commits]
            files[path] = {
                "commits": [c.to_json() for c in commits],
                "first_commit": None if history.shallow or not commits else commits[-1].to_json(),
                "pull_request_commits": [c.sha for c in in_pr],
            }
            if not commits:
                findings.append(Finding(rule="provenance.uncommitted", severity=Severity.LOW, path=path,
                                        message="not committed: no history to vouch for it",
                                        remediation="commit it (signed) so its origin is on record"))
            if options.require_signed_commits:  # the manifest vouches for the weights: same rule
                judged = in_pr if (history.pr_base and options.only_pull_request) else list(commits)
                findings.extend(_signature_findings(path, judged, options))
        findings.extend(_codeowners_findings(ctx, weights, options))
        card_findings, card_facts = _model_card_findings(ctx, options)
        findings.extend(card_findings)
        evidence = {"head": history.head, "shallow": history.shallow, "pull_request_base": history.pr_base,
                    "files": files, "model_card": card_facts}
        summary = f"{len(weights)} weight file(s), {len(history.commits)} commit(s) touching them"
        incomplete = (f"shallow clone: the history is cut, so first commits and authors are unknown; {SHALLOW_HINT}",
                      ) if history.shallow else ()
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence, incomplete=incomplete)


MAX_LISTED_COMMITS = 20


def _signature_findings(path: str, commits: list[Any], options: ProvenanceOptions) -> list[Finding]:
    """One finding per file and kind of problem, naming the newest offending commit.

    The key is that newest commit, so a new unsigned change is a new finding in
    a diff (and needs its own waiver), while a long unsigned history stays one line.
    """
    groups: dict[str, list[Any]] = {}
    for commit in commits:  # newest first
        if commit.signature_status in options.trusted_signatures:
            continue
        if commit.signature_status == "B":
            rule = "provenance.bad-signature"
        elif commit.signed:
            rule = "provenance.unverified-signature"
        else:
            rule = "provenance.unsigned-commit"
        groups.setdefault(rule, []).append(commit)
    findings = []
    for rule, group in groups.items():
        newest = group[0]
        what = {
            "provenance.bad-signature": "a BAD signature",
            "provenance.unverified-signature": "a signature that could not be trusted here",
            "provenance.unsigned-commit": "no signature",
        }[rule]
        more = f" and {len(group) - 1} earlier commit(s)" if len(group) > 1 else ""
        findings.append(Finding(
            rule=rule, severity=Severity.HIGH if rule == "provenance.bad-signature" else options.unsigned_severity,
            path=path, key=newest.sha,
            message=(f"changed by commit {newest.sha[:12]} ({newest.author}, {newest.date[:10]}){more} "
                     f"with {what}"),
            remediation="sign commits that change weights (git config commit.gpgsign true) and configure "
                        "the signers' keys (gpg.ssh.allowedSignersFile or the GPG keyring)",
            details={"count": len(group), "newest": newest.to_json(),
                     "commits": [c.sha for c in group[:MAX_LISTED_COMMITS]]},
        ))
    return findings


def _codeowners_findings(ctx: AuditContext, weights: list[str], options: ProvenanceOptions) -> list[Finding]:
    from mlaudit.formats.codeowners import find_codeowners

    if not options.require_codeowners or not weights:
        return []
    # GitHub reads CODEOWNERS at the repository's top, with paths from there: a model in a sub-folder
    # is matched under its folder's path.
    top, prefix = _repository_top(ctx)
    owners = find_codeowners(top)
    if not prefix:  # CODEOWNERS inside the audited root: what its verdict rests on is watched
        ctx.record_read(owners.path if owners else "CODEOWNERS")
    if owners is not None and owners.refused:
        return [Finding(rule="provenance.codeowners-outside", severity=Severity.HIGH, path=owners.path,
                        message=f"{owners.path} {owners.refused}: {len(weights)} weight file(s) have no "
                                "required reviewer",
                        remediation=f"make {owners.path} a regular file of the repository naming the weight "
                                    "files' owners")]
    if owners is None:
        return [Finding(rule="provenance.no-codeowners", severity=Severity.MEDIUM, path=None,
                        message=f"no CODEOWNERS file: {len(weights)} weight file(s) have no required reviewer",
                        remediation="add .github/CODEOWNERS with a rule for the weight files "
                                    "(e.g. `*.safetensors @ml-leads`)")]
    return [
        Finding(rule="provenance.no-codeowner", severity=Severity.MEDIUM, path=path,
                message=f"no owner in {owners.path}: changes to this weight file need no owner review",
                remediation=f"add a rule covering it to {owners.path}")
        for path in weights if not owners.owners_of(prefix + path)
    ]


def _repository_top(ctx: AuditContext) -> tuple[Path, str]:
    from mlaudit.provenance.git_history import open_repository

    top = Path(open_repository(ctx.root).working_tree_dir or ctx.root).resolve()
    try:
        inside = ctx.root.relative_to(top).as_posix()
    except ValueError:
        return ctx.root, ""
    return top, "" if inside == "." else inside + "/"


def _model_card_findings(ctx: AuditContext, options: ProvenanceOptions) -> tuple[list[Finding], dict[str, Any]]:
    from mlaudit.formats.model_card import CardErrorKind, ModelCard, find_model_card, read_model_card

    if not options.require_model_card and not options.card_keys:
        return [], {}
    card_path = find_model_card(ctx.root)
    if card_path is None:
        if not options.require_model_card:
            return [], {}
        return [Finding(rule="provenance.no-model-card", severity=Severity.MEDIUM, path="README.md",
                        message="no model card: the model's licence and origin are not declared",
                        remediation="add a README.md with YAML front matter (license, base_model, datasets)")], {}
    rel = card_path.relative_to(ctx.root).as_posix()
    ctx.record_read(rel)
    card = read_model_card(card_path, rel)
    if not isinstance(card, ModelCard):
        if card.kind is CardErrorKind.NO_FRONT_MATTER and not options.require_model_card:
            return [], {}  # a README that is not a model card, and none is required: nothing to judge
        return [Finding(rule="provenance.model-card-invalid", severity=Severity.MEDIUM, path=rel, line=card.line,
                        message=card.message, remediation="fix the YAML front matter between the --- lines")], {}
    present = {"license": bool(card.licenses), "base_model": bool(card.base_models), "datasets": bool(card.datasets)}
    facts = {"path": rel, "license": list(card.licenses), "base_model": list(card.base_models),
             "datasets": list(card.datasets)}
    findings = [
        Finding(rule=f"provenance.card-missing-{key.replace('_', '-')}", severity=Severity.LOW, path=rel, key=key,
                message=f"the model card declares no `{key}`",
                remediation=f"add `{key}:` to the front matter of {rel}")
        for key in options.card_keys if not present.get(key, False)
    ]
    return findings, facts
