"""The compatibility engine: one verdict, with its reason, per component and licence expression.

An expression is read in disjunctive normal form: each alternative (``OR``) is
a set of licences that apply together (``AND``). An alternative is as bad as
its worst licence or as the worst clash between its licences; the component
is as good as its best alternative (the licensee may choose). ``WITH`` an
exception changes the class of the licence it qualifies (GPL with a linking
exception binds only the library).
"""

from __future__ import annotations

from mlaudit.licenses.knowledge import spdx_licensing
from mlaudit.licenses.term_rules import decide_term, inner_clash, unknown_decision
from mlaudit.licenses.verdicts import ComponentKind, Decision, Intent, Term, Verdict

__all__ = ["ComponentKind", "Decision", "Intent", "Term", "Verdict", "alternatives", "decide"]

MAX_ALTERNATIVES = 256
"""A pathological expression is cut to this many alternatives."""


def alternatives(expression: str) -> list[list[Term]]:
    """The expression in disjunctive normal form (raises ``ValueError`` when it does not parse)."""
    from license_expression import AND, OR, ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol

    try:
        tree = spdx_licensing().parse(expression, validate=False, strict=False, simple=False)
    except ExpressionError as exc:
        raise ValueError(f"'{expression}' is not a licence expression: {exc}") from None
    if tree is None:
        raise ValueError("empty licence expression")

    def walk(node: object) -> list[list[Term]]:
        if isinstance(node, LicenseWithExceptionSymbol):
            return [[Term(node.license_symbol.key, node.exception_symbol.key)]]
        if isinstance(node, LicenseSymbol):
            return [[Term(node.key, None)]]
        if isinstance(node, OR):
            return [alt for arg in node.args for alt in walk(arg)][:MAX_ALTERNATIVES]
        if isinstance(node, AND):
            product: list[list[Term]] = [[]]
            for arg in node.args:
                product = [a + b for a in product for b in walk(arg)][:MAX_ALTERNATIVES]
            return product
        raise ValueError(f"unexpected node {node!r} in '{expression}'")

    return walk(tree)


def _project_alternatives(intent: Intent) -> list[list[Term]] | None:
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
        return unknown_decision(f"{label} declares no licence", intent)
    try:
        alts = alternatives(expression)
    except ValueError as exc:
        return unknown_decision(f"{label}: {exc}", intent)
    project_alts = _project_alternatives(intent)
    decisions = [_decide_alternative(alt, label, kind, intent, project_alts) for alt in alts]
    best = min(decisions, key=lambda d: d.verdict.rank)
    if len(alts) > 1 and best.verdict is Verdict.PASS:
        return Decision(
            best.verdict,
            f"{best.chosen} chosen of '{expression}': {best.reason}",
            best.chosen,
            best.license_class,
        )
    return best


def _decide_alternative(
    alt: list[Term], label: str, kind: ComponentKind, intent: Intent, project_alts: list[list[Term]] | None
) -> Decision:
    chosen = " AND ".join(t.text for t in alt)
    worst = max((decide_term(t, label, kind, intent, project_alts) for t in alt), key=lambda d: d.verdict.rank)
    clash = inner_clash(alt, label)
    # A clash inside the component says more than its clash with the project: it wins a tie.
    if clash is not None and clash.verdict.rank >= worst.verdict.rank:
        worst = clash
    return Decision(worst.verdict, worst.reason, chosen, worst.license_class)
