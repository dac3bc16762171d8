"""``[tool.mlaudit.licenses]``: the project's intent and the licence policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlaudit.licenses.compatibility import Intent


@dataclass(frozen=True)
class LicensesOptions:
    """``[tool.mlaudit.licenses]``."""

    project: str = ""
    """The project's licence (SPDX expression); default: ``pyproject.toml``, then the LICENSE file."""
    commercial: bool = False
    """The model or code is used commercially (non-commercial terms then conflict)."""
    distribute: bool = True
    """The code is distributed (copyleft obligations apply); false for internal use only."""
    distribute_weights: bool = True
    """The weights are published (use restrictions must be passed on)."""
    linking: Literal["dynamic", "static"] = "dynamic"
    """How dependencies are combined: imported at run time (dynamic) or bundled (static)."""
    allow: tuple[str, ...] = ()
    """Licence ids or classes (``weak-copyleft``) always accepted."""
    deny: tuple[str, ...] = ()
    """Licence ids or classes (``network-copyleft``) always refused."""
    unknown: Literal["needs-review", "fail"] = "needs-review"
    """What an unknown licence gets: a review finding (medium) or a failure (high)."""
    requirements: tuple[str, ...] = ("requirements*.txt", "requirements/*.txt")
    """Globs of requirement files whose dependencies are resolved."""
    resolve: bool = True
    """Resolve requirements with ``pip install --dry-run --report`` (needs the package index)."""
    resolve_timeout: float = 300.0
    """Seconds pip may take to resolve."""
    site_packages: tuple[str, ...] = ()
    """Installed environments (site-packages folders) whose packages' metadata is read."""
    packages: dict[str, str] = field(default_factory=dict)
    """Licence of a package whose metadata is wrong or missing (name -> SPDX expression)."""
    base_model_licenses: dict[str, str] = field(default_factory=dict)
    """Licence of each base model (Hub id -> Hub licence id or SPDX expression)."""
    dataset_licenses: dict[str, str] = field(default_factory=dict)
    """Licence of each dataset (Hub id -> Hub licence id or SPDX expression)."""
    scan_files: bool = True
    """Scan the repository's text files with scancode-toolkit (full audit only, not the hook)."""
    scan_workers: int = 0
    """Scanning processes; 0 means one per core."""
    max_file_bytes: int = 1_000_000
    """Larger files are not scanned."""

    def intent(self, project_license: str | None) -> Intent:
        """The engine's view of these options for a project under ``project_license``."""
        return Intent(
            project_license=project_license,
            commercial=self.commercial,
            distribute=self.distribute,
            distribute_weights=self.distribute_weights,
            linking=self.linking,
            allow=frozenset(a.lower() for a in self.allow),
            deny=frozenset(d.lower() for d in self.deny),
            unknown=self.unknown,
        )
