"""The one bounded loader for JSON and TOML from the repository and caches."""

from __future__ import annotations

import pytest

from mlaudit.formats.bounded_json import MAX_DEPTH, BoundedParseError, loads_json, loads_toml, value_depth


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                                  "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_deep_json_is_a_clear_error(text: str) -> None:
    with pytest.raises(BoundedParseError, match="nested too deeply"):
        loads_json(text)


def test_json_at_the_limit_and_scalars_load() -> None:
    assert value_depth(loads_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)) == MAX_DEPTH
    assert value_depth(loads_json('{"a": [1, {"b": 2}]}')) == 3
    assert loads_json("5") == 5 and loads_json('"x"') == "x" and loads_json(b"null") is None


def test_duplicate_keys_only_when_refused() -> None:
    assert loads_json('{"a": 1, "a": 2}') == {"a": 2}
    with pytest.raises(BoundedParseError, match="duplicate key 'a'"):
        loads_json('{"b": {"a": 1, "a": 2}}', reject_duplicates=True)


def test_invalid_json_names_the_line_and_bytes_must_be_utf8() -> None:
    with pytest.raises(BoundedParseError, match=r"not valid JSON \(line 2") as info:
        loads_json('{\n"a": }')
    assert info.value.line == 2
    with pytest.raises(BoundedParseError, match="not UTF-8"):
        loads_json(b'{"a": "\xff"}')


@pytest.mark.parametrize("text", ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000 + "1" + "}" * 3000,
                                  "a = " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)])
def test_deep_toml_is_a_clear_error(text: str) -> None:
    with pytest.raises(BoundedParseError, match="nested"):
        loads_toml(text)


def test_toml_errors_are_bounded_parse_errors() -> None:
    with pytest.raises(BoundedParseError, match="invalid TOML"):
        loads_toml("a = [")
    assert loads_toml("[tool.mlaudit]\nfail_on = 'high'\n") == {"tool": {"mlaudit": {"fail_on": "high"}}}
