"""The registry of checks: one plain dict from check id to check class.

Check ids are fixed across the project so reports stay comparable: ``weights``,
``serialization``, ``pins``, ``vulns``, ``licenses``, ``provenance``,
``performance``, ``drift``, ``fairness``, ``probes``, ``access``, ``privacy``. A
new check is one module in ``mlaudit/checks/`` and one import plus one line here.

The registry also says which configuration sections exist (``SECTION_TYPES``):
``mlaudit.config`` knows no check and receives them from its caller.

The registry lives outside the ``mlaudit.checks`` package on purpose: importing
one check (as a hook does) must not import every other check.
"""

from __future__ import annotations

from typing import Any

from mlaudit.checks.access import AccessCheck
from mlaudit.checks.drift import DriftCheck
from mlaudit.checks.fairness import FairnessCheck
from mlaudit.checks.interface import Check
from mlaudit.checks.licenses import LicensesCheck
from mlaudit.checks.performance import PerformanceCheck
from mlaudit.checks.pins import PinsCheck
from mlaudit.checks.privacy import PrivacyCheck
from mlaudit.checks.probes import ProbesCheck
from mlaudit.checks.provenance import ProvenanceCheck
from mlaudit.checks.serialization import SerializationCheck
from mlaudit.checks.vulns import VulnsCheck
from mlaudit.checks.weights import WeightsCheck
from mlaudit.config import SectionTypes
from mlaudit.governance.privacy_options import DataSourceEntry
from mlaudit.signing.options import SigningOptions
from mlaudit.waivers import WaiverOptions

REGISTRY: dict[str, type[Check[Any]]] = {
    WeightsCheck.id: WeightsCheck,
    ProvenanceCheck.id: ProvenanceCheck,
    LicensesCheck.id: LicensesCheck,
    PerformanceCheck.id: PerformanceCheck,
    DriftCheck.id: DriftCheck,
    FairnessCheck.id: FairnessCheck,
    ProbesCheck.id: ProbesCheck,
    PinsCheck.id: PinsCheck,
    VulnsCheck.id: VulnsCheck,
    SerializationCheck.id: SerializationCheck,
    AccessCheck.id: AccessCheck,
    PrivacyCheck.id: PrivacyCheck,
}

# Sections that are not a check's options register their options type here.
SECTIONS: dict[str, type[Any]] = {
    "signing": SigningOptions,
}

# Sections that are arrays of tables (``[[tool.mlaudit.waivers]]``): each entry is
# validated against the type; read them with ``Config.entries``.
ARRAY_SECTIONS: dict[str, type[Any]] = {
    "waivers": WaiverOptions,
    "data_sources": DataSourceEntry,
}

SECTION_TYPES = SectionTypes(
    tables={**{check_id: check.options_type for check_id, check in REGISTRY.items()}, **SECTIONS},
    arrays=ARRAY_SECTIONS,
)
"""Every configuration section and its options type, for ``Config.validate``."""
