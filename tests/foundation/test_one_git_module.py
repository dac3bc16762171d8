"""All Git goes through ``git_safe``: one place opens a GitPython ``Repo`` and one place runs ``git``.

``git_safe`` gives every Git process the hardened environment (no configuration of
the audited repository runs a command). A second way in would skip it, so the
source is read here: no ``Repo(...)`` / ``Git(...)`` and no ``["git", ...]``
command line anywhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "mlaudit"
THE_GIT_MODULE = PACKAGE / "git_safe.py"


def _sources() -> list[Path]:
    files = [p for p in PACKAGE.rglob("*.py") if "hooks" not in p.relative_to(PACKAGE).parts]
    return sorted([*files, *(PROJECT_ROOT / "hooks").glob("*.py")])


def _git_entries(tree: ast.AST) -> list[int]:
    """Lines that open a GitPython repository or build a ``git`` command line."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("Repo", "Git", "clone_from", "init") and not (name == "init" and not _on_repo(func)):
                lines.append(node.lineno)
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                lines.append(node.lineno)
    return lines


def _on_repo(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)) and (
        getattr(func.value, "id", None) == "Repo" or getattr(func.value, "attr", None) == "Repo")


def test_only_git_safe_opens_repositories_or_runs_git() -> None:
    found = {
        f"{path.relative_to(PROJECT_ROOT)}:{line}"
        for path in _sources() if path != THE_GIT_MODULE
        for line in _git_entries(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert found == set(), "Git reached outside mlaudit.git_safe (use run_git / open_repo): " + ", ".join(sorted(found))


def test_the_scan_finds_the_git_module_itself() -> None:
    """The scan sees both ways in (GitPython and the command line) where they legitimately are."""
    assert len(_git_entries(ast.parse(THE_GIT_MODULE.read_text(encoding="utf-8")))) >= 2
