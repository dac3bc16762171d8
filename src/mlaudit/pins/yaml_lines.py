"""YAML with line numbers: compose a node tree (C loader when available) and walk it.

Pins findings must name the line; PyYAML's node tree keeps each scalar's start
mark, which plain ``safe_load`` throws away.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_BYTES = 2_000_000


def compose_yaml(path: Path) -> tuple[Any | None, str | None, int | None]:
    """The root node of the YAML file, or (None, reason, line) when it cannot be read or parsed."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"larger than {MAX_BYTES} bytes", None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read: {exc}", None
    try:
        return yaml.compose(text, Loader=loader), None, None
    except RecursionError:
        return None, "invalid YAML: nested too deeply", None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, f"invalid YAML: {str(exc).splitlines()[0]}", line


def mapping_get(node: Any, key: str) -> Any | None:
    """The value node of ``key`` in a mapping node, else None."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def mapping_items(node: Any) -> list[tuple[str, Any]]:
    """(key, value node) pairs of a mapping node (empty for anything else)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(k.value), v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def sequence_items(node: Any) -> list[Any]:
    """The item nodes of a sequence node (empty for anything else)."""
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def scalar(node: Any) -> str | None:
    """The text of a scalar node, else None."""
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def line_of(node: Any) -> int:
    """1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def block_first_line(node: Any) -> int:
    """1-based line of the first content line of a scalar (block scalars start on the next line)."""
    style = getattr(node, "style", None)
    return line_of(node) + (1 if style in ("|", ">") else 0)
