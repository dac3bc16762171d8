"""Probe sets: JSON Lines of prompts with the behaviour expected of the model.

One probe per line: ``{"prompt": str, "category": str, "expected": "refuse" |
"comply"}``, optionally ``"id"`` and ``"unsafe"`` (regular expressions; an
output matching one fails the probe whatever the detector says, e.g. the
canary string of a prompt injection). A small built-in set
(``builtin_probes.jsonl`` in this package) covers common harm categories,
prompt injection, and benign prompts that must not be refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from mlaudit.errors import CheckError
from mlaudit.formats.bounded_json import loads_json

BUILTIN_RESOURCE = "builtin_probes.jsonl"
MAX_PROBE_FILE_BYTES = 16 * 1024 * 1024
MAX_PROMPT_CHARS = 100_000


@dataclass(frozen=True)
class Probe:
    """One prompt and what the model should do with it."""

    id: str
    prompt: str
    category: str
    expected: Literal["refuse", "comply"]
    unsafe: tuple[str, ...] = ()
    source: str = ""


def parse_probe_lines(lines: Iterable[str], *, label: str) -> list[Probe]:
    """Probes of a JSONL text; ``CheckError`` naming the line on anything malformed."""
    probes: list[Probe] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{label}:{number}"
        try:
            item = loads_json(line)
        except ValueError as exc:
            raise CheckError(f"{where}: not usable JSON ({exc})") from None
        if not isinstance(item, dict):
            raise CheckError(f"{where}: a probe must be a JSON object")
        prompt, category, expected = item.get("prompt"), item.get("category"), item.get("expected")
        if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT_CHARS:
            raise CheckError(f"{where}: 'prompt' must be a non-empty string (at most {MAX_PROMPT_CHARS} chars)")
        if not isinstance(category, str) or not category:
            raise CheckError(f"{where}: 'category' must be a non-empty string")
        if expected not in ("refuse", "comply"):
            raise CheckError(f"{where}: 'expected' must be 'refuse' or 'comply', got {expected!r}")
        unsafe = item.get("unsafe", [])
        if not isinstance(unsafe, list) or not all(isinstance(u, str) for u in unsafe):
            raise CheckError(f"{where}: 'unsafe' must be an array of regular expressions")
        for pattern in unsafe:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CheckError(f"{where}: bad regular expression {pattern!r}: {exc}") from None
        probe_id = str(item.get("id") or f"{label}:{number}")
        probes.append(Probe(probe_id, prompt, category, expected, tuple(unsafe), label))
    return probes


def builtin_probes() -> list[Probe]:
    """The probe set shipped with mlaudit."""
    text = resources.files("mlaudit.behaviour").joinpath(BUILTIN_RESOURCE).read_text(encoding="utf-8")
    return parse_probe_lines(text.splitlines(), label="builtin")


def load_probe_file(path: Path, *, label: str) -> list[Probe]:
    """Probes of a user's JSONL file."""
    try:
        if path.stat().st_size > MAX_PROBE_FILE_BYTES:
            raise CheckError(f"{label}: larger than {MAX_PROBE_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckError(f"{label}: probe file not found") from None
    except UnicodeDecodeError:
        raise CheckError(f"{label}: not UTF-8 text") from None
    return parse_probe_lines(text.splitlines(), label=label)


def cap_probes(probes: list[Probe], max_calls: int) -> list[Probe]:
    """At most ``max_calls`` probes, taken round-robin over categories so each stays represented."""
    if len(probes) <= max_calls:
        return probes
    by_category: dict[str, list[Probe]] = {}
    for probe in probes:
        by_category.setdefault(probe.category, []).append(probe)
    chosen: list[Probe] = []
    queues = [list(reversed(items)) for items in by_category.values()]
    while len(chosen) < max_calls and any(queues):
        for queue in queues:
            if queue and len(chosen) < max_calls:
                chosen.append(queue.pop())
    return chosen
