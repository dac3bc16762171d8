"""One direction of dependencies: the import-linter contracts of pyproject.toml hold, and they bite.

The contracts (``[tool.importlinter]``): layers from the entry points down to the
model, checks imported by the registry alone, no check importing another. The
second test proves they see this project's lazy imports (inside functions), which
is how the old cycle hid: ``config`` imported the registry inside a function.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

SRC = PROJECT_ROOT / "src"


def _lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "lint-imports"
    if not tool.exists():
        pytest.skip("lint-imports is not installed in this environment (pip install '.[test]')")
    env = {**os.environ, "PYTHONPATH": str(src)}  # analyse this tree, not an installed copy
    return subprocess.run([str(tool), "--no-cache", "--no-logo", "--config", str(PROJECT_ROOT / "pyproject.toml")],
                          cwd=src, env=env, capture_output=True, text=True, check=False, timeout=300)


def test_import_contracts_hold() -> None:
    proc = _lint_imports(SRC)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_lazy_imports_against_the_layers_break_the_contracts(tmp_path: Path) -> None:
    """The old mistakes, written as lazy imports in a copy of the tree, are each reported."""
    shutil.copytree(SRC / "mlaudit", tmp_path / "mlaudit", symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__"))
    package = tmp_path / "mlaudit"
    _append(package / "config.py",
            "\n\ndef _section_types() -> object:\n    from mlaudit.registry import REGISTRY\n\n    return REGISTRY\n")
    _append(package / "behaviour" / "evaluation.py",
            "\n\ndef _options() -> object:\n    from mlaudit.checks.performance import PerformanceCheck\n\n"
            "    return PerformanceCheck\n")
    _append(package / "checks" / "licenses.py",
            "\n\ndef _weights() -> object:\n    from mlaudit.checks.weights import WeightsCheck\n\n    return WeightsCheck\n")
    # The old cycles inside packages: the machine's mixin walking embedded pickles with the walker above
    # it, a per-format scan naming the scanner that calls it.
    _append(package / "formats" / "pickle_embedded.py",
            "\n\ndef _walk() -> object:\n    from mlaudit.formats.pickle_ops import walk_stream\n\n    return walk_stream\n")
    _append(package / "serialization" / "format_scans.py",
            "\n\ndef _scanner() -> object:\n    from mlaudit.serialization.scanner import ModelScanner\n\n"
            "    return ModelScanner\n")
    proc = _lint_imports(tmp_path)
    assert proc.returncode != 0
    out = " ".join(proc.stdout.split())  # import-linter wraps long lines
    assert "mlaudit.config is not allowed to import mlaudit.registry" in out
    assert "mlaudit.behaviour is not allowed to import mlaudit.checks:" in out  # the layers
    assert "mlaudit.behaviour is not allowed to import mlaudit.checks.performance:" in out  # checks are leaves
    assert "mlaudit.behaviour.evaluation -> mlaudit.checks.performance" in out
    assert "mlaudit.checks.licenses is not allowed to import mlaudit.checks.weights" in out
    assert "mlaudit.formats.pickle_embedded is not allowed to import mlaudit.formats.pickle_ops" in out
    assert "mlaudit.serialization.format_scans is not allowed to import mlaudit.serialization.scanner" in out
