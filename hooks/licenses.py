"""``mlaudit-licenses``: the licences of the model card, the project and its dependencies, checked at commit.

Fast by design: package metadata and the model card only (scancode stays in
``mlaudit audit``). Requirement files are resolved with pip's dry run when one
of them is staged (the result is cached by content); ``--no-resolve`` skips it.
Prints one line per finding; exits 1 when a finding reaches ``fail_on``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlaudit.cli.main import handle_errors
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.globs import compile_globs
from mlaudit.hook_runtime import print_findings, relative_paths, repo_root, with_notes_printed
from mlaudit.licenses.options import LicensesOptions
from mlaudit.render.escape import terminal_text


def check_licenses(filenames: Sequence[str], *, resolve: bool, offline: bool) -> int:
    """Judge the repository's declared licences; return the hook's exit code."""
    from mlaudit.licenses.assessment import audit_licenses
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files

    root = repo_root()
    ctx = with_notes_printed(AuditContext(root, load_config(root), offline=offline or None))
    options = ctx.section("licenses", LicensesOptions)
    staged = relative_paths(root, filenames)
    is_requirements = compile_globs(options.requirements)
    staged_requirements = any(is_requirements(p) for p in staged)
    has_weights = bool(find_weight_files(ctx, ctx.section("weights", WeightsOptions)))
    result = audit_licenses(
        root,
        ctx.files,
        options,
        offline=ctx.offline,
        cache_dir=ctx.cache_dir,
        scan=False,
        resolve=resolve and staged_requirements,
        has_weights=has_weights,
    )
    threshold = ctx.config.general.fail_on
    print_findings(result.findings)
    for reason in result.incomplete:
        print(f"mlaudit-licenses: incomplete: {terminal_text(reason)}")
    failing = [f for f in result.findings if f.severity.at_least(threshold)]
    errors_fail = ctx.config.general.errors == "fail"
    return 1 if failing or (result.incomplete and errors_fail) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Hook entry point."""
    parser = argparse.ArgumentParser(prog="mlaudit-licenses", description=__doc__)
    parser.add_argument("filenames", nargs="*", help="staged files (pre-commit passes them)")
    parser.add_argument("--no-resolve", action="store_true", help="do not resolve requirement files with pip")
    parser.add_argument("--offline", action="store_true", help="never reach the package index")
    args = parser.parse_args(argv)
    return handle_errors(
        lambda: check_licenses(args.filenames, resolve=not args.no_resolve, offline=args.offline)
    )


if __name__ == "__main__":
    raise SystemExit(main())
