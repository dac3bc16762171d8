"""Typed configuration sections: a frozen dataclass per section, validated from TOML.

Each check declares its options as a frozen dataclass whose fields all have
defaults. ``parse_options`` turns a TOML table into that dataclass, rejecting
unknown keys and wrong types with a message that names the key and the file.
Supported field types: ``str``, ``int``, ``float``, ``bool``, ``Literal[...]``,
enums with string values, ``list[T]`` / ``tuple[T, ...]``, ``dict[str, T]``,
nested option dataclasses, and ``T | None``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from mlaudit.errors import ConfigError

T = TypeVar("T")

_TOML_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dict: "a table",
    list: "an array",
}


def _describe(value: object) -> str:
    for typ, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string")):
        if isinstance(value, typ):
            return f"{name} {value!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _join(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


@functools.cache
def _field_table(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]], dict[str, str]]:
    # Resolving type hints costs ~0.5 ms a class; an inventory of 10,000 entries parses the same class 10,000 times.
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    known = {name.replace("_", "-"): name for name in fields} | {name: name for name in fields}
    return hints, fields, known


def parse_options(cls: type[T], table: object, *, where: str, source: str) -> T:
    """Build the options dataclass ``cls`` from ``table``.

    ``where`` is the dotted TOML path of the table (``tool.mlaudit.weights``) and
    ``source`` the file it came from; both appear in every error message.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not an options dataclass")
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [{where or 'top level'}] must be a table, got {_describe(table)}")
    hints, fields, known = _field_table(cls)
    values: dict[str, Any] = {}
    for raw_key, raw_value in table.items():
        name = known.get(raw_key)
        if name is None:
            choices = ", ".join(sorted(fields)) or "none"
            raise ConfigError(
                f"{source}: unknown key '{_join(where, raw_key)}' (known keys: {choices})"
            )
        values[name] = _coerce(hints[name], raw_value, where=_join(where, raw_key), source=source)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: [{where or 'top level'}] {exc}") from None


def _coerce(tp: Any, value: object, *, where: str, source: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if value is None and len(non_none) < len(args):
            return None
        errors = []
        for option in non_none:
            try:
                return _coerce(option, value, where=where, source=source)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if len(errors) == 1 else f"{source}: '{where}' has the wrong type")
    if origin is typing.Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{source}: '{where}' must be one of {allowed}, got {_describe(value)}")
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        allowed_values = [m.value for m in tp]
        if value not in allowed_values:
            allowed = ", ".join(repr(v) for v in allowed_values)
            raise ConfigError(f"{source}: '{where}' must be one of {allowed}, got {_describe(value)}")
        return tp(value)
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{source}: '{where}' must be an array, got {_describe(value)}")
        item_type = args[0] if args else Any
        items = [
            _coerce(item_type, item, where=f"{where}[{i}]", source=source)
            for i, item in enumerate(value)
        ]
        return tuple(items)
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{source}: '{where}' must be a table, got {_describe(value)}")
        value_type = args[1] if len(args) == 2 else Any
        return {
            str(k): _coerce(value_type, v, where=_join(where, k), source=source)
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return parse_options(tp, value, where=where, source=source)
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp in _TOML_TYPE_NAMES:
        # bool is a subclass of int: true is not an integer here.
        if isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
            return value
        raise ConfigError(
            f"{source}: '{where}' must be {_TOML_TYPE_NAMES[tp]}, got {_describe(value)}"
        )
    raise TypeError(f"unsupported option type {tp!r} at {where}")


def options_to_json(options: object) -> Any:
    """The options as plain JSON values (for evidence and config digests)."""
    if dataclasses.is_dataclass(options) and not isinstance(options, type):
        return {f.name: options_to_json(getattr(options, f.name)) for f in dataclasses.fields(options)}
    if isinstance(options, enum.Enum):
        return options.value
    if isinstance(options, (list, tuple)):
        return [options_to_json(v) for v in options]
    if isinstance(options, Mapping):
        return {str(k): options_to_json(v) for k, v in options.items()}
    return options
