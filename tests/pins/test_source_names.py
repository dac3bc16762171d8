"""One table of dependency-source names: the audit reads what the hook's ``files:`` hands over, and only that."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, git, init_repo, run_mlaudit
from pins_scan import by_rule, scan, write

from mlaudit.pins.rules import PinRules, PinsOptions
from mlaudit.pins.source_names import SourceKind, hook_files_pattern
from mlaudit.pins.sources import classifier

DIGEST = "sha256:" + "a" * 64

NAMED: list[tuple[str, SourceKind | None]] = [
    ("Dockerfile", SourceKind.DOCKERFILE),
    ("utils/docker/Dockerfile-cpu", SourceKind.DOCKERFILE),
    ("Dockerfile-arm64", SourceKind.DOCKERFILE),
    ("Dockerfile.gpu", SourceKind.DOCKERFILE),
    ("docker/serve.Dockerfile", SourceKind.DOCKERFILE),
    ("deploy/Containerfile", SourceKind.DOCKERFILE),
    ("Containerfile.dev", SourceKind.DOCKERFILE),
    ("Containerfile-rocm", SourceKind.DOCKERFILE),
    ("dockerfile", SourceKind.DOCKERFILE),
    ("requirements.txt", SourceKind.REQUIREMENTS),
    ("requirements-dev.txt", SourceKind.REQUIREMENTS),
    ("requirements.in", SourceKind.REQUIREMENTS),
    ("requirements/base.txt", SourceKind.REQUIREMENTS),
    ("sub/constraints.txt", SourceKind.REQUIREMENTS),
    ("pyproject.toml", SourceKind.PYPROJECT),
    ("uv.lock", SourceKind.LOCK),
    ("poetry.lock", SourceKind.LOCK),
    ("pylock.toml", SourceKind.LOCK),
    ("pylock.dev.toml", SourceKind.LOCK),
    (".github/workflows/ci.yml", SourceKind.WORKFLOW),
    (".github/workflows/release.yaml", SourceKind.WORKFLOW),
    ("action.yml", SourceKind.WORKFLOW),
    ("actions/setup/action.yaml", SourceKind.WORKFLOW),
    ("environment.yml", SourceKind.CONDA),
    ("envs/environment-gpu.yaml", SourceKind.CONDA),
    ("conda.yml", SourceKind.CONDA),
    ("train.py", SourceKind.PYTHON),
    ("src/dockerfile.py", SourceKind.PYTHON),
    ("docs/Dockerfile.md", None),
    ("Dockerfile.txt", None),
    ("notes/Dockerfile-howto.rst", None),
    (".github/workflows/sub/x.yml", None),
    ("README.md", None),
    ("config.yml", None),
]


@pytest.mark.parametrize(("rel", "kind"), NAMED)
def test_every_name_has_its_kind_in_the_audit_and_the_hook(rel: str, kind: SourceKind | None) -> None:
    assert classifier(PinRules(PinsOptions()))(rel) is kind
    # pre-commit searches the `files:` regex in each staged path
    hooked = re.search(hook_files_pattern(), rel) is not None
    assert hooked is (kind is not None)


def test_the_hook_manifest_uses_the_table() -> None:
    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pinned = next(h for h in hooks if h["id"] == "mlaudit-pinned-deps")
    assert pinned["files"] == hook_files_pattern()


def test_dockerfile_variants_are_audited(tmp_path: Path) -> None:
    write(tmp_path, "utils/docker/Dockerfile-cpu", "FROM python:3.11-slim\n")
    write(tmp_path, "Dockerfile-arm64", "FROM arm64v8/python:3.11\n")
    write(tmp_path, "Containerfile.dev", f"FROM python@{DIGEST}\n")
    result = scan(tmp_path, "utils/docker/Dockerfile-cpu", "Dockerfile-arm64", "Containerfile.dev")
    assert sorted(result.sources["dockerfile"]) == ["Containerfile.dev", "Dockerfile-arm64", "utils/docker/Dockerfile-cpu"]
    assert by_rule(result.findings, "pins.image-unpinned") == [("Dockerfile-arm64", 1), ("utils/docker/Dockerfile-cpu", 1)]


def test_the_full_audit_finds_an_unpinned_dockerfile_variant(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "utils/docker/Dockerfile-cpu", "FROM python:3.11-slim\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docker")
    proc = run_mlaudit("audit", str(root), "--only", "pins", "--format", "json", cwd=root)
    assert "utils/docker/Dockerfile-cpu" in proc.stdout, proc.stderr
    assert "pins.image-unpinned" in proc.stdout
