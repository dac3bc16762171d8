"""``mlaudit-pinned-deps``: staged dependency files pin every input.

Requirements and constraints (with their -r/-c includes), pyproject.toml and its
lock files, conda environments, GitHub workflows and composite actions,
Dockerfiles, and Hugging Face downloads in Python code. One line per finding
with the fix; exit 1 when there is one. Rules are tuned in ``[tool.mlaudit.pins]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlaudit.cli.main import handle_errors
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.hook_runtime import print_findings, relative_paths, repo_root, with_notes_printed
from mlaudit.pins.rules import PinRules, PinsOptions
from mlaudit.pins.sources import PinsScanner


def check_pinned(filenames: Sequence[str]) -> int:
    """Check the given files; return the hook's exit code."""
    root = repo_root()
    ctx = with_notes_printed(AuditContext(root, load_config(root)))
    options = ctx.section("pins", PinsOptions)
    paths = [p for p in relative_paths(root, filenames) if not ctx.is_excluded(p)]
    scan = PinsScanner(ctx.root, PinRules(options)).scan(paths)
    findings = sorted(scan.findings, key=lambda f: (f.path or "", f.line or 0, f.rule))
    return 1 if print_findings(findings) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Hook entry point."""
    parser = argparse.ArgumentParser(prog="mlaudit-pinned-deps", description=__doc__)
    parser.add_argument("filenames", nargs="*", help="staged files (pre-commit passes them)")
    args = parser.parse_args(argv)
    return handle_errors(lambda: check_pinned(args.filenames))


if __name__ == "__main__":
    raise SystemExit(main())
