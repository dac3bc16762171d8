"""The engine's vocabulary: verdicts, component kinds, the intent, a decision and one licence term."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from mlaudit.licenses.classes import LicenseClass, classify


class Verdict(str, enum.Enum):
    """The engine's answer for a component, from best to worst."""

    PASS = "pass"
    NEEDS_REVIEW = "needs-review"
    CONFLICT = "conflict"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return list(Verdict).index(self)


class ComponentKind(str, enum.Enum):
    """What a component is; it decides which obligations are triggered."""

    PROJECT = "project"
    FILE = "file"
    DEPENDENCY = "dependency"
    MODEL = "model"
    BASE_MODEL = "base-model"
    DATASET = "dataset"

    @property
    def is_code(self) -> bool:
        """Code is combined with the project's code; weights and data are separate works."""
        return self in (ComponentKind.PROJECT, ComponentKind.FILE, ComponentKind.DEPENDENCY)


@dataclass(frozen=True)
class Intent:
    """What the project is and how it is used (``[tool.mlaudit.licenses]``)."""

    project_license: str | None = None
    commercial: bool = False
    distribute: bool = True
    distribute_weights: bool = True
    linking: Literal["dynamic", "static"] = "dynamic"
    allow: frozenset[str] = field(default_factory=frozenset)
    deny: frozenset[str] = field(default_factory=frozenset)
    unknown: Literal["needs-review", "fail"] = "needs-review"


@dataclass(frozen=True)
class Decision:
    """A verdict, why, and the licence (or alternative) it rests on."""

    verdict: Verdict
    reason: str
    chosen: str | None = None
    license_class: LicenseClass | None = None


@dataclass(frozen=True)
class Term:
    """One licence of an expression, with the exception that qualifies it."""

    license_id: str
    exception: str | None

    @property
    def text(self) -> str:
        """The term as SPDX text."""
        return f"{self.license_id} WITH {self.exception}" if self.exception else self.license_id

    @property
    def cls(self) -> LicenseClass:
        """The class of the licence under its exception."""
        return classify(self.license_id, self.exception)
