"""How one licence term is judged: by its class, the kind of component and the intent.

Also the clash between licences that must apply together (an ``AND``, or a
component and a copyleft project licence), from ``copyleft_rules.can_carry``.
"""

from __future__ import annotations

import itertools

from mlaudit.licenses.classes import LicenseClass
from mlaudit.licenses.copyleft_rules import can_carry
from mlaudit.licenses.verdicts import ComponentKind, Decision, Intent, Term, Verdict


def unknown_decision(reason: str, intent: Intent) -> Decision:
    """Needs review, or denied when the policy fails unknown licences."""
    if intent.unknown == "fail":
        return Decision(Verdict.DENIED, f"{reason}; the policy fails unknown licences", None, LicenseClass.UNKNOWN)
    return Decision(Verdict.NEEDS_REVIEW, f"{reason}; a human must review it", None, LicenseClass.UNKNOWN)


def inner_clash(alt: list[Term], label: str) -> Decision | None:
    """The worst clash between licences that must apply together (``GPL-2.0-only AND Apache-2.0``)."""
    worst: Decision | None = None
    for outer, inner in itertools.permutations(alt, 2):
        if outer.cls not in (LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT):
            continue
        ok, why = can_carry(outer.text, outer.cls, inner.text, inner.cls)
        if ok is True or (ok is None and inner.cls is LicenseClass.UNKNOWN):
            continue
        verdict = Verdict.CONFLICT if ok is False else Verdict.NEEDS_REVIEW
        if worst is None or verdict.rank > worst.verdict.rank:
            worst = Decision(verdict, f"{label} combines {inner.text} and {outer.text}: {why}", None, outer.cls)
    return worst


def decide_term(
    term: Term, label: str, kind: ComponentKind, intent: Intent, project_alts: list[list[Term]] | None
) -> Decision:
    """The verdict for one licence term of component ``label``, given the intent and project licence."""
    ident = term.text
    cls = term.cls
    listed = {term.license_id.lower(), ident.lower(), cls.value}
    if listed & intent.deny:
        return Decision(Verdict.DENIED, f"{ident} {label} is on the deny list", ident, cls)
    if listed & intent.allow:
        return Decision(Verdict.PASS, f"{ident} is on the allow list", ident, cls)
    if cls is LicenseClass.UNKNOWN:
        return unknown_decision(f"{ident} of {label} is not a licence mlaudit knows", intent)
    if cls is LicenseClass.PROPRIETARY:
        return Decision(
            Verdict.NEEDS_REVIEW,
            f"{ident} {label} is proprietary or source-available: its terms must be reviewed",
            ident,
            cls,
        )
    if cls is LicenseClass.NON_COMMERCIAL:
        if intent.commercial:
            return Decision(
                Verdict.CONFLICT,
                f"{ident} {label} forbids commercial use and the intent is commercial",
                ident,
                cls,
            )
        return Decision(Verdict.PASS, f"{ident} allows non-commercial use only, which is the intent", ident, cls)
    if cls is LicenseClass.USE_RESTRICTED:
        return _use_restricted(ident, label, kind, intent)
    if cls is LicenseClass.PERMISSIVE:
        if kind.is_code and intent.distribute and project_alts:
            return _against_project(term, label, intent, project_alts) or Decision(
                Verdict.PASS, f"{ident} is permissive", ident, cls
            )
        return Decision(Verdict.PASS, f"{ident} is permissive", ident, cls)
    if cls is LicenseClass.WEAK_COPYLEFT:
        return _weak_copyleft(term, label, kind, intent, project_alts)
    return _strong_copyleft(term, label, kind, intent, project_alts)


