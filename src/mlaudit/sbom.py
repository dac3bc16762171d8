"""The CycloneDX 1.6 SBOM of a model repository: Python dependencies and the model itself.

Built with ``cyclonedx-python-lib`` (components, purls, hashes, licences,
serialization); the model is a ``machine-learning-model`` component whose
weight files are nested ``file`` components with their SHA-256, its base
models are pedigree ancestors and its datasets ``data`` components. The library
does not model ``modelCard`` yet, so that one object is added to the
serialized JSON, and the result is checked with the library's strict JSON
schema validator before anyone sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from mlaudit import __version__
from mlaudit.errors import CheckError, MlauditError

if TYPE_CHECKING:
    from mlaudit.context import AuditContext
    from mlaudit.formats.model_card import ModelCard
    from mlaudit.pins.pinned_package import PinnedPackage

MODEL_REF = "model"


class SbomInvalid(MlauditError):
    """The SBOM we built does not validate against the CycloneDX schema (a bug: report it)."""


@dataclass(frozen=True)
class SbomFacts:
    """What went into the SBOM (for messages and tests)."""

    dependencies: int
    weight_files: int
    datasets: int


def _license(value: str) -> Any:
    from cyclonedx.contrib.license.factories import LicenseFactory

    return LicenseFactory().make_from_string(value)


def _installed_license(name: str, version: str) -> str | None:
    """The SPDX licence of ``name`` when this exact version is installed here (its metadata says)."""
    from mlaudit.licenses.dependency_facts import license_from_metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    if dist.version != version:
        return None
    meta = dist.metadata
    normalized, _source = license_from_metadata(meta["License-Expression"], meta["License"],
                                                meta.get_all("Classifier") or [])
    return normalized.expression


def _dependency_components(pinned: list[PinnedPackage]) -> list[Any]:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL
    from packaging.utils import canonicalize_name

    components: dict[tuple[str, str], Any] = {}
    for pin in pinned:
        name = canonicalize_name(pin.name)
        if (name, pin.version) in components:
            continue
        spdx = _installed_license(name, pin.version)
        components[(name, pin.version)] = Component(
            type=ComponentType.LIBRARY, name=name, version=pin.version,
            bom_ref=f"pypi:{name}@{pin.version}",
            purl=PackageURL(type="pypi", name=name, version=pin.version),
            licenses=[_license(spdx)] if spdx else None,
            properties=[Property(name="mlaudit:pinned-in", value=f"{pin.path}:{pin.line or 0}")],
        )
    return [components[key] for key in sorted(components)]


def _weight_components(ctx: AuditContext) -> tuple[list[Any], str | None]:
    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.component import Component, ComponentType

    from mlaudit.weights.hashing import digest_files
    from mlaudit.weights.manifest import compute_root_digest
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files, hash_cache_for

    options = ctx.section("weights", WeightsOptions)
    hashed = digest_files(ctx.root, find_weight_files(ctx, options), cache=hash_cache_for(ctx),
                          workers=options.workers)
    if hashed.problems:
        problems = "; ".join(f"{p.path}: {p.message}" for p in hashed.problems.values())
        raise CheckError(f"cannot hash every weight file for the SBOM: {problems}")
    names = sorted(hashed.digests)
    files = [Component(type=ComponentType.FILE, name=name, bom_ref=f"file:{name}",
                       hashes=[HashType(alg=HashAlgorithm.SHA_256, content=hashed.digests[name].digest)])
             for name in names]
    root = compute_root_digest(hashed.digests[n].digest for n in names) if names else None
    return files, root


def _huggingface_purl(model_id: str) -> Any:
    from packageurl import PackageURL

    namespace, _, name = model_id.rpartition("/")
    return PackageURL(type="huggingface", namespace=namespace or None, name=name)


def _model_component(ctx: AuditContext, card: ModelCard | None, files: list[Any], root_digest: str | None) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType, Pedigree

    ancestors = [Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=base, bom_ref=f"base-model:{base}",
                           purl=_huggingface_purl(base)) for base in (card.base_models if card else ())]
    properties = [Property(name="mlaudit:weights-root-digest", value=f"sha256:{root_digest}")] if root_digest else []
    if card and card.path:
        properties.append(Property(name="mlaudit:model-card", value=card.path))
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, name=ctx.root.name, bom_ref=MODEL_REF,
        licenses=[_license(x) for x in card.licenses] if card and card.licenses else None,
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        components=files, properties=properties or None,
    )


def _dataset_components(card: ModelCard | None) -> list[Any]:
    from cyclonedx.model.component import Component, ComponentType

    return [Component(type=ComponentType.DATA, name=name, bom_ref=f"dataset:{name}",
                      purl=_huggingface_purl(name)) for name in (card.datasets if card else ())]


def _baseline_metrics(ctx: AuditContext) -> tuple[list[dict[str, str]], str | None]:
    """The committed evaluation baseline (``performance`` check) as CycloneDX performance metrics."""
    from mlaudit.behaviour import inside_root
    from mlaudit.behaviour.metrics_baseline import load_baseline
    from mlaudit.behaviour.options import PerformanceOptions

    options = ctx.section("performance", PerformanceOptions)
    try:
        baseline = load_baseline(inside_root(ctx.root, options.baseline, "performance.baseline"),
                                 label=options.baseline)
    except CheckError as exc:
        return [], exc.diagnostics()
    if baseline is None:
        return [], None
    return [{"type": name, "value": repr(value), "slice": f"baseline {options.baseline}"}
            for name, value in sorted(baseline.metrics.items())], None


def _model_card_json(card: ModelCard | None, datasets: list[Any], evaluated: list[dict[str, str]]) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    if card and card.pipeline_tag:
        parameters["task"] = card.pipeline_tag
    if datasets:
        parameters["datasets"] = [{"ref": str(d.bom_ref.value)} for d in datasets]
    model_card: dict[str, Any] = {"modelParameters": parameters}
    metrics = [
        {"type": m.metric_type, "value": str(m.value),
         "slice": " ".join(x for x in (m.dataset_name or m.dataset_type, m.split) if x)}
        for m in (card.metrics if card else ()) if m.value is not None
    ]
    metrics += evaluated
    if metrics:
        model_card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    return model_card


def build_sbom(ctx: AuditContext) -> tuple[str, SbomFacts]:
    """The SBOM of the repository as CycloneDX 1.6 JSON text, validated."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6

    from mlaudit.formats.model_card import ModelCard, find_model_card, read_model_card
    from mlaudit.pins.rules import PinRules, PinsOptions
    from mlaudit.pins.sources import PACKAGE_KINDS, PinsScanner

    card_path = find_model_card(ctx.root)
    parsed = read_model_card(card_path, card_path.relative_to(ctx.root).as_posix()) if card_path else None
    card = parsed if isinstance(parsed, ModelCard) else None
    pinned = PinsScanner(ctx.root, PinRules(ctx.section("pins", PinsOptions)), PACKAGE_KINDS).scan(ctx.files).pinned
    dependencies = _dependency_components(pinned)
    files, root_digest = _weight_components(ctx)
    model = _model_component(ctx, card, files, root_digest)
    datasets = _dataset_components(card)
    bom = Bom()
    bom.metadata.component = model
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="mlaudit", version=__version__))
    for component in [*dependencies, *datasets]:
        bom.components.add(component)
    bom.register_dependency(model, [*dependencies, *datasets])
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    evaluated, baseline_problem = _baseline_metrics(ctx)
    model_json = document["metadata"]["component"]
    model_json["modelCard"] = _model_card_json(card, datasets, evaluated)
    if baseline_problem:  # an unreadable baseline is said, not silently dropped
        model_json.setdefault("properties", []).append(
            {"name": "mlaudit:metrics-baseline-error", "value": baseline_problem})
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    problems = validate_sbom(text)
    if problems:
        raise SbomInvalid("the SBOM does not validate against CycloneDX 1.6: " + "; ".join(problems))
    return text, SbomFacts(dependencies=len(dependencies), weight_files=len(files), datasets=len(datasets))


def validate_sbom(text: str) -> list[str]:
    """Schema errors of a CycloneDX 1.6 JSON document (empty when valid), by the library's strict validator."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(getattr(e, "data", e))[:300] for e in (errors or ())]
