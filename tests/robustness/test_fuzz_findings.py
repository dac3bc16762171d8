"""Inputs the longer fuzz run found, kept as regression tests (each crashed before its fix)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_mlaudit
from robustness_helpers import no_traceback

from mlaudit.formats.pickle_sniff import looks_like_pickle

# BINSTRING ("T") with a negative four-byte length: the sniffer's position went negative and wrapped.
NEGATIVE_BINSTRING = b"T\xa7\xa7\xe1\xad\x1f\xe5H\xf8\x8dE7\xdf\xe6l\x9e+\xaf\xa1\xec\x1av \xdd\xfb\x01U\x0bm"


def test_negative_binstring_length_is_not_a_pickle() -> None:
    assert looks_like_pickle(NEGATIVE_BINSTRING) is False
    assert looks_like_pickle(b"T\xff\xff\xff\xff" + b"." * 64) is False


def test_scan_of_a_file_starting_with_a_negative_binstring(tmp_path: Path) -> None:
    for name in ("config.json", "weights.bin", "model.pkl"):
        (tmp_path / name).write_bytes(NEGATIVE_BINSTRING * 8)
        proc = run_mlaudit("scan", str(tmp_path / name))
        no_traceback(proc)
        assert proc.returncode in (0, 1, 2), proc.stderr


def test_huge_integers_are_a_parse_error_not_a_value_error() -> None:
    import pytest

    from mlaudit.formats.bounded_json import BoundedParseError, loads_json, loads_toml

    with pytest.raises(BoundedParseError, match="digits"):
        loads_json('{"number": ' + "9" * 5000 + "}")
    with pytest.raises(BoundedParseError, match="digits"):
        loads_toml("a = " + "9" * 5000)


def test_glob_character_classes_never_raise() -> None:
    from mlaudit.formats.codeowners import parse_codeowners
    from mlaudit.globs import compile_globs

    matches = compile_globs(["[]x", "[!]y", "[z-a]w", "a[[]b", "[^q]r", "[!a]s", "[ab]t"])
    assert matches("[]x") and matches("[!]y") and matches("a[b")
    assert matches("^r") and matches("qr")  # "^" is a literal in a glob class, not a negation
    assert matches("bs") and not matches("as") and matches("at") and not matches("ct")
    owners = parse_codeowners("[]bad @a\n[z-a] @b\n*.py @c\n")
    assert owners.owners_of("x.py") == ("@c",)
