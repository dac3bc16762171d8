"""Configuration: ``[tool.mlaudit]`` in ``pyproject.toml`` or a ``mlaudit.toml``.

Everything has a default, so a repository with no configuration audits as is.
Top-level keys are the general options below; sub-tables are named after a
check id (``[tool.mlaudit.weights]``) or an extra section (``signing``,
``[[waivers]]``). Each section is validated by its options dataclass
(``mlaudit.options``); unknown sections, unknown keys and wrong types are errors
naming the key and the file.

This module knows no check: which sections exist is the caller's knowledge
(``mlaudit.registry.SECTION_TYPES``), passed to ``Config.validate``. So the
dependencies point one way (registry -> checks -> context -> config) and loading
the configuration, as every hook does, imports no check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from mlaudit.errors import ConfigError
from mlaudit.model import Severity
from mlaudit.options import options_to_json, parse_options

T = TypeVar("T")

CONFIG_FILE = "mlaudit.toml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class GeneralOptions:
    """The top-level keys of ``[tool.mlaudit]``."""

    fail_on: Severity = Severity.HIGH
    """Findings of this severity or worse fail the policy."""
    errors: Literal["fail", "warn"] = "fail"
    """Whether a check that could not run (status ``error``) fails the policy."""
    exclude: tuple[str, ...] = ()
    """Glob patterns (POSIX, relative to the root) that no check looks at."""
    disable: tuple[str, ...] = ()
    """Check ids not run by ``mlaudit audit`` unless named in ``--only``."""
    offline: bool = False
    """Never reach the network; checks that need it use local data or say skipped."""
    cache_dir: str | None = None
    """Where caches live on a developer's machine, when neither ``--cache-dir`` nor ``$MLAUDIT_CACHE_DIR`` is set.

    Ignored in CI (``CI``/``GITHUB_ACTIONS`` set) and in pull-request mode, and refused
    when it resolves inside the audited repository; default ``~/.cache/mlaudit``."""
    advisory_db: str | None = None
    """A local OSV/PyPA advisory database (folder with ``vulns/``) for offline, reproducible CVE audits.

    Counts only on a developer's machine, when neither ``--advisory-db`` nor ``$MLAUDIT_ADVISORY_DB``
    is set: ignored in CI and in pull-request mode, and refused when it resolves inside the audited
    repository (a repository never chooses the advisories it is judged against)."""
    trust_pr_config: bool = False
    """In a pull request, let the pull request's own configuration and waivers govern its audit.

    Read from the base branch only: by default the base branch's configuration
    audits the head, and any loosening the pull request makes fails the policy.
    """


@dataclass(frozen=True)
class SectionTypes:
    """Every section a configuration may hold and its options type (built by ``mlaudit.registry``)."""

    tables: Mapping[str, type[Any]]
    """``[tool.mlaudit.<name>]``: each check's options under its id, and the extra sections (``signing``)."""
    arrays: Mapping[str, type[Any]] = field(default_factory=dict)
    """``[[tool.mlaudit.<name>]]``: arrays of tables, each entry validated (``waivers``, ``data_sources``)."""


