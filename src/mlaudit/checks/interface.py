"""The one interface every check implements.

A check reads the ``AuditContext`` and returns an ``Outcome``: its findings, a
one-line summary and evidence. It never decides pass or fail (the engine applies
the policy) and never prints. A check that does not apply raises
``CheckSkipped``; one that should have run but could not raises ``CheckError``
(or returns an outcome with ``incomplete`` reasons when it ran in part). Heavy
dependencies are imported inside ``run`` so importing a check stays cheap.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from mlaudit.context import AuditContext
from mlaudit.model import Finding, Pillar

OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True)
class NoOptions:
    """Options of a check that has none."""


@dataclass(frozen=True)
class Outcome:
    """What a check found. ``incomplete`` lists what it could not examine (status error)."""

    findings: tuple[Finding, ...] = ()
    summary: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    incomplete: tuple[str, ...] = ()


class Check(abc.ABC, Generic[OptionsT]):
    """One audit check; registered in ``mlaudit.registry.REGISTRY`` under its ``id``."""

    id: ClassVar[str]
    title: ClassVar[str]
    pillar: ClassVar[Pillar]
    options_type: ClassVar[type[Any]] = NoOptions
    runs_apart: ClassVar[bool] = False
    """True for a CPU-heavy check the engine may run in a forked process while it runs the others."""

    @abc.abstractmethod
    def run(self, ctx: AuditContext, options: OptionsT) -> Outcome:
        """Examine the repository described by ``ctx`` and report what was found."""
