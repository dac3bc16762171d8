"""The ``licenses.*`` rules: how verdicts and card problems become findings.

Rules: ``licenses.conflict`` and ``licenses.denied`` (high), ``licenses.unknown``
(medium, high when the policy fails unknown licences), ``licenses.needs-review``
(medium), ``licenses.base-model`` (high: weights derived from a base model
published under other terms), ``licenses.model-card`` (card unusable or
without a licence), ``licenses.no-project-license`` (low).
"""

from __future__ import annotations

from collections.abc import Iterable

from mlaudit.formats.model_card import CardErrorKind, ModelCard, ModelCardError
from mlaudit.licenses.classes import LicenseClass, classify
from mlaudit.licenses.compatibility import ComponentKind, Intent, Verdict
from mlaudit.licenses.components import JudgedComponent
from mlaudit.licenses.model_facts import same_terms
from mlaudit.model import Finding, Severity

_INHERITED = frozenset(
    {
        LicenseClass.NON_COMMERCIAL,
        LicenseClass.USE_RESTRICTED,
        LicenseClass.STRONG_COPYLEFT,
        LicenseClass.NETWORK_COPYLEFT,
        LicenseClass.WEAK_COPYLEFT,
        LicenseClass.PROPRIETARY,
    }
)
"""Base-model licence classes whose terms reach the derived weights."""

_FIXES = {
    ComponentKind.DEPENDENCY: "replace the dependency, choose another of its licences, or change the "
    "project's licence or intent in [tool.mlaudit.licenses]",
    ComponentKind.MODEL: "publish under terms the intent allows, or set commercial/distribute_weights to the "
    "real intent",
    ComponentKind.BASE_MODEL: "check the base model's licence and declare it in base_model_licenses",
    ComponentKind.DATASET: "declare the dataset's licence in dataset_licenses, or train without it",
    ComponentKind.PROJECT: 'declare the project\'s licence as an SPDX expression: `license = "..."` in '
    "pyproject.toml or `project` in [tool.mlaudit.licenses]",
    ComponentKind.FILE: "relicense or remove the file, or keep it apart from what is distributed",
}


def verdict_finding(judged: JudgedComponent, intent: Intent) -> Finding | None:
    """The finding for a component's verdict, or None when it passes."""
    c, d = judged.component, judged.decision
    if d.verdict is Verdict.PASS:
        return None
    unknown = d.license_class is LicenseClass.UNKNOWN
    if d.verdict is Verdict.DENIED:
        rule, severity = ("licenses.unknown" if unknown else "licenses.denied"), Severity.HIGH
    elif d.verdict is Verdict.CONFLICT:
        rule, severity = "licenses.conflict", Severity.HIGH
    else:
        rule, severity = ("licenses.unknown" if unknown else "licenses.needs-review"), Severity.MEDIUM
    fix = _FIXES[c.kind]
    if unknown and c.kind in (ComponentKind.DEPENDENCY, ComponentKind.FILE):
        fix = "find the real licence and declare it in [tool.mlaudit.licenses] packages, or allow it"
    details = {
        "kind": c.kind.value,
        "component": c.name,
        "license": c.license.expression,
        "declared": c.license.raw,
        "verdict": d.verdict.value,
    }
    message = d.reason
    if c.license.expression is None and c.license.raw:
        message += f" (declared: '{c.license.raw[:80].strip()}')"
    if c.license.notes:
        # Ambiguities (which GPL, which OpenRAIL) belong next to the verdict that rests on them.
        message += " [" + "; ".join(c.license.notes) + "]"
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        path=c.path,
        remediation=fix,
        key=f"{c.kind.value}:{c.name}",
        details=details,
    )


def card_findings(card: ModelCard | ModelCardError, has_weights: bool) -> list[Finding]:
    """Findings for a card that cannot be read, has ill-typed keys, or declares no licence."""
    severity = Severity.MEDIUM if has_weights else Severity.INFO
    fix = "start README.md with '---', YAML keys (`license: apache-2.0`), then '---'"
    if isinstance(card, ModelCardError):
        if card.kind is CardErrorKind.NO_FRONT_MATTER and not has_weights:
            return []  # a plain README of a repository without weights is not a model card
        return [
            Finding(
                rule="licenses.model-card",
                severity=severity,
                path=card.path,
                line=card.line,
                message=f"{card.message}: the model's licence cannot be read",
                remediation=fix,
                key=card.kind.value,
            )
        ]
    out = [
        Finding(
            rule="licenses.model-card",
            severity=severity,
            path=card.path,
            message=f"model card key {p.message}",
            remediation=fix,
            key=f"type:{p.key}",
        )
        for p in card.problems
    ]
    if not card.licenses and has_weights:
        out.append(
            Finding(
                rule="licenses.model-card",
                severity=severity,
                path=card.path,
                key="no-license",
                message="the model card declares no `license`",
                remediation="add `license: <Hub licence id>` to the front matter",
            )
        )
    return out


def base_model_findings(judged: Iterable[JudgedComponent]) -> list[Finding]:
    """Weights derived from a base model whose terms they drop (``licenses.base-model``)."""
    items = list(judged)
    model = next((j.component for j in items if j.component.kind is ComponentKind.MODEL), None)
    if model is None:
        return []
    out = []
    for j in items:
        base = j.component
        if base.kind is not ComponentKind.BASE_MODEL or base.license.expression is None:
            continue
        classes = _classes(base.license.expression)
        if not classes & _INHERITED or same_terms(model.license, base.license):
            continue
        published = model.license.expression or "no licence"
        # RAIL licences let derivatives use their own terms if the use restrictions are carried over.
        carried = classes == {LicenseClass.USE_RESTRICTED} and LicenseClass.USE_RESTRICTED in _classes(
            model.license.expression
        )
        consequence = (
            "check that its use restrictions are carried over"
            if carried
            else "the base model's terms still apply to the derived weights"
        )
        out.append(
            Finding(
                rule="licenses.base-model",
                severity=Severity.MEDIUM if carried else Severity.HIGH,
                path=model.path,
                key=f"base:{base.name}",
                message=f"the weights derive from `{base.name}` ({base.license.expression}) but are "
                f"published under {published}: {consequence}",
                remediation=f"publish the weights under {base.license.expression} (or terms it allows) "
                "and keep its notices and use restrictions",
                details={
                    "base_model": base.name,
                    "base_license": base.license.expression,
                    "model_license": model.license.expression,
                },
            )
        )
    return out


def _classes(expression: str | None) -> set[LicenseClass]:
    if not expression:
        return set()
    parts = expression.replace(" OR ", " AND ").split(" AND ")
    return {classify(part.strip("() ").split(" WITH ")[0]) for part in parts}
