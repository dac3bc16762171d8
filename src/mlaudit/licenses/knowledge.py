"""scancode's licence knowledge, as bundled with ``license-expression``: keys, SPDX ids, categories.

``license-expression`` ships the ScanCode LicenseDB index (some 2,500 licences
with their SPDX id, other SPDX ids and a category such as ``Permissive``,
``Copyleft Limited`` or ``Proprietary Free``). It is pure Python and loads in a
fraction of a second, so the hook can use it without scancode-toolkit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from license_expression import Licensing


@dataclass(frozen=True)
class LicenseFacts:
    """What the ScanCode LicenseDB says about one licence or exception."""

    scancode_key: str
    spdx_id: str
    category: str
    is_exception: bool


@functools.lru_cache(maxsize=1)
def _facts_by_name() -> dict[str, LicenseFacts]:
    from license_expression import get_license_index

    table: dict[str, LicenseFacts] = {}
    for entry in get_license_index():
        spdx = entry.get("spdx_license_key")
        if not spdx or entry.get("is_deprecated"):
            continue
        facts = LicenseFacts(
            scancode_key=entry["license_key"],
            spdx_id=spdx,
            category=entry.get("category") or "Unstated License",
            is_exception=bool(entry.get("is_exception")),
        )
        # Canonical names win over aliases that another entry may share.
        for name in (*entry.get("other_spdx_license_keys", ()), entry["license_key"]):
            table.setdefault(name.lower(), facts)
        table[spdx.lower()] = facts
    return table


def license_facts(name: str) -> LicenseFacts | None:
    """Facts for an SPDX id, an alias (``GPL-3.0``) or a scancode key (``apache-2.0``), any case."""
    return _facts_by_name().get(name.lower())


@functools.lru_cache(maxsize=1)
def spdx_licensing() -> Licensing:
    """The SPDX ``Licensing`` of ``license-expression`` (known ids and their aliases)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()
