"""pip and pip-audit run so that neither the checkout nor PYTHON*/untrusted PIP_* variables can reach them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_repo import plant_shadow_modules

from mlaudit.isolated_tool import run_python_tool, tool_environment


def test_shadow_packages_in_the_current_folder_or_pythonpath_are_never_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    marker = tmp_path / "MARKER"
    plant_shadow_modules(checkout, marker)
    monkeypatch.chdir(checkout)  # where an audit started in the repository runs
    monkeypatch.setenv("PYTHONPATH", str(checkout))
    monkeypatch.setenv("PYTHONSTARTUP", str(checkout / "pip" / "__init__.py"))
    proc = run_python_tool("pip", ["--version"], timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("pip ")
    assert not marker.exists()


def test_only_the_runners_network_settings_reach_pip() -> None:
    env = tool_environment({
        "PATH": "/usr/bin", "PYTHONPATH": ".", "PYTHONHOME": "/x", "PIP_FIND_LINKS": "./wheels",
        "PIP_NO_BINARY": ":all:", "PIP_EDITABLE": "1", "PIP_INDEX_URL": "https://mirror.example/simple",
        "PIP_CERT": "/etc/ssl/ca.pem",
    })
    assert env["PATH"] == "/usr/bin"
    assert env["PIP_INDEX_URL"] == "https://mirror.example/simple" and env["PIP_CERT"] == "/etc/ssl/ca.pem"
    assert not {"PYTHONPATH", "PYTHONHOME", "PIP_FIND_LINKS", "PIP_NO_BINARY", "PIP_EDITABLE"} & set(env)
    assert env["PIP_NO_INPUT"] == "1"
