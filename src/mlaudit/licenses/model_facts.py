"""Licences of the model, its base models and its datasets, from the model card and licence files.

The card states the model's licence; a ``MODEL_LICENSE`` / ``LICENSE-MODEL`` file
states the weights' licence, a ``DATA_LICENSE`` / ``LICENSE-DATA`` file the
dataset's (read by SPDX header or title, like the project's licence file); base models and datasets are named by
their Hub id only, so their licences come from the configuration
(``base_model_licenses``, ``dataset_licenses``) or, for a few families whose id
says the licence (Llama, Gemma), from their id. Anything else stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlaudit.formats.model_card import ModelCard, ModelCardError
from mlaudit.licenses.compatibility import ComponentKind
from mlaudit.licenses.components import Component
from mlaudit.licenses.normalize import Normalized, normalize_expression, normalize_hub_license
from mlaudit.licenses.project_facts import license_file_subject, read_license_file

# Hub ids whose family fixes the licence. Checked in order; first match wins.
_KNOWN_BASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), hub_id)
    for pattern, hub_id in (
        (r"^meta-llama/(Meta-)?Llama-3\.1", "llama3.1"),
        (r"^meta-llama/(Meta-)?Llama-3\.2", "llama3.2"),
        (r"^meta-llama/(Meta-)?Llama-3\.3", "llama3.3"),
        (r"^meta-llama/(Meta-)?Llama-3", "llama3"),
        (r"^meta-llama/Llama-4", "llama4"),
        (r"^meta-llama/Llama-2", "llama2"),
        (r"^google/(code|rec|palige|t5)?gemma", "gemma"),
    )
)


@dataclass(frozen=True)
class CardFacts:
    """The components a model card declares."""

    model: Component
    base_models: tuple[Component, ...] = ()
    datasets: tuple[Component, ...] = ()


def card_components(
    card: ModelCard, name: str, *, base_model_licenses: Mapping[str, str], dataset_licenses: Mapping[str, str]
) -> CardFacts:
    """The model, base-model and dataset components of ``card``."""
    model = Component(
        ComponentKind.MODEL,
        name,
        _card_license(card),
        source=f"{card.path or 'model card'} front matter",
        path=card.path,
    )
    bases = tuple(_base_model(base, base_model_licenses, card.path) for base in card.base_models)
    datasets = tuple(
        Component(
            ComponentKind.DATASET,
            ds,
            _declared(dataset_licenses.get(ds)),
            source="[tool.mlaudit.licenses] dataset_licenses" if ds in dataset_licenses else "not declared",
            path=card.path,
        )
        for ds in card.datasets
    )
    return CardFacts(model, bases, datasets)


def _card_license(card: ModelCard) -> Normalized:
    """The card's licence; several listed licences are read as all applying (the stricter reading)."""
    if len(card.licenses) <= 1:
        return normalize_hub_license(card.license, card.license_name, card.license_link)
    parts = [normalize_hub_license(lic, card.license_name, card.license_link) for lic in card.licenses]
    known = [p.expression for p in parts if p.expression]
    expression = " AND ".join(f"({e})" if " " in e else e for e in known) if known else None
    return Normalized(
        ", ".join(card.licenses),
        expression,
        tuple(u for p in parts for u in p.unknown),
        (*(n for p in parts for n in p.notes), "several licences listed: read as all applying"),
    )


def _declared(value: str | None) -> Normalized:
    if value is None:
        return Normalized("", None, ())
    return normalize_hub_license(value)


def _base_model(base: str, declared: Mapping[str, str], card_path: str | None) -> Component:
    if base in declared:
        return Component(
            ComponentKind.BASE_MODEL,
            base,
            normalize_hub_license(declared[base]),
            source="[tool.mlaudit.licenses] base_model_licenses",
            path=card_path,
        )
    for pattern, hub_id in _KNOWN_BASES:
        if pattern.search(base):
            normalized = normalize_hub_license(hub_id)
            inferred = Normalized(
                hub_id,
                normalized.expression,
                normalized.unknown,
                (*normalized.notes, f"licence inferred from the id '{base}'"),
            )
            return Component(
                ComponentKind.BASE_MODEL, base, inferred, source="inferred from the Hub id", path=card_path
            )
    return Component(ComponentKind.BASE_MODEL, base, Normalized("", None, ()), source="not declared", path=card_path)


def add_license_file_components(components: list[Component], root: Path, files: Sequence[str]) -> None:
    """Read dataset and weight licence files into ``components`` (the card's model takes the weights' file)."""
    for rel in sorted(files):
        subject = license_file_subject(rel)
        if subject is None:
            continue
        found = read_license_file(root, rel) or Normalized("", None, (), ("licence file not recognised",))
        if subject == "data":
            components.append(Component(ComponentKind.DATASET, f"dataset ({rel})", found, source=rel, path=rel))
            continue
        model = next((i for i, c in enumerate(components) if c.kind is ComponentKind.MODEL), None)
        if model is not None and components[model].license.expression is None:
            components[model] = Component(ComponentKind.MODEL, components[model].name, found, source=rel, path=rel)
        else:
            components.append(Component(ComponentKind.MODEL, f"weights ({rel})", found, source=rel, path=rel))


def card_error_message(error: ModelCardError) -> str:
    """A finding's message for a card without usable front matter."""
    return f"{error.message}: the model's licence cannot be read"


def same_terms(derived: Normalized, base: Normalized) -> bool:
    """True when a derived model is published under its base model's licence (``base`` may be part of it)."""
    if derived.expression is None or base.expression is None:
        return False
    if derived.expression == base.expression:
        return True
    # "LicenseRef-x AND Apache-2.0" keeps the base terms and adds others: still the base's terms.
    parts = {p.strip("() ") for p in re.split(r"\bAND\b", derived.expression)}
    return base.expression in parts or normalize_expression(base.expression).expression in parts
