"""The pinned-deps hook starts light: no heavy dependency, no requirements parser until a file needs it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {"pip_audit", "jinja2", "requests", "sigstore", "scancode", "git", "numpy", "pip_requirements_parser"}


def test_hook_module_import_is_light() -> None:
    code = "import sys, mlaudit.hooks.pinned_deps; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert not set(proc.stdout.split()) & HEAVY
