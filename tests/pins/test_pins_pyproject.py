"""pyproject.toml: PEP 621 dependencies, extras, PEP 735 groups, lock files, broken TOML."""

from __future__ import annotations

from pathlib import Path

import pytest
from pins_scan import by_rule, scan, write

APP = """
[project]
name = "demo-model"
version = "1"
dependencies = [
    "torch>=2.1",
    "numpy==1.26.4",
    "tokenizers @ git+https://github.com/huggingface/tokenizers@0123456789abcdef0123456789abcdef01234567",
]

[project.optional-dependencies]
eval = ["evaluate~=0.4"]

[dependency-groups]
dev = ["pytest", {include-group = "lint"}]
lint = ["ruff==0.6.9"]
"""


def test_application_ranges_without_lock_are_flagged(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", APP)
    result = scan(tmp_path, "pyproject.toml")
    assert by_rule(result.findings, "pins.pyproject-range") == [
        ("pyproject.toml", 5), ("pyproject.toml", 11), ("pyproject.toml", 14)]
    assert {(p.name, p.version) for p in result.pinned} == {("numpy", "1.26.4"), ("ruff", "0.6.9")}


def test_library_ranges_are_fine_unless_tuned(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[build-system]\nrequires = ["hatchling"]\n' + APP)
    assert not scan(tmp_path, "pyproject.toml").findings
    forced = scan(tmp_path, "pyproject.toml", project_kind="application")
    assert len(by_rule(forced.findings, "pins.pyproject-range")) == 3


@pytest.mark.parametrize("lock_name, lock_text", [
    ("uv.lock", 'version = 1\n[[package]]\nname = "torch"\nversion = "2.3.1"\n'
                '[[package]]\nname = "evaluate"\nversion = "0.4.2"\n[[package]]\nname = "pytest"\nversion = "8.3.3"\n'),
    ("poetry.lock", '[[package]]\nname = "Torch"\nversion = "2.3.1"\n[[package]]\nname = "evaluate"\n'
                    'version = "0.4.2"\n[[package]]\nname = "pytest"\nversion = "8.3.3"\n'),
    ("pylock.toml", 'lock-version = "1.0"\n[[packages]]\nname = "torch"\nversion = "2.3.1"\n'
                    '[[packages]]\nname = "evaluate"\nversion = "0.4.2"\n[[packages]]\nname = "pytest"\nversion = "8.3.3"\n'),
    ("requirements.txt", "torch==2.3.1 --hash=sha256:aa\nevaluate==0.4.2 --hash=sha256:bb\n"
                         "pytest==8.3.3 --hash=sha256:cc\n"),
])
def test_a_lock_file_pins_the_ranges(tmp_path: Path, lock_name: str, lock_text: str) -> None:
    write(tmp_path, "pyproject.toml", APP)
    write(tmp_path, lock_name, lock_text)
    result = scan(tmp_path, "pyproject.toml")
    assert not by_rule(result.findings, "pins.pyproject-range")
    assert not by_rule(result.findings, "pins.lock-missing-package")
    assert result.locks == [lock_name]


def test_lock_missing_a_dependency_and_unhashed_requirements_is_no_lock(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", APP)
    write(tmp_path, "uv.lock", 'version = 1\n[[package]]\nname = "torch"\nversion = "2.3.1"\n')
    result = scan(tmp_path, "pyproject.toml", "uv.lock")
    assert by_rule(result.findings, "pins.lock-missing-package") == [("pyproject.toml", 11), ("pyproject.toml", 14)]
    assert ("torch", "2.3.1", "uv.lock", 3) in {(p.name, p.version, p.path, p.line) for p in result.pinned}
    (tmp_path / "uv.lock").unlink()
    write(tmp_path, "requirements.txt", "torch==2.3.1\n")  # pinned but not hashed: not a compiled lock
    assert len(by_rule(scan(tmp_path, "pyproject.toml").findings, "pins.pyproject-range")) == 3


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = [\n  "torch",\n  oops\n]\n')
    write(tmp_path, "uv.lock", "[[package]\nname=1\n")
    result = scan(tmp_path, "pyproject.toml", "uv.lock")
    found = by_rule(result.findings, "pins.invalid-file")
    assert ("pyproject.toml", 5) in found
    assert ("uv.lock", 1) in found
    assert all("invalid TOML" in f.message for f in result.findings)
