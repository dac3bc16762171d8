"""Fixtures of the behaviour-gate tests: a project folder with an ``mlaudit.toml``, audited in process."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import CheckResult, Report

PYTHON = sys.executable


class Project:
    """A temporary project: write files, write the configuration, audit."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        """Write a file (dedented) and return its path."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def script(self, rel: str, body: str) -> str:
        """Write a Python script; return the configured command that runs it."""
        self.write(rel, body)
        return f"{PYTHON} {rel}"

    def config(self, text: str) -> None:
        """Write ``mlaudit.toml``."""
        self.write("mlaudit.toml", text)

    def audit(self, only: Sequence[str]) -> Report:
        """Run the audit in process on the given checks."""
        return run_audit(AuditContext(self.root, load_config(self.root)), only=list(only))

    def check(self, check_id: str) -> CheckResult:
        """Run one check and return its result."""
        result = self.audit([check_id]).check(check_id)
        assert result is not None
        return result


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project folder."""
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


def rules(result: CheckResult) -> list[str]:
    """The rule ids of a result's findings."""
    return [f.rule for f in result.findings]


@pytest.fixture
def rules_of() -> Callable[[CheckResult], list[str]]:
    """``rules`` as a fixture (test modules cannot import this conftest by name)."""
    return rules
