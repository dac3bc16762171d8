"""Hugging Face licence ids (the model card ``license:`` key) mapped to SPDX or LicenseRef ids.

The Hub's list (https://huggingface.co/docs/hub/repositories-licenses) mixes
SPDX ids in lower case with model-licence families SPDX lacks. Where scancode's
LicenseDB has the licence, its ``LicenseRef-scancode-*`` id is used; the rest
get an ``LicenseRef-`` id of ours. Ambiguous ids are mapped to the stricter
reading and carry a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubLicense:
    """An SPDX expression for a Hub id, with a note when the id does not say enough."""

    expression: str
    note: str = ""


_ONLY_OR_LATER = "the Hub id '{id}' does not say -only or -or-later; read as {spdx} (the stricter)"

HUB_LICENSES: dict[str, HubLicense] = {
    "gpl-2.0": HubLicense("GPL-2.0-only", _ONLY_OR_LATER.format(id="gpl-2.0", spdx="GPL-2.0-only")),
    "gpl-3.0": HubLicense("GPL-3.0-only", _ONLY_OR_LATER.format(id="gpl-3.0", spdx="GPL-3.0-only")),
    "lgpl-2.1": HubLicense("LGPL-2.1-only", _ONLY_OR_LATER.format(id="lgpl-2.1", spdx="LGPL-2.1-only")),
    "lgpl-3.0": HubLicense("LGPL-3.0-only", _ONLY_OR_LATER.format(id="lgpl-3.0", spdx="LGPL-3.0-only")),
    "agpl-3.0": HubLicense("AGPL-3.0-only", _ONLY_OR_LATER.format(id="agpl-3.0", spdx="AGPL-3.0-only")),
    "gpl": HubLicense("GPL-1.0-or-later", "the Hub id 'gpl' names no version; the GPL then allows any version"),
    "lgpl": HubLicense("LGPL-2.0-or-later", "the Hub id 'lgpl' names no version; the LGPL then allows any version"),
    "gfdl": HubLicense("GFDL-1.1-or-later", "the Hub id 'gfdl' names no version"),
    "bsd": HubLicense("LicenseRef-BSD-unspecified", "the Hub id 'bsd' does not say which BSD licence"),
    "cc": HubLicense("LicenseRef-CC-unspecified", "the Hub id 'cc' does not say which Creative Commons licence"),
    "openrail": HubLicense(
        "LicenseRef-OpenRAIL", "'openrail' names a family of licences (RAIL-M, -S, -D ...): read license_link"
    ),
    "openrail++": HubLicense("LicenseRef-OpenRAIL-plusplus"),
    "creativeml-openrail-m": HubLicense("LicenseRef-scancode-stable-diffusion-2022-08-22"),
    "bigscience-openrail-m": HubLicense("LicenseRef-scancode-bigscience-open-rail-m"),
    "bigscience-bloom-rail-1.0": HubLicense("LicenseRef-scancode-bigscience-rail-1.0"),
    "bigcode-openrail-m": HubLicense("LicenseRef-scancode-bigcode-open-rail-m-v1"),
    "llama2": HubLicense("LicenseRef-scancode-llama-2-license-2023"),
    "llama3": HubLicense("LicenseRef-Llama-3"),
    "llama3.1": HubLicense("LicenseRef-scancode-llama-3.1-license-2024"),
    "llama3.2": HubLicense("LicenseRef-scancode-llama-3.2-license-2024"),
    "llama3.3": HubLicense("LicenseRef-scancode-llama-3.3-license-2024"),
    "llama4": HubLicense("LicenseRef-scancode-llama-4-license-2025"),
    "gemma": HubLicense(
        "LicenseRef-scancode-gemma-tou-2024-04-01",
        "Gemma terms change by date; the 2024-04-01 terms are assumed",
    ),
    "deepfloyd-if-license": HubLicense("LicenseRef-DeepFloyd-IF"),
    "fair-noncommercial-research-license": HubLicense("LicenseRef-FAIR-noncommercial-research"),
    "apple-amlr": HubLicense("LicenseRef-Apple-AMLR"),
    "apple-ascl": HubLicense("LicenseRef-scancode-apple-sscl"),
    "h-research": HubLicense("LicenseRef-H-Research"),
    "intel-research": HubLicense("LicenseRef-Intel-Research"),
    "c-uda": HubLicense("LicenseRef-C-UDA-1.0"),
    "lgpl-lr": HubLicense("LicenseRef-LGPL-LR"),
    "openmdw-1.0": HubLicense("LicenseRef-OpenMDW-1.0"),
    "odc-by": HubLicense("ODC-By-1.0"),
    "odbl": HubLicense("ODbL-1.0"),
    "pddl": HubLicense("PDDL-1.0"),
    "wtfpl": HubLicense("WTFPL"),
    "etalab-2.0": HubLicense("etalab-2.0"),
    "ncsa": HubLicense("NCSA"),
    "postgresql": HubLicense("PostgreSQL"),
}
"""Hub ids that are not SPDX ids in another case; every other id is read as SPDX."""

# Names people put in ``license_name`` with ``license: other``.
NAMED_LICENSES: dict[str, str] = {
    "llama3": "LicenseRef-Llama-3",
    "llama-3": "LicenseRef-Llama-3",
    "llama2": "LicenseRef-scancode-llama-2-license-2023",
    "gemma": "LicenseRef-scancode-gemma-tou-2024-04-01",
    "gemma-terms-of-use": "LicenseRef-scancode-gemma-tou-2024-04-01",
    "tongyi-qianwen": "LicenseRef-Tongyi-Qianwen",
    "qwen": "LicenseRef-Qwen",
    "qwen-research": "LicenseRef-Qwen-research-noncommercial",
    "deepseek": "LicenseRef-scancode-deepseek-la-1.0",
    "deepseek-license": "LicenseRef-scancode-deepseek-la-1.0",
    "nvidia-open-model-license": "LicenseRef-scancode-nvidia-open-model-2025-04-28",
    "falcon-llm-license": "LicenseRef-scancode-falcon-2-11b-1.0",
}
"""``license_name`` values (lower case) that name a known model licence."""
