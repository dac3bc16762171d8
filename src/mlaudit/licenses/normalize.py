"""Licence strings as found in the wild, normalised to SPDX expressions.

Sources are messy: PyPI ``License`` fields (``Apache 2.0``, ``BSD-like``, a
whole licence text), trove classifiers, Hugging Face ids, ``license_name``.
``license-expression`` parses and canonicalises anything that is (nearly) an
SPDX expression, including scancode keys (``gpl-2.0-plus``); the alias table
in ``informal_names`` only covers the names SPDX has no alias for. What cannot be
recognised stays unknown: it is never guessed into a known licence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlaudit.licenses.hf_ids import HUB_LICENSES, NAMED_LICENSES
from mlaudit.licenses.informal_names import ASSUMED, NO_LICENSE, informal_alias, squash
from mlaudit.licenses.knowledge import license_facts, spdx_licensing

MAX_EXPRESSION_CHARS = 300
"""Longer ``License`` values are licence texts, not expressions."""


@dataclass(frozen=True)
class Normalized:
    """A licence as SPDX: ``expression`` is None when nothing could be recognised.

    ``unknown`` lists the parts that are not known licences (kept, never
    guessed); ``notes`` say where a reading was ambiguous.
    """

    raw: str
    expression: str | None
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when the whole expression consists of known licences."""
        return self.expression is not None and not self.unknown


def normalize_expression(raw: str) -> Normalized:
    """An SPDX expression for ``raw`` (an expression, an informal name, a scancode key)."""
    text = " ".join(raw.split())
    if text.lower() in NO_LICENSE:
        return Normalized(raw, None, (raw,) if text else ())
    if len(raw) > MAX_EXPRESSION_CHARS or "\n" in raw.strip():
        first = raw.strip().splitlines()[0]
        alias = informal_alias(first)
        if alias:
            return Normalized(raw, alias, notes=(f"licence text recognised by its title '{first.strip()}'",))
        return Normalized(raw, None, ("licence text",), notes=("a licence text, not an expression",))
    alias = informal_alias(text)
    if alias:
        note = ASSUMED.get(squash(text))
        return Normalized(raw, alias, notes=(note,) if note else ())
    return _parse_expression(raw, text)


def _parse_expression(raw: str, text: str) -> Normalized:
    from license_expression import ExpressionError

    licensing = spdx_licensing()
    try:
        parsed = licensing.parse(text, validate=False, strict=False, simple=False)
    except (ExpressionError, ValueError, TypeError):
        return Normalized(raw, None, (raw,))
    if parsed is None:
        return Normalized(raw, None, (raw,))
    unknown: list[str] = []
    renames: dict[str, str] = {}
    for key in licensing.license_keys(parsed):
        resolved = _resolve_symbol(key)
        if resolved is None:
            unknown.append(key)
        elif resolved != key:
            renames[key] = resolved
    rendered = render_expression(parsed, renames)
    if unknown and len(unknown) == len(licensing.license_keys(parsed)) and " " in text and not renames:
        return Normalized(raw, None, (raw,))
    return Normalized(raw, rendered, tuple(unknown))


def render_expression(node: object, renames: dict[str, str] | None = None) -> str:
    """An expression tree of ``license-expression`` as SPDX text, with symbols renamed."""
    from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol

    names = renames or {}
    if isinstance(node, LicenseWithExceptionSymbol):
        licence = render_expression(node.license_symbol, names)
        return f"{licence} WITH {render_expression(node.exception_symbol, names)}"
    if isinstance(node, LicenseSymbol):
        return str(names.get(node.key, node.key))
    if isinstance(node, (AND, OR)):
        operator = " AND " if isinstance(node, AND) else " OR "
        parts = []
        for arg in node.args:
            text = render_expression(arg, names)
            nested = isinstance(arg, (AND, OR)) and type(arg) is not type(node)
            parts.append(f"({text})" if nested else text)
        return operator.join(parts)
    return str(node)


