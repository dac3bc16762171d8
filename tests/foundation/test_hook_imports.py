"""Hooks must start fast: importing a hook pulls in no heavy dependency."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ["jinja2", "git", "pip_audit", "sigstore", "model_signing", "scancode", "cyclonedx", "pandas",
         "numpy", "scipy", "sklearn", "fairlearn", "torch", "requests", "pydantic", "license_expression"]

HOOK_MODULES = ["mlaudit.hooks.weight_hashes"]


@pytest.mark.parametrize("module", [*HOOK_MODULES, "mlaudit.cli.main", "mlaudit.config", "mlaudit.checks.weights"])
def test_importing_pulls_in_nothing_heavy(module: str) -> None:
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(proc.stdout.split())
    assert not loaded & set(HEAVY), f"{module} imports {sorted(loaded & set(HEAVY))}"
