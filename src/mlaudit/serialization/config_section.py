"""Reading only ``[tool.mlaudit.serialization]`` for ``mlaudit scan``, without importing every section's types.

``mlaudit.config.load_config`` validates every section, which imports the
options of every check; an ad-hoc scan only needs its own section, and its
start-up time is what it is compared on (picklescan, modelscan). The file
lookup follows ``mlaudit.config.find_config``: ``--config FILE``, else
``mlaudit.toml``, else ``[tool.mlaudit]`` in ``pyproject.toml``, never both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlaudit.errors import ConfigError
from mlaudit.serialization.options import SerializationOptions


def serialization_options(root: Path, explicit: Path | None = None) -> SerializationOptions:
    """The validated serialization options for ``root`` (defaults when nothing configures them)."""
    source, table, prefix = _locate(root, explicit)
    section = table.get("serialization")
    if section is None:
        return SerializationOptions()
    from mlaudit.options import parse_options

    return parse_options(SerializationOptions, section, where=f"{prefix}serialization",
                         source=str(source) if source else "(defaults)")


def _locate(root: Path, explicit: Path | None) -> tuple[Path | None, dict[str, Any], str]:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        data = _read(explicit)
        if explicit.name == "pyproject.toml":
            return explicit, _tool_table(explicit, data) or {}, "tool.mlaudit."
        return explicit, data, ""
    from mlaudit.repo_paths import repo_config_file

    # Found files are the repository's: a symlink out of the root or a FIFO is refused (exit 2).
    own_file, pyproject_file = repo_config_file(root, "mlaudit.toml"), repo_config_file(root, "pyproject.toml")
    own, pyproject = root / "mlaudit.toml", root / "pyproject.toml"
    in_pyproject = _tool_table(pyproject, _read(pyproject_file)) if pyproject_file is not None else None
    if own_file is not None:
        if in_pyproject is not None:
            raise ConfigError(f"both {own} and [tool.mlaudit] in {pyproject} configure mlaudit; keep one")
        return own, _read(own_file), ""
    return (pyproject, in_pyproject, "tool.mlaudit.") if in_pyproject is not None else (None, {}, "")


def _tool_table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool", {})
    table = tool.get("mlaudit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mlaudit] must be a table")
    return table


def _read(path: Path) -> dict[str, Any]:
    # Imported here: most scans run without a configuration file, and tomllib pulls in datetime.
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
