"""`mlaudit sbom`: CycloneDX 1.6 with dependencies (versions, licences, purls) and the model, schema-valid."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from conftest import run_mlaudit

from mlaudit.sbom import validate_sbom

CARD = """---
license: apache-2.0
base_model: acme/base-7b
datasets:
- acme/corpus
- acme/eval-set
pipeline_tag: text-classification
model-index:
- name: classifier
  results:
  - task: {type: text-classification}
    dataset: {type: glue, name: GLUE SST2, split: validation}
    metrics:
    - {type: accuracy, value: 0.91}
---
# Classifier
"""


def _sbom(root: Path) -> tuple[str, dict[str, Any]]:
    out = root.parent / f"{root.name}.cdx.json"
    proc = run_mlaudit("sbom", str(root), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    return text, json.loads(text)


def test_sbom_of_a_model_repository(tmp_path: Path) -> None:
    root = tmp_path / "classifier"
    (root / "weights").mkdir(parents=True)
    (root / "README.md").write_text(CARD)
    yaml_version, packaging_version = metadata.version("pyyaml"), metadata.version("packaging")
    (root / "requirements.txt").write_text(f"PyYAML=={yaml_version}\npackaging=={packaging_version}\n"
                                           "jinja2==0.0.1\nrequests>=2  # a range: not a pin\n")
    (root / "pyproject.toml").write_text('[project]\nname = "classifier"\nversion = "1"\n'
                                         'dependencies = ["numpy==1.26.4"]\n')
    (root / "metrics.baseline.json").write_text('{"metrics": {"accuracy": 0.9, "latency": {"p95_ms": 41.5}}}')
    shards = {"weights/model-00001.safetensors": b"a" * 300, "weights/model-00002.safetensors": b"b" * 200}
    for name, data in shards.items():
        (root / name).write_bytes(data)
    text, sbom = _sbom(root)
    assert validate_sbom(text) == []
    assert sbom["specVersion"] == "1.6" and sbom["bomFormat"] == "CycloneDX"

    by_name = {c["name"]: c for c in sbom["components"]}
    pyyaml = by_name["pyyaml"]
    assert pyyaml["version"] == yaml_version and pyyaml["purl"] == f"pkg:pypi/pyyaml@{yaml_version}"
    # licences come from the metadata of the very version installed here; other versions stay unknown
    assert pyyaml["licenses"] == [{"license": {"id": "MIT"}}]
    assert by_name["packaging"]["licenses"] == [{"expression": "Apache-2.0 OR BSD-2-Clause"}]
    assert by_name["jinja2"]["version"] == "0.0.1" and "licenses" not in by_name["jinja2"]
    assert by_name["numpy"]["purl"] == "pkg:pypi/numpy@1.26.4"
    assert "requests" not in by_name

    model = sbom["metadata"]["component"]
    assert model["type"] == "machine-learning-model" and model["name"] == "classifier"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    files = {c["name"]: c["hashes"][0]["content"] for c in model["components"]}
    assert files == {name: hashlib.sha256(data).hexdigest() for name, data in shards.items()}
    assert model["pedigree"]["ancestors"][0]["purl"] == "pkg:huggingface/acme/base-7b"
    card = model["modelCard"]
    assert card["modelParameters"]["task"] == "text-classification"
    refs = [d["ref"] for d in card["modelParameters"]["datasets"]]
    data_refs = {c["bom-ref"] for c in sbom["components"] if c["type"] == "data"}
    assert set(refs) == data_refs == {"dataset:acme/corpus", "dataset:acme/eval-set"}
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "accuracy", "value": "0.91", "slice": "GLUE SST2 validation"},
        {"type": "accuracy", "value": "0.9", "slice": "baseline metrics.baseline.json"},
        {"type": "latency.p95_ms", "value": "41.5", "slice": "baseline metrics.baseline.json"}]
    model_deps = next(d for d in sbom["dependencies"] if d["ref"] == "model")
    assert set(model_deps["dependsOn"]) >= {"pypi:numpy@1.26.4", "dataset:acme/corpus"}


def _sbom_in_process(root: Path) -> tuple[str, dict[str, Any]]:
    """The same build, without a process start (the schema validator takes seconds to import)."""
    from mlaudit.config import load_config
    from mlaudit.context import AuditContext
    from mlaudit.sbom import build_sbom

    text, _facts = build_sbom(AuditContext(root, load_config(root)))
    return text, json.loads(text)


def test_sbom_without_model_card_or_dependencies_is_still_valid(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    (root / "w.gguf").write_bytes(b"GGUF" + bytes(60))
    (root / "metrics.baseline.json").write_text("{truncated")
    text, sbom = _sbom_in_process(root)
    assert validate_sbom(text) == []
    model = sbom["metadata"]["component"]
    assert model["properties"][-1]["name"] == "mlaudit:metrics-baseline-error"
    assert "not valid JSON" in model["properties"][-1]["value"]
    assert "licenses" not in model and [c["name"] for c in model["components"]] == ["w.gguf"]
    assert sbom.get("components", []) == []


def test_validator_rejects_a_broken_sbom(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "README.md").write_text(CARD)
    _text, sbom = _sbom_in_process(root)
    sbom["metadata"]["component"]["type"] = "weights"
    sbom["metadata"]["component"]["modelCard"]["modelParameters"]["datasets"] = [{"nope": 1}]
    assert validate_sbom(json.dumps(sbom))