@dataclass(frozen=True)
class Config:
    """A loaded configuration: general options plus raw section tables."""

    path: Path | None
    general: GeneralOptions
    tables: Mapping[str, Any] = field(default_factory=dict)
    prefix: str = ""
    _parsed: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def source(self) -> str:
        """The file name used in error messages."""
        return str(self.path) if self.path else "(defaults)"

    def section(self, name: str, cls: type[T]) -> T:
        """The options of section ``name``, validated against ``cls`` (defaults if absent)."""
        cached = self._parsed.get(name)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        where = f"{self.prefix}{name}"
        options = parse_options(cls, self.tables.get(name, {}), where=where, source=self.source)
        self._parsed[name] = options
        return options

    def entries(self, name: str, cls: type[T]) -> tuple[T, ...]:
        """The entries of array section ``name`` (``[[...]]``), each validated against ``cls``."""
        cached = self._parsed.get(name)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        raw = self.tables.get(name, [])
        where = f"{self.prefix}{name}"
        if not isinstance(raw, list):
            raise ConfigError(f"{self.source}: '{where}' must be an array of tables ([[{where}]])")
        items = tuple(
            parse_options(cls, item, where=f"{where}[{i}]", source=self.source) for i, item in enumerate(raw)
        )
        self._parsed[name] = items
        return items

    def validate(self, sections: SectionTypes) -> None:
        """Validate every section now, so a typo anywhere fails before the audit runs."""
        types = sections.tables
        known = set(types) | set(sections.arrays)
        for name in self.tables:
            if name not in known:
                names = ", ".join(sorted(known))
                raise ConfigError(f"{self.source}: unknown section [{self.prefix}{name}] (known sections: {names})")
        for name in self.general.disable:
            if name not in types:
                raise ConfigError(f"{self.source}: '{self.prefix}disable' names unknown check '{name}'")
        for name, cls in types.items():
            self.section(name, cls)
        for name, cls in sections.arrays.items():
            self.entries(name, cls)

    def digest(self) -> str:
        """SHA-256 of the effective configuration (for the audit log and evidence)."""
        body = {
            "general": options_to_json(self.general),
            "sections": {k: self.tables[k] for k in sorted(self.tables)},
        }
        raw = json.dumps(body, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()


def _read_toml(path: Path) -> dict[str, Any]:
    from mlaudit.formats.bounded_json import BoundedParseError, loads_toml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return loads_toml(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: not UTF-8 text (line {line}, byte {exc.start}); TOML files are UTF-8") from None
    except BoundedParseError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def find_config(root: Path) -> tuple[Path | None, dict[str, Any], str]:
    """Locate the configuration under ``root``: its file, its table and its key prefix."""
    from mlaudit.repo_paths import repo_config_file

    # Found files are the repository's: a symlink out of the root or a FIFO is refused (exit 2).
    own_file, pyproject_file = repo_config_file(root, CONFIG_FILE), repo_config_file(root, PYPROJECT)
    own, pyproject = root / CONFIG_FILE, root / PYPROJECT
    in_pyproject: dict[str, Any] | None = None
    if pyproject_file is not None:
        tool = _read_toml(pyproject_file).get("tool", {})
        if isinstance(tool, Mapping) and "mlaudit" in tool:
            in_pyproject = tool["mlaudit"]
            if not isinstance(in_pyproject, dict):
                raise ConfigError(f"{pyproject}: [tool.mlaudit] must be a table")
    if own_file is not None:
        if in_pyproject is not None:
            raise ConfigError(
                f"both {own} and [tool.mlaudit] in {pyproject} configure mlaudit; keep one"
            )
        return own, _read_toml(own_file), ""
    if in_pyproject is not None:
        return pyproject, in_pyproject, "tool.mlaudit."
    return None, {}, "tool.mlaudit."


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Load the configuration for the repository at ``root``.

    ``explicit`` (``--config FILE``) wins; a ``pyproject.toml`` given there is
    read from ``[tool.mlaudit]``, any other file from its top level.
    """
    path: Path | None
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        data = _read_toml(explicit)
        if explicit.name == PYPROJECT:
            tool = data.get("tool", {})
            if not isinstance(tool, Mapping):
                raise ConfigError(f"{explicit}: 'tool' must be a table")
            data = tool.get("mlaudit", {})
            if not isinstance(data, dict):
                raise ConfigError(f"{explicit}: [tool.mlaudit] must be a table")
            path, table, prefix = explicit, data, "tool.mlaudit."
        else:
            path, table, prefix = explicit, data, ""
    else:
        path, table, prefix = find_config(root)
    source = str(path) if path else "(defaults)"
    # General options are scalars and arrays of scalars; every table (or array of
    # tables) is a section. Section names are checked in ``Config.validate`` so
    # that loading the configuration (every hook does) never imports every check.
    sections = {k: v for k, v in table.items() if _is_section(v)}
    general_table = {k: v for k, v in table.items() if k not in sections}
    general = parse_options(GeneralOptions, general_table, where=prefix.rstrip("."), source=source)
    return Config(path=path, general=general, tables=sections, prefix=prefix)


def _is_section(value: object) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)
    )


def config_from_table(path: Path | None, table: Mapping[str, Any], prefix: str) -> Config:
    """A configuration from an already-read table (e.g. a Git blob of the base branch), like ``load_config``."""
    source = str(path) if path else "(defaults)"
    sections = {k: v for k, v in table.items() if _is_section(v)}
    general_table = {k: v for k, v in table.items() if k not in sections}
    general = parse_options(GeneralOptions, general_table, where=prefix.rstrip("."), source=source)
    return Config(path=path, general=general, tables=sections, prefix=prefix)
