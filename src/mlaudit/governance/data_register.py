"""The register of data sources: ``[[tool.mlaudit.data_sources]]`` or ``data-sources.yaml``.

Each entry says what a data source is and what privacy law needs to know about
it. The TOML entries are typed loosely (``privacy_options.DataSourceEntry``:
every field ``Any``) so that a wrong value becomes a finding naming the file and the key,
as it does in the YAML file, instead of stopping the whole audit.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mlaudit.governance.privacy_options import DataSourceEntry
from mlaudit.repo_paths import OutsideRepository, resolve_in_repo

if TYPE_CHECKING:
    from mlaudit.context import AuditContext
    from mlaudit.governance.privacy_options import PrivacyOptions

REGISTER_FILE = "data-sources.yaml"
LAWFUL_BASES = ("consent", "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interests")
"""GDPR Art. 6(1)(a)-(f)."""
MAX_REGISTER_BYTES = 1024 * 1024


KNOWN_KEYS = tuple(f.name for f in fields(DataSourceEntry))


@dataclass(frozen=True)
class DataSource:
    """A checked register entry; ``where`` names the file and the entry for messages."""

    name: str
    where: str
    file: str = ""
    location: str = ""
    dataset: str = ""
    files: tuple[str, ...] = ()
    personal_data: bool | None = None
    categories: tuple[str, ...] = ()
    special_categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    lawful_basis: str = ""
    retention: str = ""
    ccpa_sale_or_share: bool = False
    ccpa_opt_out: str = ""
    dpia: str = ""


@dataclass(frozen=True)
class RegisterProblem:
    """A malformed part of the register: the file, the key (dotted path) and what is wrong."""

    file: str
    key: str
    message: str


@dataclass
class Register:
    """The sources read and the problems met."""

    files: list[str] = field(default_factory=list)
    sources: list[DataSource] = field(default_factory=list)
    problems: list[RegisterProblem] = field(default_factory=list)


def read_entry(raw: Mapping[str, Any], *, file: str, where: str, problems: list[RegisterProblem]) -> DataSource | None:
    """Check one entry; type problems are added to ``problems`` (the entry is kept without that key)."""

    def bad(key: str, message: str) -> None:
        problems.append(RegisterProblem(file, f"{where}.{key}", message))

    for key in raw:
        if key not in KNOWN_KEYS:
            bad(str(key), f"unknown key (known: {', '.join(KNOWN_KEYS)})")
    values: dict[str, Any] = {}
    for key in ("location", "dataset", "lawful_basis", "retention", "ccpa_opt_out", "dpia"):
        value = raw.get(key)
        if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool) and key == "retention":
            value = str(value)
        if value is None:
            continue
        if not isinstance(value, str):
            bad(key, f"must be a string, got {type(value).__name__}")
            continue
        values[key] = value.strip()
    for key in ("files", "categories", "special_categories", "jurisdictions"):
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad(key, "must be a list of strings")
            continue
        values[key] = tuple(v.strip() for v in value if v.strip())
    for key in ("personal_data", "ccpa_sale_or_share"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, bool):
            bad(key, f"must be true or false, got {value!r}")
            continue
        values[key] = value
    basis = values.get("lawful_basis", "")
    if basis and basis.lower().replace(" ", "-").replace("_", "-") not in LAWFUL_BASES:
        bad("lawful_basis", f"'{basis}' is not a GDPR Art. 6(1) basis ({', '.join(LAWFUL_BASES)})")
        values.pop("lawful_basis")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "every data source needs a 'name' (a string)")
        return None
    return DataSource(name=name.strip(), where=where, file=file, **values)


def register_from_config(entries: tuple[DataSourceEntry, ...], config_file: str, prefix: str) -> Register:
    """The sources of ``[[tool.mlaudit.data_sources]]``."""
    register = Register(files=[config_file] if entries else [])
    for i, entry in enumerate(entries):
        raw = {f.name: getattr(entry, f.name) for f in fields(entry) if getattr(entry, f.name) is not None}
        source = read_entry(raw, file=config_file, where=f"{prefix}data_sources[{i}]", problems=register.problems)
        if source:
            register.sources.append(source)
    return register


def register_from_yaml(root: Path, rel_path: str, register: Register) -> None:
    """Add the sources of a ``data-sources.yaml`` (a list, or a mapping with ``data_sources:``)."""
    register.files.append(rel_path)
    try:
        found = resolve_in_repo(root, rel_path, expect="file")
    except OutsideRepository as exc:
        # Never opened: the file's content (an /etc file, a secret) must not reach a report.
        register.problems.append(RegisterProblem(rel_path, "(file)", f"not read: {exc.reason}"))
        return
    if not found.exists:
        register.problems.append(RegisterProblem(rel_path, "(file)", "the configured register does not exist"))
        return
    try:
        with found.real.open("rb") as fh:
            raw = fh.read(MAX_REGISTER_BYTES + 1)
        if len(raw) > MAX_REGISTER_BYTES:
            raise ValueError("larger than 1 MB")
        data = yaml.safe_load(raw.decode("utf-8"))
    except RecursionError:  # YAML nested thousands deep: a hostile file, not a crash
        register.problems.append(RegisterProblem(rel_path, "(file)", "cannot read: nested too deeply"))
        return
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        register.problems.append(RegisterProblem(rel_path, "(file)", f"cannot read: {first}"))
        return
    if isinstance(data, dict) and "data_sources" in data:
        data = data["data_sources"]
    if not isinstance(data, list):
        register.problems.append(RegisterProblem(rel_path, "data_sources", "must be a list of data sources (mappings)"))
        return
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            register.problems.append(RegisterProblem(rel_path, f"data_sources[{i}]", "must be a mapping"))
            continue
        source = read_entry(item, file=rel_path, where=f"data_sources[{i}]", problems=register.problems)
        if source:
            register.sources.append(source)


def read_register(ctx: AuditContext, options: PrivacyOptions) -> Register:
    """The data-source register: ``[[data_sources]]`` of the configuration plus the YAML register file."""
    from mlaudit.formats.model_card import find_model_card

    config_file = ctx.config.path.name if ctx.config.path else "(configuration)"
    register = register_from_config(ctx.config.entries("data_sources", DataSourceEntry), config_file, ctx.config.prefix)
    if options.register:
        candidate = options.register
    else:
        card = find_model_card(ctx.root)
        folder = card.parent if card else ctx.root
        candidate = (folder / REGISTER_FILE).relative_to(ctx.root).as_posix()
    # A configured register is always looked for (missing or outside the root: a problem, never read).
    if options.register or os.path.lexists(ctx.root / candidate):
        if candidate and not os.path.isabs(candidate) and ".." not in candidate.split("/"):
            ctx.record_read(candidate)  # a path out of the root is refused (never read) by register_from_yaml
        register_from_yaml(ctx.root, candidate, register)
    return register
