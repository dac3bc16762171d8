"""Importing the behaviour checks stays cheap: numpy, pandas, SciPy, Fairlearn load only when a check runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pandas", "scipy", "fairlearn", "sklearn", "pyarrow")


def test_check_modules_import_no_heavy_dependency() -> None:
    code = (
        "import sys\n"
        "import mlaudit.checks.performance, mlaudit.checks.drift, mlaudit.checks.fairness, mlaudit.checks.probes\n"
        "import mlaudit.behaviour.options, mlaudit.cli.baseline_cmd\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""
