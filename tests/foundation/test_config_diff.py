"""config_diff: which keys two configurations differ in, and whether each change loosens the policy."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mlaudit.config import GeneralOptions, config_from_table
from mlaudit.config_change_rules import UNCLASSIFIED
from mlaudit.config_diff import ConfigChange, diff_configs, diff_flat, flatten_config, judge
from mlaudit.config_key_rules import BASE_ONLY_KEYS, ENTRY_RULES, KEY_RULES
from mlaudit.registry import ARRAY_SECTIONS, SECTION_TYPES


def section_types() -> dict[str, type[Any]]:
    return dict(SECTION_TYPES.tables)


def changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(key, kind) of every change from table ``old`` to table ``new``."""
    before, after = config_from_table(None, old, prefix), config_from_table(None, new, prefix)
    return [(c.key, c.kind) for c in diff_configs(before, after, section_types(), ARRAY_SECTIONS)]


def test_every_option_mlaudit_knows_has_a_rule() -> None:
    """A new option must be classified here, or a pull request could loosen it unseen (it would count as loosening)."""
    keys = {f.name for f in dataclasses.fields(GeneralOptions)}
    for name, cls in section_types().items():
        keys |= {f"{name}.{f.name}" for f in dataclasses.fields(cls)}
    assert sorted(keys - set(KEY_RULES)) == []
    assert sorted(set(ARRAY_SECTIONS) - set(ENTRY_RULES)) == []
    assert set(BASE_ONLY_KEYS) <= set(KEY_RULES)


def test_unchanged_and_default_valued_keys_are_no_change() -> None:
    assert changes({"exclude": ["a/**"]}, {"exclude": ["a/**"]}) == []
    assert changes({}, {"fail_on": "high", "errors": "fail", "weights": {"manifest": "weights.lock.json"}}) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({}, {"exclude": ["extras/**"]}, [("exclude", "loosening")]),
        ({"exclude": ["a/**", "b/**"]}, {"exclude": ["a/**"]}, [("exclude", "tightening")]),
        ({"exclude": ["a/**"]}, {"exclude": ["b/**"]}, [("exclude", "loosening")]),  # swapped: something added
        ({}, {"disable": ["serialization"]}, [("disable", "loosening")]),
        ({}, {"fail_on": "critical"}, [("fail_on", "loosening")]),
        ({}, {"fail_on": "medium"}, [("fail_on", "tightening")]),
        ({}, {"errors": "warn"}, [("errors", "loosening")]),
        ({"errors": "warn"}, {"errors": "fail"}, [("errors", "tightening")]),
        ({}, {"advisory_db": "advisories"}, [("advisory_db", "loosening")]),
        ({}, {"cache_dir": ".mlaudit-cache"}, [("cache_dir", "loosening")]),
        ({}, {"trust_pr_config": True}, [("trust_pr_config", "loosening")]),
        ({}, {"serialization": {"allow": ["os.system"]}}, [("serialization.allow", "loosening")]),
        ({}, {"serialization": {"deny": ["numpy.load"]}}, [("serialization.deny", "tightening")]),
        ({"serialization": {"deny": ["x.y"]}}, {}, [("serialization.deny", "loosening")]),
        ({}, {"serialization": {"unknown_import_severity": "low"}}, [("serialization.unknown_import_severity",
                                                                   "loosening")]),
        ({}, {"licenses": {"allow": ["GPL-3.0-only"]}}, [("licenses.allow", "loosening")]),
        ({}, {"licenses": {"deny": ["GPL-3.0-only"]}}, [("licenses.deny", "tightening")]),
        ({}, {"pins": {"allowed_actions": ["evil/*"]}}, [("pins.allowed_actions", "loosening")]),
        ({}, {"signing": {"ignore_paths": ["*.bin"]}}, [("signing.ignore_paths", "loosening")]),
        ({}, {"performance": {"command": "python eval.py"}}, [("performance.command", "loosening")]),
        ({}, {"probes": {"detector-command": "sh x"}}, [("probes.detector_command", "loosening")]),
        ({}, {"fairness": {"min_disparate_impact_ratio": 0.5}}, [("fairness.min_disparate_impact_ratio",
                                                                   "loosening")]),
        ({}, {"drift": {"psi_threshold": 0.1}}, [("drift.psi_threshold", "tightening")]),
        ({}, {"weights": {"workers": 8}}, [("weights.workers", "neutral")]),
        ({}, {"weights": {"manifest": "other.lock.json"}}, [("weights.manifest", "neutral")]),
    ],
)
def test_each_change_is_judged(old: dict[str, Any], new: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert changes(old, new) == expected


WAIVER = {"rule": "serialization.dangerous-import", "reason": "r", "owner": "o", "expires": "2099-01-01"}


def test_waivers_are_compared_entry_by_entry() -> None:
    other = {**WAIVER, "path": "extras/**"}
    assert changes({"waivers": [WAIVER]}, {"waivers": [WAIVER, other]}) == [("waivers", "loosening")]
    assert changes({"waivers": [WAIVER, other]}, {"waivers": [other]}) == [("waivers", "tightening")]
    # A changed waiver is one removed and one added: the added one is a loosening.
    widened = {**WAIVER, "expires": "2100-01-01"}
    assert sorted(changes({"waivers": [WAIVER]}, {"waivers": [widened]})) == [
        ("waivers", "loosening"), ("waivers", "tightening")]


def test_the_same_settings_moved_to_pyproject_only_change_the_file() -> None:
    table = {"exclude": ["docs/**"], "weights": {"manifest": "w.json"}}
    before = config_from_table(None, table, "")
    after = config_from_table(None, table, "tool.mlaudit.")
    found = diff_configs(before, after, section_types(), ARRAY_SECTIONS, old_label="mlaudit.toml",
                         new_label="pyproject.toml [tool.mlaudit]")
    assert [(c.key, c.kind, c.old, c.new) for c in found] == [
        ("(file)", "neutral", "mlaudit.toml", "pyproject.toml [tool.mlaudit]")]


def test_an_unknown_key_counts_as_loosening() -> None:
    change = judge("newcheck.allow_everything", False, True)
    assert change.kind == "loosening" and change.reason == UNCLASSIFIED
    assert [c.kind for c in diff_flat({"x": 1}, {"x": 2})] == ["loosening"]


def test_flattened_values_are_json_with_defaults() -> None:
    flat = flatten_config(config_from_table(None, {"waivers": [WAIVER]}, ""), section_types(), ARRAY_SECTIONS)
    assert flat["fail_on"] == "high" and flat["trust_pr_config"] is False
    assert flat["weights.manifest"] == "weights.lock.json"
    assert flat["waivers"] == [{**WAIVER}]  # unset fields left out, the date as ISO text


def test_change_json_round_trip_and_forged_entries() -> None:
    change = ConfigChange("exclude", [], ["a/**"], "loosening", "adds a/**")
    assert ConfigChange.from_json(change.to_json()) == change
    assert "exclude: [] → [\"a/**\"]" in change.summary
    for forged in (None, [], {"key": 1, "kind": "loosening", "reason": ""}, {"key": "k", "kind": "ok", "reason": ""}):
        assert ConfigChange.from_json(forged) is None
