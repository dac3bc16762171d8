"""Dataset and weight licence files (DATA_LICENSE, LICENSE-MODEL, ...) are the dataset's and the weights' licences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, git, init_repo

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.licenses.project_facts import is_license_file, is_project_license_file, license_file_subject

CC_BY_NC = "SPDX-License-Identifier: CC-BY-NC-4.0\n\nAttribution-NonCommercial 4.0 International\n"

DATA_NAMES = ["DATA_LICENSE", "DATA-LICENSE.txt", "DATASET_LICENSE", "LICENSE-DATA", "LICENSE.data", "LICENSE_DATA.md",
              "data/DATA_LICENSE", "license-dataset"]
MODEL_NAMES = ["MODEL_LICENSE", "MODEL-LICENSE.md", "WEIGHTS_LICENSE", "LICENSE-MODEL", "LICENSE.model",
               "LICENSE_WEIGHTS", "weights/MODEL_LICENCE"]


@pytest.mark.parametrize("name", DATA_NAMES)
def test_data_licence_names(name: str) -> None:
    assert license_file_subject(name) == "data"
    assert is_license_file(name) and not is_project_license_file(name)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_licence_names(name: str) -> None:
    assert license_file_subject(name) == "model"
    assert is_license_file(name) and not is_project_license_file(name)


@pytest.mark.parametrize("name", DATA_NAMES + MODEL_NAMES)
def test_the_licences_hook_runs_when_one_changes(name: str) -> None:
    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pattern = next(h for h in hooks if h["id"] == "mlaudit-licenses")["files"]
    assert re.search(pattern, name)
    assert re.search(pattern, "LICENSE") and not re.search(pattern, "src/model.py")


@pytest.mark.parametrize("name", ["LICENSE", "LICENSE.txt", "COPYING", "LICENSE-APACHE", "LICENSE.md", "NOTICE",
                                  "DATA.md", "model.py", "LICENSES/MIT.txt"])
def test_other_names_are_not_data_or_model_licences(name: str) -> None:
    assert license_file_subject(name) is None


def _audit(root: Path, tmp_path: Path) -> dict[str, dict[str, object]]:
    git(root, "add", "-A")
    ctx = AuditContext(root, load_config(root), cache_dir=tmp_path / "cache")
    result = run_audit(ctx, only=["licenses"]).check("licenses")
    assert result is not None
    return {str(c["name"]): c for c in result.evidence["components"]}


def _repo(root: Path, card: str) -> Path:
    init_repo(root)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\n\n[tool.mlaudit.licenses]\nscan_files = false\nresolve = false\n'
        "commercial = true\n",
        encoding="utf-8",
    )
    (root / "LICENSE").write_text("SPDX-License-Identifier: Apache-2.0\n\nApache License\nVersion 2.0\n", encoding="utf-8")
    (root / "README.md").write_text(card, encoding="utf-8")
    (root / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}" + b" " * 14)
    return root


@pytest.mark.parametrize("name", ["DATA_LICENSE", "LICENSE-DATA", "LICENSE.data"])
def test_a_data_licence_file_is_the_datasets_licence_not_the_projects(tmp_path: Path, name: str) -> None:
    root = _repo(tmp_path / "repo", "---\nlicense: apache-2.0\n---\n")
    (root / name).write_text(CC_BY_NC, encoding="utf-8")
    components = _audit(root, tmp_path)
    dataset = components[f"dataset ({name})"]
    assert dataset["kind"] == "dataset" and dataset["license"] == "CC-BY-NC-4.0"
    assert components["project"]["license"] == "Apache-2.0"
    assert dataset["verdict"] != "ok"  # non-commercial data under commercial intent


@pytest.mark.parametrize("name", ["MODEL_LICENSE", "LICENSE-MODEL"])
def test_a_model_licence_file_is_the_weights_licence(tmp_path: Path, name: str) -> None:
    root = _repo(tmp_path / "repo", "---\ntags: [demo]\n---\n")  # the card states no licence
    (root / name).write_text(CC_BY_NC, encoding="utf-8")
    components = _audit(root, tmp_path)
    models = [c for c in components.values() if c["kind"] == "model"]
    assert [m["license"] for m in models] == ["CC-BY-NC-4.0"]
    assert components["project"]["license"] == "Apache-2.0"
