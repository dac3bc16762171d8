"""Hooks must start fast: importing a hook pulls in no heavy dependency."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest
import yaml
from conftest import PROJECT_ROOT

HEAVY = ["jinja2", "git", "pip_audit", "sigstore", "model_signing", "scancode", "cyclonedx", "pandas",
         "numpy", "scipy", "sklearn", "fairlearn", "torch", "requests", "pydantic", "license_expression"]

def _hook_modules() -> list[str]:
    """The module behind every hook of .pre-commit-hooks.yaml (through its console script)."""
    scripts = {ep.name: ep.value.split(":")[0] for ep in metadata.entry_points(group="console_scripts")}
    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return sorted({scripts[h["entry"].split()[0]] for h in hooks if h["entry"].split()[0] in scripts})


HOOK_MODULES = _hook_modules()


@pytest.mark.parametrize("module", [*HOOK_MODULES, "mlaudit.cli.main", "mlaudit.config", "mlaudit.checks.weights",
                                    "mlaudit.weights.repository_weights"])
def test_importing_pulls_in_nothing_heavy(module: str) -> None:
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(proc.stdout.split())
    assert not loaded & set(HEAVY), f"{module} imports {sorted(loaded & set(HEAVY))}"
