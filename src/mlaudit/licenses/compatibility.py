"""The compatibility engine: one verdict, with its reason, per component and licence expression.

An expression is read in disjunctive normal form: each alternative (``OR``) is
a set of licences that apply together (``AND``). An alternative is as bad as
its worst licence or as the worst clash between its licences; the component
is as good as its best alternative (the licensee may choose). ``WITH`` an
exception changes the class of the licence it qualifies (GPL with a linking
exception binds only the library).
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field
from typing import Literal

from mlaudit.licenses.classes import LicenseClass, classify
from mlaudit.licenses.copyleft_rules import can_carry
from mlaudit.licenses.knowledge import spdx_licensing

MAX_ALTERNATIVES = 256
"""A pathological expression is cut to this many alternatives (and says so)."""


class Verdict(str, enum.Enum):
    """The engine's answer for a component, from best to worst."""

    PASS = "pass"
    NEEDS_REVIEW = "needs-review"
    CONFLICT = "conflict"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return list(Verdict).index(self)


class ComponentKind(str, enum.Enum):
    """What a component is; it decides which obligations are triggered."""

    PROJECT = "project"
    FILE = "file"
    DEPENDENCY = "dependency"
    MODEL = "model"
    BASE_MODEL = "base-model"
    DATASET = "dataset"

    @property
    def is_code(self) -> bool:
        """Code is combined with the project's code; weights and data are separate works."""
        return self in (ComponentKind.PROJECT, ComponentKind.FILE, ComponentKind.DEPENDENCY)


@dataclass(frozen=True)
class Intent:
    """What the project is and how it is used (``[tool.mlaudit.licenses]``)."""

    project_license: str | None = None
    commercial: bool = False
    distribute: bool = True
    distribute_weights: bool = True
    linking: Literal["dynamic", "static"] = "dynamic"
    allow: frozenset[str] = field(default_factory=frozenset)
    deny: frozenset[str] = field(default_factory=frozenset)
    unknown: Literal["needs-review", "fail"] = "needs-review"


@dataclass(frozen=True)
class Decision:
    """A verdict, why, and the licence (or alternative) it rests on."""

    verdict: Verdict
    reason: str
    chosen: str | None = None
    license_class: LicenseClass | None = None


@dataclass(frozen=True)
class _Term:
    license_id: str
    exception: str | None

    @property
    def text(self) -> str:
        return f"{self.license_id} WITH {self.exception}" if self.exception else self.license_id

    @property
    def cls(self) -> LicenseClass:
        return classify(self.license_id, self.exception)


def alternatives(expression: str) -> list[list[_Term]]:
    """The expression in disjunctive normal form (raises ``ValueError`` when it does not parse)."""
    from license_expression import AND, OR, ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol

    try:
        tree = spdx_licensing().parse(expression, validate=False, strict=False, simple=False)
    except ExpressionError as exc:
        raise ValueError(f"'{expression}' is not a licence expression: {exc}") from None
    if tree is None:
        raise ValueError("empty licence expression")

    def walk(node: object) -> list[list[_Term]]:
        if isinstance(node, LicenseWithExceptionSymbol):
            return [[_Term(node.license_symbol.key, node.exception_symbol.key)]]
        if isinstance(node, LicenseSymbol):
            return [[_Term(node.key, None)]]
        if isinstance(node, OR):
            return [alt for arg in node.args for alt in walk(arg)][:MAX_ALTERNATIVES]
        if isinstance(node, AND):
            product: list[list[_Term]] = [[]]
            for arg in node.args:
                product = [a + b for a in product for b in walk(arg)][:MAX_ALTERNATIVES]
            return product
        raise ValueError(f"unexpected node {node!r} in '{expression}'")

    return walk(tree)


def _project_alternatives(intent: Intent) -> list[list[_Term]] | None:
    if not intent.project_license:
        return None
    try:
        return alternatives(intent.project_license)
    except ValueError:
        return None