LICENSE_REFERENCE = "LicenseRef-scancode-unknown-license-reference"
"""scancode's id for "see the LICENSE file": a pointer to a licence found elsewhere, not a licence."""


def drop_license_references(expression: str) -> str | None:
    """``expression`` without scancode's licence references; None when nothing else is left."""
    from license_expression import AND, OR, ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol

    if LICENSE_REFERENCE not in expression:
        return expression
    licensing = spdx_licensing()
    try:
        tree = licensing.parse(expression, validate=False, strict=False, simple=False)
    except ExpressionError:
        return expression

    def walk(node: object) -> object | None:
        if isinstance(node, LicenseSymbol) and not isinstance(node, LicenseWithExceptionSymbol):
            return None if node.key == LICENSE_REFERENCE else node
        if isinstance(node, (AND, OR)):
            kept = [k for k in (walk(arg) for arg in node.args) if k is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else type(node)(*kept)
        return node

    reduced = walk(tree)
    return None if reduced is None else render_expression(reduced)


def _resolve_symbol(key: str) -> str | None:
    if key.startswith("LicenseRef-"):
        facts = license_facts(key)
        # Our own LicenseRef ids (model licences) are known to the class table; others are not.
        return facts.spdx_id if facts else (key if _is_known_ref(key) else None)
    facts = license_facts(key)
    if facts is not None:
        return facts.spdx_id
    return informal_alias(key)


def _is_known_ref(key: str) -> bool:
    from mlaudit.licenses.classes import LicenseClass, classify

    return classify(key) is not LicenseClass.UNKNOWN


def normalize_classifiers(classifiers: Iterable[str]) -> Normalized | None:
    """An expression from ``License ::`` trove classifiers (several are read as alternatives)."""
    found: list[str] = []
    unknown: list[str] = []
    raws: list[str] = []
    for classifier in classifiers:
        parts = [p.strip() for p in classifier.split("::")]
        if parts[0] != "License" or len(parts) < 2 or parts[-1] == "OSI Approved":
            continue
        raws.append(classifier)
        name = parts[-1]
        abbreviation = re.search(r"\(([^()]+)\)\s*$", name)
        candidates = ([abbreviation.group(1)] if abbreviation else []) + [re.sub(r"\([^()]*\)", "", name)]
        spdx = next((s for s in (informal_alias(c) or _resolve_symbol(c.strip()) for c in candidates) if s), None)
        if spdx is None:
            unknown.append(name)
        elif spdx not in found:
            found.append(spdx)
    if not raws:
        return None
    notes = ("several licence classifiers, read as alternatives",) if len(found) > 1 else ()
    expression = " OR ".join(found) if found else None
    return Normalized("; ".join(raws), expression, tuple(unknown), notes)


def normalize_hub_license(
    license_id: str | None, license_name: str | None = None, license_link: str | None = None
) -> Normalized:
    """An expression for a model card's ``license`` (+ ``license_name``/``license_link`` for ``other``)."""
    if not license_id:
        return Normalized("", None, ())
    lowered = license_id.strip().lower()
    if lowered == "other":
        if not license_name:
            link = f" (license_link: {license_link})" if license_link else ""
            return Normalized(license_id, None, ("other",), notes=(f"license: other without license_name{link}",))
        named = NAMED_LICENSES.get(license_name.strip().lower()) or (
            HUB_LICENSES[license_name.strip().lower()].expression
            if license_name.strip().lower() in HUB_LICENSES
            else None
        )
        if named:
            return Normalized(f"other ({license_name})", named)
        ref = "LicenseRef-" + re.sub(r"[^A-Za-z0-9.-]+", "-", license_name.strip()).strip("-")
        return Normalized(
            f"other ({license_name})",
            ref,
            (ref,),
            notes=(f"license_name '{license_name}' is not a licence mlaudit knows",),
        )
    hub = HUB_LICENSES.get(lowered)
    if hub is not None:
        return Normalized(license_id, hub.expression, notes=(hub.note,) if hub.note else ())
    return normalize_expression(license_id)
