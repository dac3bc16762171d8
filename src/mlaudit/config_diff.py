"""What a change of configuration does: the keys that differ between two configurations, each judged.

``flatten_config`` turns a validated ``Config`` into ``key -> JSON value`` with
every default filled in (``exclude``, ``weights.manifest``, ``waivers``), so a key
set to its default is no change. ``diff_flat`` lists the keys that differ, each a
``ConfigChange`` judged by ``config_key_rules`` as a loosening, a tightening or
neutral, with the reason. Array sections (waivers, data sources) are compared
entry by entry. Pure functions: no file, no Git.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from mlaudit.config import Config
from mlaudit.config_change_rules import UNCLASSIFIED, ChangeKind, show
from mlaudit.config_key_rules import ADDED, ENTRY_RULES, KEY_RULES, REMOVED
from mlaudit.options import options_to_json

KINDS: tuple[ChangeKind, ...] = ("loosening", "tightening", "neutral")


@dataclass(frozen=True)
class ConfigChange:
    """One key whose value differs: ``old``/``new`` are JSON values, None when absent."""

    key: str
    old: Any
    new: Any
    kind: ChangeKind
    reason: str

    @property
    def summary(self) -> str:
        """``key: old → new (reason)`` in one line."""
        return f"{self.key}: {show(self.old)} → {show(self.new)} ({self.kind}: {self.reason})"

    def to_json(self) -> dict[str, Any]:
        """As recorded in the report's evidence."""
        return {"key": self.key, "old": self.old, "new": self.new, "kind": self.kind, "reason": self.reason}

    @classmethod
    def from_json(cls, data: object) -> ConfigChange | None:
        """Read back from a report (None when malformed: a report artifact is untrusted data)."""
        if not isinstance(data, Mapping):
            return None
        key, kind, reason = data.get("key"), data.get("kind"), data.get("reason")
        if not isinstance(key, str) or kind not in KINDS or not isinstance(reason, str):
            return None
        return cls(key, data.get("old"), data.get("new"), cast(ChangeKind, kind), reason)


def _plain(value: Any) -> Any:
    """JSON values only (dates of waivers become ISO strings)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def flatten_config(
    config: Config,
    section_types: Mapping[str, type[Any]],
    array_sections: Mapping[str, type[Any]],
    *,
    file_label: str | None = None,
) -> dict[str, Any]:
    """``key -> value`` of the effective configuration (defaults included); raises ConfigError if invalid."""
    flat: dict[str, Any] = {"(file)": file_label}
    flat.update(_plain(options_to_json(config.general)))
    for name, cls in section_types.items():
        for key, value in _plain(options_to_json(config.section(name, cls))).items():
            flat[f"{name}.{key}"] = value
    for name, cls in array_sections.items():
        # Unset fields of an entry (``None``) say nothing: leave them out of what the comment shows.
        flat[name] = [
            {k: v for k, v in _plain(options_to_json(e)).items() if v is not None} for e in config.entries(name, cls)
        ]
    return flat


def judge(key: str, old: Any, new: Any) -> ConfigChange:
    """One changed key, judged by its rule (no rule: a loosening)."""
    rule = KEY_RULES.get(key)
    if rule is None:
        return ConfigChange(key, old, new, "loosening", UNCLASSIFIED)
    kind, reason = rule(old, new)
    return ConfigChange(key, old, new, kind, reason)


def _entry_changes(key: str, old: Any, new: Any) -> list[ConfigChange]:
    def canon(entries: Any) -> dict[str, Any]:
        return {json.dumps(e, sort_keys=True): e for e in (entries if isinstance(entries, list) else [])}

    before, after = canon(old), canon(new)
    rules = ENTRY_RULES[key]
    changes = []
    for text, entry in after.items():
        if text not in before:
            kind, reason = rules[ADDED](None, entry)
            changes.append(ConfigChange(key, None, entry, kind, reason))
    for text, entry in before.items():
        if text not in after:
            kind, reason = rules[REMOVED](entry, None)
            changes.append(ConfigChange(key, entry, None, kind, reason))
    return changes


def diff_flat(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[ConfigChange, ...]:
    """The keys whose value differs from ``old`` to ``new``, in key order, each judged."""
    changes: list[ConfigChange] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in ENTRY_RULES:
            changes.extend(_entry_changes(key, before, after))
        else:
            changes.append(judge(key, before, after))
    return tuple(changes)


def diff_configs(
    old: Config,
    new: Config,
    section_types: Mapping[str, type[Any]],
    array_sections: Mapping[str, type[Any]],
    *,
    old_label: str | None = None,
    new_label: str | None = None,
) -> tuple[ConfigChange, ...]:
    """``diff_flat`` of two validated configurations."""
    return diff_flat(
        flatten_config(old, section_types, array_sections, file_label=old_label),
        flatten_config(new, section_types, array_sections, file_label=new_label),
    )


def loosenings(changes: tuple[ConfigChange, ...]) -> tuple[ConfigChange, ...]:
    """The changes that let more through."""
    return tuple(c for c in changes if c.kind == "loosening")
