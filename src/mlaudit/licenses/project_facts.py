"""The project's own licence: ``pyproject.toml`` (PEP 639 or the older table), then its licence files.

A licence file is recognised here by its SPDX header or its title only (cheap,
for the hook); the full audit confirms every licence file with scancode.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mlaudit.licenses.compatibility import ComponentKind
from mlaudit.licenses.components import Component
from mlaudit.licenses.normalize import Normalized, normalize_classifiers, normalize_expression
from mlaudit.repo_paths import OutsideRepository, contained_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|UNLICENSE)([.-][\w.-]*)?$", re.IGNORECASE)
"""Names of licence files, at any depth."""
_SUBJECT_FILES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), subject)
    for pattern, subject in (
        (r"^(DATA|DATASETS?)[-_.]?LICEN[CS]E([.-][\w.-]*)?$", "data"),
        (r"^LICEN[CS]E[-_.](DATA|DATASETS?)([.-][\w.-]*)?$", "data"),
        (r"^(MODEL|WEIGHTS?)[-_.]?LICEN[CS]E([.-][\w.-]*)?$", "model"),
        (r"^LICEN[CS]E[-_.](MODEL|WEIGHTS?)([.-][\w.-]*)?$", "model"),
    )
)
"""Licence files of the dataset (``DATA_LICENSE``, ``LICENSE-DATA``...) and the weights (``MODEL_LICENSE``...)."""

_HEAD_BYTES = 4096
_TITLES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), spdx)
    for pattern, spdx in (
        (r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3", "AGPL-3.0-only"),
        (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", "LGPL-3.0-only"),
        (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1", "LGPL-2.1-only"),
        (r"GNU GENERAL PUBLIC LICENSE\s+Version 3", "GPL-3.0-only"),
        (r"GNU GENERAL PUBLIC LICENSE\s+Version 2", "GPL-2.0-only"),
        (r"Apache License\s+Version 2\.0", "Apache-2.0"),
        (r"Mozilla Public License,? Version 2\.0", "MPL-2.0"),
        (r"^\s*MIT License|Permission is hereby granted, free of charge", "MIT"),
        (r"This is free and unencumbered software released into the public domain", "Unlicense"),
    )
)


def is_license_file(rel_path: str) -> bool:
    """True for LICENSE, COPYING, NOTICE files, the data's and the model's too (any extension, any folder)."""
    name = rel_path.rsplit("/", 1)[-1]
    return bool(LICENSE_FILE.match(name)) or license_file_subject(rel_path) is not None


def license_file_subject(rel_path: str) -> str | None:
    """``"data"`` or ``"model"`` for a dataset's or the weights' licence file, else None."""
    name = rel_path.rsplit("/", 1)[-1]
    return next((subject for pattern, subject in _SUBJECT_FILES if pattern.match(name)), None)


def is_project_license_file(rel_path: str) -> bool:
    """A licence file that speaks for the project (not a dataset's or the weights' licence file)."""
    return is_license_file(rel_path) and license_file_subject(rel_path) is None


def license_file_by_title(text: str) -> Normalized | None:
    """A licence file's licence from an SPDX header or its title, or None."""
    head = text[:_HEAD_BYTES]
    header = re.search(r"SPDX-License-Identifier:\s*([^\n*]+?)\s*(\*/|-->|$)", head, re.MULTILINE)
    if header:
        return normalize_expression(header.group(1))
    for pattern, spdx in _TITLES:
        if pattern.search(head):
            return Normalized(
                head.strip().splitlines()[0][:80] if head.strip() else "",
                spdx,
                notes=("recognised by its title; the GNU texts do not say -only or -or-later",)
                if spdx.startswith(("GPL", "LGPL", "AGPL"))
                else (),
            )
    return None


def pyproject_license(root: Path) -> Component | None:
    """The licence ``pyproject.toml`` declares, or None when it declares none (or cannot be read)."""
    path = root / "pyproject.toml"
    if isinstance(contained_file(root, "pyproject.toml"), OutsideRepository):
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: a hostile file nested 100k deep
        return None
    project: Any = data.get("project")
    if not isinstance(project, dict):
        return None
    value = project.get("license")
    if isinstance(value, str) and value.strip():
        return Component(
            ComponentKind.PROJECT,
            "project",
            normalize_expression(value),
            source="pyproject.toml project.license",
            path="pyproject.toml",
        )
    if isinstance(value, dict):
        if isinstance(value.get("text"), str) and value["text"].strip():
            return Component(
                ComponentKind.PROJECT,
                "project",
                normalize_expression(value["text"]),
                source="pyproject.toml project.license.text",
                path="pyproject.toml",
            )
        if isinstance(value.get("file"), str):
            found = read_license_file(root, value["file"])
            if found is not None:
                return Component(
                    ComponentKind.PROJECT,
                    "project",
                    found,
                    source=f"pyproject.toml project.license.file ({value['file']})",
                    path=value["file"],
                )
    classifiers = project.get("classifiers")
    if isinstance(classifiers, list):
        normalized = normalize_classifiers(c for c in classifiers if isinstance(c, str))
        if normalized is not None and normalized.expression:
            return Component(
                ComponentKind.PROJECT,
                "project",
                normalized,
                source="pyproject.toml classifiers",
                path="pyproject.toml",
            )
    return None


def read_license_file(root: Path, rel_path: str) -> Normalized | None:
    """The licence of one licence file by header or title (bounded read); never one outside the root."""
    if isinstance(contained_file(root, rel_path), OutsideRepository):
        return None
    try:
        with (root / rel_path).open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    return license_file_by_title(head.decode("utf-8", errors="replace"))


def project_license(root: Path, files: tuple[str, ...], declared: str = "") -> Component | None:
    """The project's licence: configuration, then ``pyproject.toml``, then a top-level licence file."""
    if declared:
        return Component(
            ComponentKind.PROJECT,
            "project",
            normalize_expression(declared),
            source="[tool.mlaudit.licenses] project",
        )
    from_pyproject = pyproject_license(root)
    if from_pyproject is not None:
        return from_pyproject
    for rel in files:
        if "/" not in rel and is_project_license_file(rel) and not rel.upper().startswith("NOTICE"):
            found = read_license_file(root, rel)
            if found is not None:
                return Component(ComponentKind.PROJECT, "project", found, source=f"{rel} (title)", path=rel)
    return None
