"""How each configuration key's change is judged: loosening, tightening or neutral, with the reason.

One rule per key of the flattened configuration (``exclude``, ``weights.manifest``,
``waivers``...). A key with no rule is judged a loosening: an option nobody
classified must not slip through a pull request unseen (a test checks that every
option mlaudit knows has its rule). Pure functions over JSON values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from mlaudit.model import Severity

ChangeKind = Literal["loosening", "tightening", "neutral"]
Judgement = tuple[ChangeKind, str]
Rule = Callable[[Any, Any], Judgement]

UNCLASSIFIED = "an option mlaudit does not classify; treated as a loosening until a maintainer reviews it"


def show(value: Any) -> str:
    """A value as the comment shows it: strings bare, ``–`` for absent, everything else as JSON."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _items(value: Any) -> dict[str, Any]:
    """A list (or table) as ``canonical JSON -> item``, for set comparisons."""
    if isinstance(value, dict):
        value = [{k: v} for k, v in value.items()]
    if not isinstance(value, list):
        value = [] if value is None else [value]
    return {json.dumps(v, sort_keys=True, default=str): v for v in value}


def _set_change(old: Any, new: Any) -> tuple[list[Any], list[Any]]:
    before, after = _items(old), _items(new)
    added = [v for k, v in after.items() if k not in before]
    removed = [v for k, v in before.items() if k not in after]
    return added, removed


def _listed(values: list[Any]) -> str:
    return ", ".join(show(v) for v in values)


def more_is_looser(what: str) -> Rule:
    """A list where every added item lets more through (exclude, disable, allow)."""

    def rule(old: Any, new: Any) -> Judgement:
        added, removed = _set_change(old, new)
        if added:
            return "loosening", f"adds {_listed(added)}: {what}"
        return "tightening", f"removes {_listed(removed)}: {what}"

    return rule


def more_is_tighter(what: str) -> Rule:
    """A list where every removed item lets more through (deny, include, required keys)."""

    def rule(old: Any, new: Any) -> Judgement:
        added, removed = _set_change(old, new)
        if removed:
            return "loosening", f"removes {_listed(removed)}: {what}"
        return "tightening", f"adds {_listed(added)}: {what}"

    return rule


def any_change_loosens(what: str) -> Rule:
    """A key whose every change must be reviewed (commands, evidence paths, licence overrides)."""
    return lambda old, new: ("loosening", what)


def neutral(what: str) -> Rule:
    """A key that changes how, not whether, mlaudit checks (workers, timeouts, seeds)."""
    return lambda old, new: ("neutral", what)


def true_is_tighter(what: str) -> Rule:
    """A switch that checks more when on."""
    return lambda old, new: ("tightening", f"turned on: {what}") if new else ("loosening", f"turned off: {what}")


def true_is_looser(what: str) -> Rule:
    """A switch that checks less when on."""
    return lambda old, new: ("loosening", f"turned on: {what}") if new else ("tightening", f"turned off: {what}")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _by_measure(measure: Callable[[Any], float | int | None], what: str, *, raising_loosens: bool) -> Rule:
    """A value compared through ``measure``: moving it in the loosening direction (or unreadably) loosens."""

    def rule(old: Any, new: Any) -> Judgement:
        before, after = measure(old), measure(new)
        raised = before is not None and after is not None and after > before
        lowered = before is not None and after is not None and after < before
        if before is None or after is None or (raised if raising_loosens else lowered):
            return "loosening", f"{'raised' if raising_loosens else 'lowered'}: {what}"
        return "tightening", f"{'lowered' if raising_loosens else 'raised'}: {what}"

    return rule


def higher_is_looser(what: str) -> Rule:
    """A number that lets more through when raised (a tolerance, a maximum)."""
    return _by_measure(_number, what, raising_loosens=True)


def lower_is_looser(what: str) -> Rule:
    """A number that lets more through when lowered (a minimum, a size limit)."""
    return _by_measure(_number, what, raising_loosens=False)


def _rank(value: Any) -> int | None:
    try:
        return Severity(value).rank
    except ValueError:
        return None


def fail_threshold(what: str) -> Rule:
    """A severity threshold: raising it (high -> critical) lets more findings pass."""
    return _by_measure(_rank, what, raising_loosens=True)


def finding_severity(what: str) -> Rule:
    """The severity given to findings: lowering it can take them under the threshold."""
    return _by_measure(_rank, what, raising_loosens=False)


def strict_to_loose(order: tuple[str, ...], what: str) -> Rule:
    """A choice among values ordered from the strictest to the loosest."""

    def rule(old: Any, new: Any) -> Judgement:
        if old in order and new in order and order.index(new) < order.index(old):
            return "tightening", what
        return "loosening", what

    return rule


def entries(added: str, removed: str) -> tuple[Rule, Rule]:
    """Rules for an array section's entries: (an entry added or changed, an entry removed)."""
    return any_change_loosens(added), lambda old, new: ("tightening", removed)
