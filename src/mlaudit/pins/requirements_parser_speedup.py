"""Make ``pip-requirements-parser`` reuse its option parser instead of building one per line.

Upstream's ``get_line_parser`` builds a fresh ``optparse`` parser for every line
(its defaults are lists that ``append`` options would otherwise share), which is
~2 ms a line: 50 requirements files cost more than a second, too slow for a
commit hook. Here one parser per thread is built once and every line gets a
copy of its default values with fresh lists, which gives the same results
(``tests/pins/test_requirements_parser_speedup.py`` compares both).
"""

from __future__ import annotations

import optparse
import shlex
import threading
from typing import Any

_local = threading.local()
_installed = False


def _cached_line_parser() -> Any:
    import pip_requirements_parser as prp  # type: ignore[import-untyped]

    def parse_line(line: str) -> tuple[str, Any, Any]:
        state = getattr(_local, "parser", None)
        if state is None:
            parser = prp.build_parser()
            state = (parser, parser.get_default_values())
            _local.parser = state
        parser, defaults = state
        args_str, options_str = prp.break_args_options(line)
        # Defaults hold scalars and lists; fresh lists are all a line needs of its own.
        values = optparse.Values({k: (list(v) if isinstance(v, list) else v)
                                  for k, v in vars(defaults).items()})
        if not options_str.strip():
            return args_str, values, []  # what parse_args([]) returns, without the work
        # Without quotes or backslashes shlex splits exactly like str.split, much faster.
        plain = not any(c in options_str for c in "'\"\\")
        words = options_str.split() if plain else shlex.split(options_str)
        opts, arguments = parser.parse_args(words, values)
        return args_str, opts, arguments

    return parse_line


def install() -> None:
    """Patch ``pip_requirements_parser.get_line_parser`` (once per process)."""
    global _installed
    if _installed:
        return
    import pip_requirements_parser as prp

    prp.get_line_parser = _cached_line_parser
    _installed = True
