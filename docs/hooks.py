"""MkDocs hook: renders the generated parts of the documentation at build time.

A page asks for a generated part with an HTML comment on its own line:

- ``<!-- mlaudit:action-inputs -->`` / ``<!-- mlaudit:action-outputs -->``: tables from ``action.yml``;
- ``<!-- mlaudit:options NAME -->``: the keys of one configuration section (``general`` for the
  top level of ``[tool.mlaudit]``, a check id, or another section), from its options dataclass:
  key, type, default and the field's docstring;
- ``<!-- mlaudit:checks -->``: the check registry (id, title, pillar, page);
- ``<!-- mlaudit:cli-reference -->``: ``mlaudit COMMAND --help`` of every command;
- ``<!-- mlaudit:common-rules CHECK -->``: the rules every check may report (``<check>.waiver-expired``).

On a check's page (``checks/<id>.md``), every rule id written as a code span in the first cell
of a table row (``| `weights.mismatch` | high | ... |``) gets an anchor named after the rule, so
``checks/weights/#weights.mismatch`` (SARIF's ``helpUri``) lands on its row.

The same functions are used by ``tests/docs`` to prove that nothing is missing, so the
reference cannot drift from the code: it is the code.
"""

from __future__ import annotations

import ast
import collections.abc
import dataclasses
import enum
import inspect
import itertools
import json
import re
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- mlaudit:(?P<what>[a-z-]+)(?: (?P<arg>[a-z_]+))? -->$", re.M)
CHECK_PAGE = re.compile(r"^checks/(?P<check>[a-z_]+)\.md$")
RULE_ROW = re.compile(r"^\|(?P<cell>[^|]*)\|", re.M)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: replace every generation marker of the page; anchor the rule rows of a check page."""
    markdown = MARKER.sub(lambda m: render_marker(m.group("what"), m.group("arg")), markdown)
    page_check = CHECK_PAGE.match(page.file.src_uri)
    if page_check and page_check.group("check") != "index":
        markdown = anchor_rule_rows(markdown, page_check.group("check"))
    return markdown


def anchor_rule_rows(markdown: str, check_id: str) -> str:
    """Prefix each rule id in the first cell of a table row with an HTML anchor named after it."""
    rule = re.compile(rf"`({re.escape(check_id)}\.[a-z0-9]+(?:-[a-z0-9]+)*)`")

    def anchored(row: re.Match[str]) -> str:
        cell = rule.sub(lambda m: f'<a id="{m.group(1)}"></a>`{m.group(1)}`', row.group("cell"))
        return f"|{cell}|"

    return RULE_ROW.sub(anchored, markdown)


def documented_rules(markdown: str, check_id: str) -> set[str]:
    """The rule ids a check page documents: those in the first cell of a table row."""
    rule = re.compile(rf"`({re.escape(check_id)}\.[a-z0-9]+(?:-[a-z0-9]+)*)`")
    return {r for row in RULE_ROW.finditer(markdown) for r in rule.findall(row.group("cell"))}


def render_marker(what: str, arg: str | None) -> str:
    """The Markdown a marker stands for (an unknown marker is an error, so `mkdocs build` fails)."""
    if what == "action-inputs":
        return action_inputs_table()
    if what == "action-outputs":
        return action_outputs_table()
    if what == "checks":
        return checks_table()
    if what == "options" and arg:
        return options_markdown(arg)
    if what == "cli-reference":
        return cli_reference()
    if what == "common-rules" and arg:
        return common_rules(arg)
    raise ValueError(f"unknown documentation marker: mlaudit:{what} {arg or ''}")


# --- the Action ---------------------------------------------------------------------------------


def action_metadata() -> dict[str, Any]:
    """``action.yml`` as data."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def _cell(text: object) -> str:
    """Text for a table cell: one line, pipes escaped, ``<`` outside code spans not taken for HTML."""
    parts = " ".join(str(text).split()).replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def action_inputs_table() -> str:
    """One row per input of ``action.yml``: name, default, required, description."""
    rows = ["| input | default | description |", "|---|---|---|"]
    for name, spec in action_metadata().get("inputs", {}).items():
        default = spec.get("default", "")
        shown = f"`{_cell(default)}`" if default not in ("", None) else "(empty)"
        if spec.get("required"):
            shown = "required"
        rows.append(f"| `{name}` | {shown} | {_cell(spec.get('description', ''))} |")
    return "\n".join(rows)


def action_outputs_table() -> str:
    """One row per output of ``action.yml``."""
    rows = ["| output | description |", "|---|---|"]
    for name, spec in action_metadata().get("outputs", {}).items():
        rows.append(f"| `{name}` | {_cell(spec.get('description', ''))} |")
    return "\n".join(rows)


# --- the CLI ------------------------------------------------------------------------------------


def cli_help() -> dict[str, str]:
    """``mlaudit COMMAND [SUBCOMMAND] --help`` of every command, as argparse writes it (100 columns)."""
    import os

    from mlaudit.cli.main import COMMANDS, build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the page must not depend on it
    helps: dict[str, str] = {}

    def walk(prefix: str, parser: Any) -> None:
        for name, sub in _subparsers(parser).items():
            helps[f"{prefix}{name}"] = sub.format_help()
            walk(f"{prefix}{name} ", sub)

    walk("", build_parser())
    assert set(COMMANDS) <= set(helps)
    return helps