def decide(expression: str | None, *, name: str, kind: ComponentKind, intent: Intent) -> Decision:
    """The verdict for component ``name`` of ``kind`` under ``expression``, given ``intent``."""
    label = f"{kind.value} `{name}`"
    if not expression:
        return _unknown(f"{label} declares no licence", intent)
    try:
        alts = alternatives(expression)
    except ValueError as exc:
        return _unknown(f"{label}: {exc}", intent)
    project_alts = _project_alternatives(intent)
    decisions = [_decide_alternative(alt, label, kind, intent, project_alts) for alt in alts]
    best = min(decisions, key=lambda d: d.verdict.rank)
    if len(alts) > 1 and best.verdict is Verdict.PASS:
        return Decision(best.verdict, f"{best.chosen} chosen of '{expression}': {best.reason}",
                        best.chosen, best.license_class)
    return best


def _unknown(reason: str, intent: Intent) -> Decision:
    if intent.unknown == "fail":
        return Decision(Verdict.DENIED, f"{reason}; the policy fails unknown licences", None, LicenseClass.UNKNOWN)
    return Decision(Verdict.NEEDS_REVIEW, f"{reason}; a human must review it", None, LicenseClass.UNKNOWN)


def _decide_alternative(alt: list[_Term], label: str, kind: ComponentKind, intent: Intent,
                        project_alts: list[list[_Term]] | None) -> Decision:
    chosen = " AND ".join(t.text for t in alt)
    worst = max((_decide_term(t, label, kind, intent, project_alts) for t in alt), key=lambda d: d.verdict.rank)
    clash = _inner_clash(alt, label)
    # A clash inside the component says more than its clash with the project: it wins a tie.
    if clash is not None and clash.verdict.rank >= worst.verdict.rank:
        worst = clash
    return Decision(worst.verdict, worst.reason, chosen, worst.license_class)


def _inner_clash(alt: list[_Term], label: str) -> Decision | None:
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


def _decide_term(term: _Term, label: str, kind: ComponentKind, intent: Intent,
                 project_alts: list[list[_Term]] | None) -> Decision:
    ident = term.text
    cls = term.cls
    listed = {term.license_id.lower(), ident.lower(), cls.value}
    if listed & intent.deny:
        return Decision(Verdict.DENIED, f"{ident} {label} is on the deny list", ident, cls)
    if listed & intent.allow:
        return Decision(Verdict.PASS, f"{ident} is on the allow list", ident, cls)
    if cls is LicenseClass.UNKNOWN:
        return _unknown(f"{ident} of {label} is not a licence mlaudit knows", intent)
    if cls is LicenseClass.PROPRIETARY:
        return Decision(Verdict.NEEDS_REVIEW, f"{ident} {label} is proprietary or source-available: "
                        "its terms must be reviewed", ident, cls)
    if cls is LicenseClass.NON_COMMERCIAL:
        if intent.commercial:
            return Decision(Verdict.CONFLICT, f"{ident} {label} forbids commercial use and the intent is "
                            "commercial", ident, cls)
        return Decision(Verdict.PASS, f"{ident} allows non-commercial use only, which is the intent", ident, cls)
    if cls is LicenseClass.USE_RESTRICTED:
        return _use_restricted(ident, label, kind, intent)
    if cls is LicenseClass.PERMISSIVE:
        if kind.is_code and intent.distribute and project_alts:
            return _against_project(term, label, intent, project_alts) or Decision(
                Verdict.PASS, f"{ident} is permissive", ident, cls)
        return Decision(Verdict.PASS, f"{ident} is permissive", ident, cls)
    if cls is LicenseClass.WEAK_COPYLEFT:
        return _weak_copyleft(term, label, kind, intent, project_alts)
    return _strong_copyleft(term, label, kind, intent, project_alts)


