"""A component: one thing with a licence (the project, a file, a dependency, the model, a dataset)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlaudit.licenses.compatibility import ComponentKind, Decision
from mlaudit.licenses.normalize import Normalized


@dataclass(frozen=True)
class Component:
    """A licensed part of the repository and where its licence was read."""

    kind: ComponentKind
    name: str
    license: Normalized
    source: str = ""
    version: str = ""
    path: str | None = None
    """The repository file the licence was read from (findings point there)."""


@dataclass(frozen=True)
class JudgedComponent:
    """A component with the engine's decision."""

    component: Component
    decision: Decision

    def to_evidence(self) -> dict[str, Any]:
        """The row of the report's component table (JSON-safe)."""
        c, d = self.component, self.decision
        return {
            "kind": c.kind.value,
            "name": c.name,
            "version": c.version,
            "license": c.license.expression,
            "declared": c.license.raw,
            "class": d.license_class.value if d.license_class else None,
            "verdict": d.verdict.value,
            "reason": d.reason,
            "source": c.source,
            "path": c.path,
            "notes": list(c.license.notes),
        }
