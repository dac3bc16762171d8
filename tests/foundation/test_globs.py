"""Glob patterns over POSIX relative paths."""

from __future__ import annotations

import pytest

from mlaudit.globs import compile_globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.bin", "a.bin", True),
        ("*.bin", "deep/dir/a.bin", True),
        ("*.bin", "a.bin.txt", False),
        ("models/*.pt", "models/a.pt", True),
        ("models/*.pt", "models/x/a.pt", False),
        ("models/**/*.pt", "models/x/y/a.pt", True),
        ("models/**/*.pt", "models/a.pt", True),
        ("models/**/*.pt", "other/models/a.pt", False),
        ("data/", "data/x/y.csv", True),
        ("data", "data/x/y.csv", True),
        ("/top.txt", "top.txt", True),
        ("/top.txt", "sub/top.txt", False),
        ("w?.h5", "w1.h5", True),
        ("w?.h5", "w12.h5", False),
        ("[ab].bin", "b.bin", True),
        ("[!ab].bin", "c.bin", True),
        ("[!ab].bin", "a.bin", False),
        # Brackets that make no valid class are plain text, never a crash (CODEOWNERS and config globs are hostile).
        ("[].bin", "[].bin", True),
        ("a[!]b", "a[!]b", True),
        ("x[[]", "x[", True),
        ("x[[]", "x[[]", False),
    ],
)
def test_glob(pattern: str, path: str, expected: bool) -> None:
    assert compile_globs([pattern])(path) is expected


def test_no_patterns_match_nothing() -> None:
    assert compile_globs([])("a") is False
    assert compile_globs(["", "  "])("a") is False