def _use_restricted(ident: str, label: str, kind: ComponentKind, intent: Intent) -> Decision:
    cls = LicenseClass.USE_RESTRICTED
    if intent.commercial:
        return Decision(
            Verdict.NEEDS_REVIEW,
            f"{ident} {label} allows commercial use only within its "
            "use restrictions (acceptable-use policy, user thresholds): review them",
            ident,
            cls,
        )
    if kind in (ComponentKind.MODEL, ComponentKind.BASE_MODEL) and intent.distribute_weights:
        return Decision(
            Verdict.PASS,
            f"{ident} restricts use: the weights must be distributed under {ident} with its use restrictions passed on",
            ident,
            cls,
        )
    return Decision(
        Verdict.PASS,
        f"{ident} restricts use (acceptable-use terms); nothing is published, so only this project's own "
        "non-commercial use must respect them",
        ident,
        cls,
    )


def _against_project(term: Term, label: str, intent: Intent, project_alts: list[list[Term]]) -> Decision | None:
    """A clash between this code licence and a copyleft project licence, if every project option clashes."""
    reasons = []
    for project in project_alts:
        clash = inner_clash([*project, term], label)
        if clash is None:
            return None
        reasons.append(clash.reason)
    project_text = intent.project_license
    return Decision(Verdict.CONFLICT, f"{reasons[0]} (project licence {project_text})", term.text, term.cls)


def _weak_copyleft(
    term: Term, label: str, kind: ComponentKind, intent: Intent, project_alts: list[list[Term]] | None
) -> Decision:
    ident, cls = term.text, term.cls
    if kind.is_code and intent.distribute and project_alts:
        clash = _against_project(term, label, intent, project_alts)
        if clash is not None:
            return clash
    if kind is ComponentKind.DEPENDENCY:
        if intent.linking == "dynamic":
            return Decision(
                Verdict.PASS,
                f"{ident} {label} is a separate, dynamically linked library: only changes to it stay under {ident}",
                ident,
                cls,
            )
        return Decision(
            Verdict.NEEDS_REVIEW,
            f"{ident} {label} is linked statically: users must be able to relink or replace it",
            ident,
            cls,
        )
    if kind is ComponentKind.FILE:
        return Decision(
            Verdict.PASS,
            f"{ident} applies to {label} itself (file-level copyleft): keep it under its licence",
            ident,
            cls,
        )
    return Decision(Verdict.PASS, f"{ident} is share-alike: derivatives of {label} keep {ident}", ident, cls)


def _strong_copyleft(
    term: Term, label: str, kind: ComponentKind, intent: Intent, project_alts: list[list[Term]] | None
) -> Decision:
    ident, cls = term.text, term.cls
    network = cls is LicenseClass.NETWORK_COPYLEFT
    if not kind.is_code:
        return Decision(
            Verdict.NEEDS_REVIEW,
            f"{ident} on {label}: copyleft terms on weights or data are untested; derivatives may have to keep them",
            ident,
            cls,
        )
    if kind is ComponentKind.PROJECT:
        return Decision(Verdict.PASS, f"the project itself is {ident}", ident, cls)
    if not intent.distribute:
        if network:
            return Decision(
                Verdict.NEEDS_REVIEW,
                f"{ident} {label}: offering it over a network triggers its source obligation even without distribution",
                ident,
                cls,
            )
        return Decision(Verdict.PASS, f"{ident} {label}: not distributed, so its copyleft is not triggered", ident, cls)
    if not project_alts:
        return Decision(
            Verdict.NEEDS_REVIEW,
            f"{ident} {label} requires the whole to be under {ident}, and the project licence is unknown",
            ident,
            cls,
        )
    for project in project_alts:
        if all(
            can_carry(p.text, p.cls, ident, cls)[0] is True
            for p in project
            if p.cls in (LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT)
        ) and any(p.cls in (LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT) for p in project):
            return Decision(
                Verdict.PASS,
                f"{ident} {label} fits the project's {' AND '.join(p.text for p in project)}",
                ident,
                cls,
            )
    declared = intent.project_license or ""
    article = "an" if declared[:1] in tuple("AEFHILMNORSX") else "a"
    return Decision(
        Verdict.CONFLICT,
        f"{ident} {label} in {article} {declared} project distributed as "
        f"a whole: the combined work would have to be released under {ident}",
        ident,
        cls,
    )
