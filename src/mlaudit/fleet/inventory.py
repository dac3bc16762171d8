"""``mlaudit-fleet.toml``: the repositories of the fleet, their risk tiers and owners, discovery rules, SLOs.

The file is validated with ``parse_options`` (unknown keys and wrong types name
the key and the file); a repository listed twice is a configuration error too.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from mlaudit.errors import ConfigError
from mlaudit.options import parse_options

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Tier = Literal["high", "medium", "low"]
TIERS: tuple[Tier, ...] = ("high", "medium", "low")
SloKind = Literal["coverage", "fix-time", "drift-alerts"]
DEFAULT_INVENTORY = "mlaudit-fleet.toml"
_REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class RepositoryEntry:
    """One audited repository (``[[repositories]]``)."""

    name: str = ""
    """``owner/name`` on GitHub."""
    tier: Tier = "medium"
    owners: tuple[str, ...] = ()
    path: str = ""
    """Folder of the model inside the repository (default: its root)."""
    config: str = ""
    """mlaudit configuration file inside the repository (default: found there)."""
    discovered_by: str = ""
    """``org:topic`` of the discovery rule that found it (empty when listed)."""

    @property
    def artifact(self) -> str:
        """The report's file and artifact name: ``owner__name``."""
        return artifact_name(self.name)


@dataclass(frozen=True)
class DiscoveryRule:
    """Repositories of an organisation that carry a topic (``[[discover]]``)."""

    org: str = ""
    topic: str = ""
    tier: Tier = "medium"
    owners: tuple[str, ...] = ()
    include_archived: bool = False
    include_forks: bool = False


@dataclass(frozen=True)
class SloSpec:
    """A service-level objective over a rolling window (``[slos.NAME]``).

    ``coverage``: share of the tier's repositories with a fresh, complete audit,
    counted per repository and aggregate run; ``fix-time``: share of findings of
    ``severity`` fixed (or still open) within ``days``; ``drift-alerts``: new
    drift findings per week against ``max_per_week``.
    """

    kind: SloKind = "coverage"
    objective: float = 1.0
    """Share of good events required (coverage, fix-time); 1.0 leaves no error budget."""
    tier: Tier = "high"
    severity: Literal["critical", "high", "medium", "low"] = "critical"
    days: int = 7
    max_per_week: float = 1.0
    window_days: int = 0
    """Rolling window; 0 = the fleet's ``window_days``."""


@dataclass(frozen=True)
class FleetOptions:
    """``[fleet]``: how fresh is fresh, the history, the window, the gate, the tracking issue."""

    fresh_days: int = 30
    window_days: int = 28
    max_burn_rate: float = 2.0
    max_parallel: int = 20
    """Concurrent jobs per matrix chunk (GitHub plans allow 20 to 500 at once per account)."""
    history: str = "mlaudit-fleet-history.jsonl"
    tracking_repository: str = ""
    """``owner/name`` where the one fleet tracking issue lives (empty: none)."""


@dataclass(frozen=True)
class _InventoryFile:
    fleet: FleetOptions = FleetOptions()
    repositories: tuple[RepositoryEntry, ...] = ()
    discover: tuple[DiscoveryRule, ...] = ()
    slos: dict[str, SloSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    """The validated inventory; ``repositories`` holds listed (and, once resolved, discovered) ones."""

    source: str
    fleet: FleetOptions
    repositories: tuple[RepositoryEntry, ...]
    discover: tuple[DiscoveryRule, ...]
    slos: dict[str, SloSpec]

    def by_name(self) -> dict[str, RepositoryEntry]:
        """Repositories by lower-cased ``owner/name`` (GitHub names are case-insensitive)."""
        return {r.name.lower(): r for r in self.repositories}

    def with_discovered(self, found: tuple[RepositoryEntry, ...]) -> Inventory:
        """This inventory plus discovered repositories; a listed entry wins over a discovered one."""
        known = {r.name.lower() for r in self.repositories}
        extra: list[RepositoryEntry] = []
        for entry in found:
            if entry.name.lower() not in known:
                known.add(entry.name.lower())
                extra.append(entry)
        return replace(self, repositories=self.repositories + tuple(extra))


def artifact_name(repository: str) -> str:
    """``owner/name`` -> ``owner__name`` (the report and artifact name)."""
    return repository.replace("/", "__")


def load_inventory(path: Path) -> Inventory:
    """Read and validate ``path``; raises ``ConfigError`` naming the file and the key."""
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the inventory: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    return parse_inventory(data, source=source)


def parse_inventory(data: object, *, source: str) -> Inventory:
    """Validate an already-parsed TOML document."""
    raw = parse_options(_InventoryFile, data, where="", source=source)
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw.repositories):
        where = f"repositories[{index}]"
        if not _REPO_NAME.match(entry.name):
            raise ConfigError(f"{source}: '{where}.name' must be 'owner/name', got {entry.name!r}")
        key = entry.name.lower()
        if key in seen:
            raise ConfigError(
                f"{source}: repository '{entry.name}' is listed twice "
                f"(repositories[{seen[key]}] and {where}); keep one entry"
            )
        seen[key] = index
        _check_relative(entry.path, f"{where}.path", source)
        _check_relative(entry.config, f"{where}.config", source)
    rules: set[tuple[str, str]] = set()
    for index, rule in enumerate(raw.discover):
        where = f"discover[{index}]"
        if not rule.org or not rule.topic:
            raise ConfigError(f"{source}: '{where}' needs both 'org' and 'topic'")
        if (rule.org.lower(), rule.topic.lower()) in rules:
            raise ConfigError(f"{source}: discovery rule org={rule.org!r} topic={rule.topic!r} is listed twice")
        rules.add((rule.org.lower(), rule.topic.lower()))
    _check_fleet(raw.fleet, source)
    for name, slo in raw.slos.items():
        _check_slo(name, slo, source)
    return Inventory(source, raw.fleet, raw.repositories, raw.discover, dict(raw.slos))


def _check_relative(value: str, where: str, source: str) -> None:
    # The path is joined to a checkout in CI: an absolute path or .. would leave it.
    if value and (value.startswith("/") or ".." in Path(value).parts):
        raise ConfigError(f"{source}: '{where}' must be a relative path inside the repository, got {value!r}")


def _check_fleet(fleet: FleetOptions, source: str) -> None:
    if fleet.fresh_days < 1:
        raise ConfigError(f"{source}: 'fleet.fresh_days' must be at least 1")
    if fleet.window_days < 1:
        raise ConfigError(f"{source}: 'fleet.window_days' must be at least 1")
    if not 1 <= fleet.max_parallel <= 256:
        raise ConfigError(f"{source}: 'fleet.max_parallel' must be between 1 and 256")
    if fleet.max_burn_rate <= 0:
        raise ConfigError(f"{source}: 'fleet.max_burn_rate' must be positive")
    if fleet.tracking_repository and not _REPO_NAME.match(fleet.tracking_repository):
        raise ConfigError(f"{source}: 'fleet.tracking_repository' must be 'owner/name'")


def _check_slo(name: str, slo: SloSpec, source: str) -> None:
    where = f"slos.{name}"
    if not 0.0 <= slo.objective <= 1.0:
        raise ConfigError(f"{source}: '{where}.objective' must be between 0 and 1, got {slo.objective}")
    if slo.days < 1 or slo.window_days < 0 or slo.max_per_week <= 0:
        raise ConfigError(f"{source}: '{where}': days must be >= 1, window_days >= 0, max_per_week > 0")
