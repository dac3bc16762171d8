"""``mlaudit-personal-data``: staged sample data must not carry personal data or secrets nobody declared.

Scans staged CSV, TSV, JSON, JSONL, text and Parquet files with pattern
detectors (e-mail, phone, payment card, national id, IP address; secrets when
detect-secrets is installed in the hook's environment). Prints one line per
file and kind with the lines or rows, never the value. Files a data source in
the register declares as personal data pass (listed with ``--verbose``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlaudit.cli.main import handle_errors
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.hook_runtime import print_findings, relative_paths, repo_root, with_notes_printed
from mlaudit.model import Severity


def check_staged_data(filenames: Sequence[str], *, verbose: bool) -> int:
    """Scan the given files; return the hook's exit code (1 when something undeclared was found)."""
    from mlaudit.governance.pii_scan import select_sample_files

    root = repo_root()
    ctx = with_notes_printed(AuditContext(root, load_config(root)))
    from mlaudit.governance.privacy_options import PrivacyOptions

    options = ctx.section("privacy", PrivacyOptions)
    rel = [p for p in relative_paths(root, filenames) if not ctx.is_excluded(p)]
    files = select_sample_files(rel, options.include, options.exclude)
    if not files:
        return 0
    from mlaudit.governance.data_register import read_register
    from mlaudit.governance.pii_detectors import TextDetector
    from mlaudit.governance.pii_findings import scan_findings, unscanned_findings
    from mlaudit.governance.pii_scan import scan_file

    register = read_register(ctx, options)
    detector = TextDetector(options.kinds, options.phone_region)
    scans = [scan_file(root, p, detector, max_bytes=int(options.max_file_mb * 1e6)) for p in files]
    # A file that could not be read, or only in part, fails the commit: it was never shown clean.
    findings = scan_findings(scans, register.sources) + unscanned_findings(scans)
    failing = [f for f in findings if f.severity is not Severity.INFO]
    print_findings(findings if verbose else failing)
    return 1 if failing else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Hook entry point."""
    parser = argparse.ArgumentParser(prog="mlaudit-personal-data", description=__doc__)
    parser.add_argument("filenames", nargs="*", help="staged files (pre-commit passes them)")
    parser.add_argument("--verbose", action="store_true", help="also list personal data the register declares")
    args = parser.parse_args(argv)
    return handle_errors(lambda: check_staged_data(args.filenames, verbose=args.verbose))


if __name__ == "__main__":
    raise SystemExit(main())
