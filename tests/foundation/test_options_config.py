"""Configuration: defaults, both config files, and errors that name the key and the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from mlaudit.config import load_config
from mlaudit.errors import ConfigError
from mlaudit.model import Severity
from mlaudit.options import parse_options
from mlaudit.registry import SECTION_TYPES
from mlaudit.weights.options import WeightsOptions


@dataclass(frozen=True)
class Inner:
    name: str = "x"


@dataclass(frozen=True)
class Sample:
    flag: bool = False
    count: int = 1
    ratio: float = 0.5
    mode: Literal["a", "b"] = "a"
    names: tuple[str, ...] = ()
    inner: Inner = Inner()
    maybe: str | None = None
    table: dict[str, int] | None = None


def test_parse_options_all_types() -> None:
    opts = parse_options(
        Sample,
        {"flag": True, "count": 3, "ratio": 2, "mode": "b", "names": ["p", "q"], "inner": {"name": "y"},
         "maybe": "m", "table": {"k": 1}},
        where="tool.mlaudit.s", source="f.toml",
    )
    assert opts == Sample(True, 3, 2.0, "b", ("p", "q"), Inner("y"), "m", {"k": 1})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"nope": 1}, "unknown key 'tool.mlaudit.s.nope'"),
        ({"count": "3"}, "'tool.mlaudit.s.count' must be an integer, got string '3'"),
        ({"count": True}, "must be an integer, got boolean True"),
        ({"flag": 1}, "must be true or false"),
        ({"mode": "c"}, "must be one of 'a', 'b'"),
        ({"names": "p"}, "must be an array"),
        ({"names": [1]}, "'tool.mlaudit.s.names[0]' must be a string"),
        ({"inner": {"bad": 1}}, "unknown key 'tool.mlaudit.s.inner.bad'"),
    ],
)
def test_parse_options_errors_name_key_and_file(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=r"f\.toml") as info:
        parse_options(Sample, table, where="tool.mlaudit.s", source="f.toml")
    assert message in str(info.value)


def test_defaults_without_any_config(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.path is None
    assert config.general.fail_on is Severity.HIGH
    assert config.section("weights", WeightsOptions) == WeightsOptions()


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname="m"\n[tool.mlaudit]\nfail_on="medium"\nexclude=["data/**"]\n'
        '[tool.mlaudit.weights]\nmanifest="w.json"\ninclude=["*.weights"]\n'
    )
    config = load_config(tmp_path)
    assert config.general.fail_on is Severity.MEDIUM
    assert config.general.exclude == ("data/**",)
    assert config.section("weights", WeightsOptions).manifest == "w.json"


def test_mlaudit_toml_top_level_keys(tmp_path: Path) -> None:
    (tmp_path / "mlaudit.toml").write_text('fail_on = "low"\n[weights]\nworkers = 2\n')
    config = load_config(tmp_path)
    assert config.general.fail_on is Severity.LOW
    assert config.section("weights", WeightsOptions).workers == 2


def test_unknown_key_in_section_names_key_and_file(tmp_path: Path) -> None:
    (tmp_path / "mlaudit.toml").write_text('[weights]\nmanifets = "x"\n')
    config = load_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        config.validate(SECTION_TYPES)
    assert "mlaudit.toml" in str(info.value) and "weights.manifets" in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('fail_on = "severe"', "'fail_on' must be one of"),
        ("fail_on = ", "invalid TOML"),
        ("[wieghts]\nx=1\n", "unknown section [wieghts]"),
        ('disable = ["nosuch"]', "unknown check 'nosuch'"),
        ("typo_key = 1", "unknown key 'typo_key'"),
    ],
)
def test_broken_configs(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "mlaudit.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path).validate(SECTION_TYPES)
    assert message in str(info.value)
    assert "mlaudit.toml" in str(info.value)


def test_both_config_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "mlaudit.toml").write_text("")
    (tmp_path / "pyproject.toml").write_text("[tool.mlaudit]\n")
    with pytest.raises(ConfigError, match="keep one"):
        load_config(tmp_path)


def test_config_digest_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "mlaudit.toml").write_text('fail_on = "low"\n')
    first = load_config(tmp_path).digest()
    (tmp_path / "mlaudit.toml").write_text('fail_on = "medium"\n')
    assert load_config(tmp_path).digest() != first
