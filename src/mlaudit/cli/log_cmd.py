"""``mlaudit log verify FILE``: check that no entry of an audit log was edited, removed or reordered."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlaudit.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit log``."""
    parser.add_argument("action", choices=["verify"], help="what to do with the log")
    parser.add_argument("file", type=Path, help="the log (JSON lines written by `mlaudit audit --log`)")
    parser.add_argument("--head", metavar="HASH",
                        help="expected hash of the last entry (detects entries dropped from the end)")


def run(args: argparse.Namespace) -> int:
    """0 when the chain holds, 1 with one line per problem otherwise."""
    from mlaudit.audit_log.chain import verify_chain
    from mlaudit.render.escape import terminal_text

    if not args.file.exists():
        raise UsageError(f"{args.file}: log not found")
    result = verify_chain(args.file)
    problems = list(result.problems)
    if args.head and result.head != args.head:
        problems.append(f"last entry hash is {result.head}, expected {args.head} (entries dropped from the end?)")
    for problem in problems:
        print(f"{terminal_text(args.file)}: {terminal_text(problem)}")
    if problems:
        print(f"mlaudit: {args.file}: the log was tampered with ({len(problems)} problem(s))")
        return 1
    print(f"mlaudit: {args.file}: {result.entries} entr{'y' if result.entries == 1 else 'ies'}, chain intact, "
          f"head {result.head}")
    return 0
