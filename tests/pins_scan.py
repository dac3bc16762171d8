"""Shared by the pins tests: write files into a folder and scan them like the check does."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mlaudit.model import Finding
from mlaudit.options import parse_options
from mlaudit.pins.rules import PinRules, PinsOptions
from mlaudit.pins.sources import PinsScan, PinsScanner


def write(root: Path, rel: str, text: str) -> Path:
    """Write dedented ``text`` at ``root/rel``."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def scan(root: Path, *paths: str, **options: object) -> PinsScan:
    """Scan ``paths`` of ``root`` with ``options`` read as a ``[tool.mlaudit.pins]`` table would be."""
    parsed = parse_options(PinsOptions, options, where="tool.mlaudit.pins", source="test")
    return PinsScanner(root, PinRules(parsed)).scan(paths)


def by_rule(findings: list[Finding], rule: str) -> list[tuple[str | None, int | None]]:
    """(path, line) of the findings of ``rule``."""
    return sorted((f.path, f.line) for f in findings if f.rule == rule)
