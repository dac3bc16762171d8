"""Keras model configurations (``config.json`` of ``.keras``, ``model_config`` of ``.h5``): code they carry.

A ``Lambda`` layer stores a Python function (marshalled bytecode, base64) that
runs when the model is loaded with ``safe_mode=False`` or by older Keras;
a ``module`` outside Keras names code that deserialization imports. The JSON is
walked iteratively, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlaudit.formats.bounded_json import loads_json

_MAX_NODES = 5_000_000
_KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "keras_hub", "keras_nlp", "keras_cv")
# Modules whose functions run commands or code when Keras imports and calls them.
CODE_RUNNING_MODULES = frozenset({"os", "posix", "nt", "subprocess", "builtins", "__builtin__", "pty", "runpy",
                                  "importlib", "ctypes", "code", "codeop", "shutil", "sys", "socket",
                                  "multiprocessing", "pickle", "marshal", "webbrowser"})
_DATA_BUILTINS = frozenset({"tuple", "list", "dict", "set", "frozenset", "int", "float", "str", "bool"})


@dataclass(frozen=True)
class KerasConstruct:
    """Something in a Keras config that runs or imports code."""

    kind: str  # "lambda" | "module" | "code-module" | "invalid"
    detail: str


def keras_constructs(text: str | bytes) -> list[KerasConstruct]:
    """Lambda layers, serialized functions and non-Keras modules of a Keras JSON configuration."""
    try:
        config = loads_json(text)
    except (ValueError, RecursionError) as exc:
        return [KerasConstruct("invalid", f"configuration is not valid JSON ({type(exc).__name__})")]
    out: list[KerasConstruct] = []
    seen: set[tuple[str, str]] = set()
    pending: list[object] = [config]
    visited = 0
    while pending:
        node = pending.pop()
        visited += 1
        if visited > _MAX_NODES:
            out.append(KerasConstruct("invalid", f"configuration larger than {_MAX_NODES} nodes"))
            break
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        found = _judge(node)
        if found is not None and (found.kind, found.detail) not in seen:
            seen.add((found.kind, found.detail))
            out.append(found)
        if found is None or found.kind != "lambda":
            pending.extend(node.values())  # a Lambda is reported once, not again for its function
    return out


def _judge(node: dict[str, object]) -> KerasConstruct | None:
    class_name = node.get("class_name")
    config = node.get("config")
    name = config.get("name", "") if isinstance(config, dict) else ""
    if class_name == "Lambda" or class_name == "__lambda__" or node.get("function_type") == "lambda":
        return KerasConstruct("lambda", f"Lambda layer '{name}'" if name else "serialized Python lambda")
    module = node.get("module")
    if isinstance(module, str) and class_name is not None and not _is_keras(module):
        if module == "builtins" and class_name in _DATA_BUILTINS:
            return None  # plain data types, nothing runs
        target = f"{module}.{class_name}"
        if class_name == "function" and isinstance(config, str):
            target = f"{module}.{config}"  # Keras 3 names a function by its module and config
        top = module.split(".", 1)[0]
        return KerasConstruct("code-module" if top in CODE_RUNNING_MODULES else "module", target)
    return None


def _is_keras(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in _KERAS_MODULES)