def _subparsers(parser: Any) -> dict[str, Any]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    """One section per command with its ``--help``."""
    parts: list[str] = []
    for name, text in cli_help().items():
        anchor = "mlaudit-" + name.replace(" ", "-")
        parts += [f"### `mlaudit {name}` {{#{anchor}}}", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


# --- checks --------------------------------------------------------------------------------------


def checks_table() -> str:
    """One row per registered check, linking its page."""
    from mlaudit.registry import REGISTRY

    rows = ["| check | pillar | title |", "|---|---|---|"]
    for check_id, check in REGISTRY.items():
        rows.append(f"| [`{check_id}`]({check_id}.md) | {check.pillar.value} | {_cell(check.title)} |")
    return "\n".join(rows)


def common_rules(check_id: str) -> str:
    """The rules every check may report, spelled for ``check_id``, as a table with anchors."""
    return "\n".join([
        "## Rules of every check", "",
        "| rule | severity | meaning |", "|---|---|---|",
        f"| `{check_id}.waiver-expired` | low | a waiver of this check has expired; its finding counts again "
        "(see [Waivers](../evidence.md#waivers)) |",
    ])


# --- configuration ------------------------------------------------------------------------------


def config_sections() -> dict[str, tuple[str, type[Any]]]:
    """Every configuration section: name -> (TOML header, options dataclass)."""
    from mlaudit import config
    from mlaudit.registry import SECTION_TYPES

    sections: dict[str, tuple[str, type[Any]]] = {"general": ("[tool.mlaudit]", config.GeneralOptions)}
    for name, cls in SECTION_TYPES.tables.items():
        sections[name] = (f"[tool.mlaudit.{name}]", cls)
    for name, cls in SECTION_TYPES.arrays.items():
        sections[name] = (f"[[tool.mlaudit.{name}]]", cls)
    return sections


@dataclasses.dataclass(frozen=True)
class OptionDoc:
    """One documented configuration key."""

    key: str
    """Dotted key inside its section (``metrics.<name>.direction`` for nested tables)."""
    type: str
    default: str
    meaning: str


_DOCSTRINGS: dict[type[Any], dict[str, str]] = {}


def field_docstrings(cls: type[Any]) -> dict[str, str]:
    """The attribute docstrings (a string literal right after the field) of ``cls`` and its bases."""
    if cls in _DOCSTRINGS:
        return _DOCSTRINGS[cls]
    docs: dict[str, str] = _DOCSTRINGS.setdefault(cls, {})
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, after in itertools.pairwise(body):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def option_docs(cls: type[Any], prefix: str = "") -> list[OptionDoc]:
    """Every key of the options dataclass ``cls`` (nested option tables flattened with dots)."""
    hints = typing.get_type_hints(cls)
    docs = field_docstrings(cls)
    out: list[OptionDoc] = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        hint = hints[field.name]
        meaning = str(field.metadata.get("doc", "")) or docs.get(field.name, "")
        out.append(OptionDoc(prefix + field.name, type_name(hint), default_text(field), meaning))
        nested = _nested_options(hint)
        if nested is not None:
            cls_nested, key = nested
            out.extend(option_docs(cls_nested, prefix=f"{prefix}{field.name}{key}."))
    return out


def _nested_options(hint: Any) -> tuple[type[Any], str] | None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return hint, ""
    if origin in (dict, collections.abc.Mapping) and len(args) == 2 and dataclasses.is_dataclass(args[1]):
        return typing.cast("type[Any]", args[1]), ".<name>"
    if origin in (list, tuple) and args and dataclasses.is_dataclass(args[0]):
        return typing.cast("type[Any]", args[0]), "[]"
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found = _nested_options(arg)
            if found is not None:
                return found
    return None


def type_name(hint: Any) -> str:
    """A TOML-reader's name for a field type."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in names:
        return names[hint]
    if hint is Any:
        return "any"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return " \\| ".join(f'`"{m.value}"`' for m in hint)
    if dataclasses.is_dataclass(hint):
        return "table"
    if origin is typing.Literal:
        return " \\| ".join(f"`{json.dumps(a)}`" for a in args)
    if origin in (list, tuple) and args:
        return "array of tables" if dataclasses.is_dataclass(args[0]) else f"array of {type_name(args[0])}"
    if origin in (dict, collections.abc.Mapping) and len(args) == 2:
        return "table of tables" if dataclasses.is_dataclass(args[1]) else f"table of {type_name(args[1])}"
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        return " or ".join(type_name(a) for a in kept) + (" (optional)" if len(kept) < len(args) else "")
    return getattr(hint, "__name__", str(hint))


def default_text(field: dataclasses.Field[Any]) -> str:
    """The default of a field as TOML would spell it."""
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if value is None:
        return "(unset)"
    return f"`{_toml(value)}`"


def _toml(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}" if value else "{}"
    if dataclasses.is_dataclass(value):
        return "{}"
    return str(value)


def options_markdown(name: str) -> str:
    """The table of one configuration section."""
    sections = config_sections()
    if name not in sections:
        raise ValueError(f"no configuration section {name!r} (known: {', '.join(sections)})")
    header, cls = sections[name]
    rows = [f"`{header}`", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    for doc in option_docs(cls):
        rows.append(f"| `{doc.key}` | {doc.type} | {_cell(doc.default)} | {_cell(doc.meaning)} |")
    return "\n".join(rows)
