"""Under CI, a skipped test is a failure unless it is marked for something CI cannot have (tests/conftest.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CI_MAY_SKIP, PROJECT_ROOT

SAMPLE = '''
import pytest

def test_passes():
    pass

def test_skips_without_a_marker():
    pytest.skip("a tool is missing")

@pytest.mark.skipif(True, reason="a condition")
def test_skipif_without_a_marker():
    pass

@pytest.mark.needs_network
def test_skips_with_a_ci_marker():
    pytest.skip("index unreachable")

@pytest.mark.needs_network
@pytest.mark.skipif(True, reason="offline")
def test_skipif_with_a_ci_marker():
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    raise AssertionError
'''
MODULE_SKIP = 'import pytest\npytest.importorskip("a_module_nobody_has")\n\ndef test_never_runs():\n    pass\n'


def _run(tmp_path: Path, ci: str | None) -> dict[str, int]:
    """Run pytest on the sample with the project's conftest.py, CI set to ``ci`` (or unset)."""
    suite = tmp_path / f"suite-{ci}"
    suite.mkdir()
    shutil.copy(PROJECT_ROOT / "tests" / "conftest.py", suite / "conftest.py")
    markers = "\n".join(f"    {name}: {why}" for name, why in CI_MAY_SKIP.items())
    (suite / "pytest.ini").write_text(f"[pytest]\naddopts = --strict-markers -p no:cacheprovider\nmarkers =\n{markers}\n")
    (suite / "test_sample.py").write_text(SAMPLE)
    (suite / "test_module_skip.py").write_text(MODULE_SKIP)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the sample needs no plugin; starting faster keeps this test cheap
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "--continue-on-collection-errors", str(suite)],
                          cwd=suite, env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|xfailed|errors?)", proc.stdout)}
    assert "skipped under CI" in proc.stdout or ci in (None, "false"), proc.stdout
    return counts


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_skip_without_a_marker_fails(tmp_path: Path, ci: str) -> None:
    counts = _run(tmp_path, ci)
    # A skip in the test fails it; a skipif (decided at setup) and a module skipping at import are errors.
    assert counts.get("failed") == 1, counts
    assert counts.get("errors", counts.get("error")) == 2, counts
    assert counts.get("skipped") == 2 and counts.get("passed") == 1 and counts.get("xfailed") == 1, counts


@pytest.mark.parametrize("ci", [None, "false"])
def test_outside_ci_skips_stay_skips(tmp_path: Path, ci: str | None) -> None:
    counts = _run(tmp_path, ci)
    assert "failed" not in counts and "error" not in counts and "errors" not in counts, counts
    assert counts.get("skipped") == 5 and counts.get("passed") == 1 and counts.get("xfailed") == 1, counts


def test_the_ci_markers_are_declared_and_documented() -> None:
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    contributing = (PROJECT_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for name in [*CI_MAY_SKIP, "slow"]:
        assert re.search(rf'^\s*"{name}: ', pyproject, re.M), f"marker {name} is not declared in pyproject.toml"
        assert f"| `{name}` |" in contributing, f"marker {name} is not in CONTRIBUTING.md's marker table"