def _use_restricted(ident: str, label: str, kind: ComponentKind, intent: Intent) -> Decision:
    cls = LicenseClass.USE_RESTRICTED
    if intent.commercial:
        return Decision(Verdict.NEEDS_REVIEW, f"{ident} {label} allows commercial use only within its "
                        "use restrictions (acceptable-use policy, user thresholds): review them", ident, cls)
    if kind in (ComponentKind.MODEL, ComponentKind.BASE_MODEL) and intent.distribute_weights:
        return Decision(Verdict.PASS, f"{ident} restricts use: the weights must be distributed under {ident} "
                        "with its use restrictions passed on", ident, cls)
    return Decision(Verdict.PASS, f"{ident} restricts use, not non-commercial research", ident, cls)


def _against_project(term: _Term, label: str, intent: Intent,
                     project_alts: list[list[_Term]]) -> Decision | None:
    """A clash between this code licence and a copyleft project licence, if every project option clashes."""
    reasons = []
    for project in project_alts:
        clash = _inner_clash([*project, term], label)
        if clash is None:
            return None
        reasons.append(clash.reason)
    project_text = intent.project_license
    return Decision(Verdict.CONFLICT, f"{reasons[0]} (project licence {project_text})", term.text, term.cls)


def _weak_copyleft(term: _Term, label: str, kind: ComponentKind, intent: Intent,
                   project_alts: list[list[_Term]] | None) -> Decision:
    ident, cls = term.text, term.cls
    if kind.is_code and intent.distribute and project_alts:
        clash = _against_project(term, label, intent, project_alts)
        if clash is not None:
            return clash
    if kind is ComponentKind.DEPENDENCY:
        if intent.linking == "dynamic":
            return Decision(Verdict.PASS, f"{ident} {label} is a separate, dynamically linked library: "
                            f"only changes to it stay under {ident}", ident, cls)
        return Decision(Verdict.NEEDS_REVIEW, f"{ident} {label} is linked statically: users must be able to "
                        "relink or replace it", ident, cls)
    if kind is ComponentKind.FILE:
        return Decision(Verdict.PASS, f"{ident} applies to {label} itself (file-level copyleft): keep it "
                        "under its licence", ident, cls)
    return Decision(Verdict.PASS, f"{ident} is share-alike: derivatives of {label} keep {ident}", ident, cls)


def _strong_copyleft(term: _Term, label: str, kind: ComponentKind, intent: Intent,
                     project_alts: list[list[_Term]] | None) -> Decision:
    ident, cls = term.text, term.cls
    network = cls is LicenseClass.NETWORK_COPYLEFT
    if not kind.is_code:
        return Decision(Verdict.NEEDS_REVIEW, f"{ident} on {label}: copyleft terms on weights or data "
                        "are untested; derivatives may have to keep them", ident, cls)
    if kind is ComponentKind.PROJECT:
        return Decision(Verdict.PASS, f"the project itself is {ident}", ident, cls)
    if not intent.distribute:
        if network:
            return Decision(Verdict.NEEDS_REVIEW, f"{ident} {label}: offering it over a network triggers "
                            "its source obligation even without distribution", ident, cls)
        return Decision(Verdict.PASS, f"{ident} {label}: not distributed, so its copyleft is not triggered",
                        ident, cls)
    if not project_alts:
        return Decision(Verdict.NEEDS_REVIEW, f"{ident} {label} requires the whole to be under {ident}, and "
                        "the project licence is unknown", ident, cls)
    for project in project_alts:
        if all(can_carry(p.text, p.cls, ident, cls)[0] is True for p in project if p.cls in
               (LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT)) and any(
                   p.cls in (LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT) for p in project):
            return Decision(Verdict.PASS, f"{ident} {label} fits the project's "
                            f"{' AND '.join(p.text for p in project)}", ident, cls)
    project = intent.project_license or ""
    article = "an" if project[:1] in tuple("AEFHILMNORSX") else "a"
    return Decision(Verdict.CONFLICT, f"{ident} {label} in {article} {project} project distributed as "
                    f"a whole: the combined work would have to be released under {ident}", ident, cls)
