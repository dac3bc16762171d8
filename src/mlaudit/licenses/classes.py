"""The classes the compatibility engine reasons about, and which class a licence belongs to.

The class of a licence comes first from the families named here (where the
audit needs a finer split than scancode's categories: network copyleft,
non-commercial, use-restricted model licences), then from the ScanCode LicenseDB
category. A licence nobody knows is ``unknown``.
"""

from __future__ import annotations

import enum
import re

from mlaudit.licenses.knowledge import license_facts


class LicenseClass(str, enum.Enum):
    """What a licence allows, coarsely, in the terms the engine decides with."""

    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    STRONG_COPYLEFT = "strong-copyleft"
    NETWORK_COPYLEFT = "network-copyleft"
    NON_COMMERCIAL = "non-commercial"
    USE_RESTRICTED = "use-restricted"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"


# Families scancode's categories do not separate. Patterns match SPDX/LicenseRef ids, any case.
_FAMILIES: tuple[tuple[re.Pattern[str], LicenseClass], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), cls)
    for pattern, cls in (
        (r"^(AGPL-|LicenseRef-scancode-sspl|SSPL-)", LicenseClass.NETWORK_COPYLEFT),
        (r"^(CC-BY-NC|LicenseRef-.*(non-?commercial|-nc-|-nc$))", LicenseClass.NON_COMMERCIAL),
        # Llama 1 was research-only; later Llama licences allow commercial use with restrictions.
        (r"^LicenseRef-(scancode-)?llama-license-2023$|^LicenseRef-Llama-1$", LicenseClass.NON_COMMERCIAL),
        (r"^LicenseRef-(DeepFloyd|Apple-AMLR|scancode-apple-amlr)", LicenseClass.NON_COMMERCIAL),
        (r"^LicenseRef-(Proprietary|scancode-proprietary)", LicenseClass.PROPRIETARY),
        (
            r"^LicenseRef-(scancode-)?(llama|gemma|.*open-?rail|.*-rail-|stable-diffusion|falcon|"
            r"nvidia-open-model|Qwen|tongyi|deepseek|Llama-)",
            LicenseClass.USE_RESTRICTED,
        ),
        (r"^(GPL-|LicenseRef-GPL)", LicenseClass.STRONG_COPYLEFT),
        (
            r"^(LGPL-|MPL-|EPL-|CDDL-|CC-BY-SA-|CDLA-Sharing|OSL-|EUPL-|LicenseRef-LGPL)",
            LicenseClass.WEAK_COPYLEFT,
        ),
        (
            r"^(CC0-1\.0|Unlicense|0BSD|LicenseRef-BSD-unspecified|LicenseRef-Public-Domain)$",
            LicenseClass.PERMISSIVE,
        ),
        (r"^LicenseRef-(mlaudit-)?unknown", LicenseClass.UNKNOWN),
    )
)

_BY_CATEGORY = {
    "Permissive": LicenseClass.PERMISSIVE,
    "Public Domain": LicenseClass.PERMISSIVE,
    "Copyleft Limited": LicenseClass.WEAK_COPYLEFT,
    "Copyleft": LicenseClass.STRONG_COPYLEFT,
    "Proprietary Free": LicenseClass.PROPRIETARY,
    "Commercial": LicenseClass.PROPRIETARY,
    "Source-available": LicenseClass.PROPRIETARY,
    "Free Restricted": LicenseClass.USE_RESTRICTED,
}

# Exceptions that let code link to a copyleft library without the copyleft reaching it.
_LINKING_EXCEPTION_CATEGORIES = frozenset({"Permissive", "Copyleft Limited"})


def classify(license_id: str, exception: str | None = None) -> LicenseClass:
    """The class of ``license_id`` (an SPDX or LicenseRef id), optionally ``WITH exception``."""
    base = _classify_id(license_id)
    if exception is None or base is not LicenseClass.STRONG_COPYLEFT:
        return base
    facts = license_facts(exception)
    if facts is not None and facts.is_exception and facts.category in _LINKING_EXCEPTION_CATEGORIES:
        # GPL WITH Classpath/GCC/LLVM-style exceptions binds only the library itself.
        return LicenseClass.WEAK_COPYLEFT
    return base


def _classify_id(license_id: str) -> LicenseClass:
    for pattern, cls in _FAMILIES:
        if pattern.search(license_id):
            return cls
    facts = license_facts(license_id)
    if facts is None:
        return LicenseClass.UNKNOWN
    return _BY_CATEGORY.get(facts.category, LicenseClass.UNKNOWN)
