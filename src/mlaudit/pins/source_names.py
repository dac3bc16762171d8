"""The one table of dependency-source file names, read by the audit, the hook and the hook's ``files:``.

Each row is a kind and a regular expression over the POSIX path relative to the
root (matched whole). ``kind_of_path`` reads it for the ``pins`` and ``vulns``
checks and for the ``mlaudit-pinned-deps`` hook; ``hook_files_pattern`` joins it
into the ``files:`` filter of ``.pre-commit-hooks.yaml`` (a test keeps the two
equal), so pre-commit hands the hook exactly the files the audit reads.
Requirements files are named by globs in ``[tool.mlaudit.pins] requirements``;
the table's requirements rows are the regex form of their defaults.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable


class SourceKind(str, enum.Enum):
    """The kinds of files the ``pins`` check reads."""

    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    LOCK = "lock"
    CONDA = "conda"
    WORKFLOW = "workflow"
    DOCKERFILE = "dockerfile"
    PYTHON = "python"


_DIR = r"(?:[^/]+/)*"
"""Any folder, or none."""
_NOT_DOCUMENT = r"(?![^/]*\.(?i:py|md|rst|txt|json|ya?ml|toml|sh|j2|jinja|tmpl|template|lock|orig|bak|ipynb)$)"
"""``Dockerfile.md``, ``dockerfile.py`` and the like are about Dockerfiles, not Dockerfiles."""

SOURCE_NAMES: tuple[tuple[SourceKind, str], ...] = (
    (SourceKind.REQUIREMENTS, _DIR + r"requirements[^/]*\.(?:txt|in)"),
    (SourceKind.REQUIREMENTS, _DIR + r"requirements/[^/]*\.txt"),
    (SourceKind.REQUIREMENTS, _DIR + r"constraints[^/]*\.txt"),
    (SourceKind.PYPROJECT, _DIR + r"pyproject\.toml"),
    (SourceKind.LOCK, _DIR + r"(?:uv\.lock|poetry\.lock|pylock\.toml|pylock\.[^/]+\.toml)"),
    (SourceKind.WORKFLOW, r"\.github/workflows/[^/]+\.ya?ml"),
    (SourceKind.WORKFLOW, _DIR + r"action\.ya?ml"),
    (SourceKind.CONDA, _DIR + r"(?i:(?:environment|conda)[^/]*\.ya?ml)"),
    (SourceKind.PYTHON, _DIR + r"[^/]*\.py"),
    # Dockerfile, Containerfile, Dockerfile-cpu, Dockerfile.arm64, Containerfile.dev, gpu.Dockerfile
    (SourceKind.DOCKERFILE, _DIR + r"(?i:dockerfile|containerfile)"),
    (SourceKind.DOCKERFILE, _DIR + _NOT_DOCUMENT + r"(?i:dockerfile[-.]|containerfile)[^/]+"),
    (SourceKind.DOCKERFILE, _DIR + r"[^/]+\.(?i:dockerfile|containerfile)"),
)
"""(kind, regex over the relative path); the first row that matches decides."""

_COMPILED = tuple((kind, re.compile(pattern, re.DOTALL)) for kind, pattern in SOURCE_NAMES)


def kind_of_path(rel: str, is_requirements: Callable[[str], bool] | None = None) -> SourceKind | None:
    """The kind of a POSIX relative path, or None; ``is_requirements`` replaces the requirements rows."""
    if is_requirements is not None and is_requirements(rel):
        return SourceKind.REQUIREMENTS
    for kind, pattern in _COMPILED:
        if is_requirements is not None and kind is SourceKind.REQUIREMENTS:
            continue
        if pattern.fullmatch(rel):
            return kind
    return None


def is_kind(rel: str, kind: SourceKind) -> bool:
    """True when a row of ``kind`` matches ``rel``."""
    return any(k is kind and pattern.fullmatch(rel) for k, pattern in _COMPILED)


def hook_files_pattern() -> str:
    """The ``files:`` regex of the ``mlaudit-pinned-deps`` hook: every row, anchored (pre-commit searches)."""
    return "^(?:" + "|".join(pattern for _, pattern in SOURCE_NAMES) + ")$"
