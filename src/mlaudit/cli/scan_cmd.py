"""``mlaudit scan FILE...``: scan model files (or folders of them) for code that runs when they are loaded."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.errors import UsageError
from mlaudit.model import Severity

if TYPE_CHECKING:
    from mlaudit.serialization.options import SerializationOptions


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit scan``."""
    parser.add_argument("paths", nargs="+", metavar="FILE", help="model files, or folders to search for them")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity], default="medium",
                        help="exit 1 on findings of this severity or worse (default: medium)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in the current folder)")


def run(args: argparse.Namespace) -> int:
    """Print one line per finding (or JSON); exit 1 when one is at ``--fail-on`` or worse, or nothing was scanned."""
    from mlaudit.render.text import format_finding_line
    from mlaudit.serialization.batch import scan_files
    from mlaudit.serialization.config_section import serialization_options

    options = serialization_options(Path.cwd(), args.config)
    files = _expand(args.paths, options)
    if not files:
        raise UsageError("no model files among the given paths")
    # The user named these paths (possibly outside the current folder): not contained, non-regular refused.
    reports = scan_files(Path.cwd(), files, options, cache_dir=None, contain=False)
    findings = [f for r in reports for f in r.findings]
    if args.format == "json":
        import json

        json.dump({"files": [{"path": r.path, "parsers": r.parsers, "complete": r.complete,
                              "findings": [f.to_json() for f in r.findings]} for r in reports]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(format_finding_line(finding))
    understood = sum(1 for r in reports if r.parsers)
    complete = sum(1 for r in reports if r.complete)
    print(f"mlaudit scan: {len(reports)} file(s), {complete} fully scanned, "
          f"{len(reports) - understood} not understood, {len(findings)} finding(s)", file=sys.stderr)
    threshold = Severity(args.fail_on)
    if understood == 0:
        return 1  # a run that scanned nothing is never clean
    return 1 if any(f.severity.at_least(threshold) for f in findings) else 0


def _expand(paths: list[str], options: SerializationOptions) -> list[str]:
    """Files as given; folders searched for weight files and the ``include`` globs."""
    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(_model_files_in(path, options))
        elif path.exists():
            out.append(os.path.relpath(path))
        else:
            raise UsageError(f"{raw}: no such file or folder")
    return out


def _model_files_in(folder: Path, options: SerializationOptions) -> list[str]:
    """Model files of a folder: by name (weight extensions, ``include`` globs) and by content.

    Only regular files are sniffed; a FIFO, socket or device named like a model
    is listed so the scan reports it as refused, and is never opened.
    """
    from mlaudit.serialization.batch import extra_model_files
    from mlaudit.serialization.discovery import files_with_model_content
    from mlaudit.weights.discovery import WEIGHT_EXTENSIONS, WeightDetector

    found = sorted(os.path.relpath(Path(d) / f) for d, _, names in os.walk(folder) for f in names)
    posix = {p: Path(p).as_posix() for p in found}
    regular = [p for p in found if _is_regular(p)]
    chosen = set(WeightDetector().select(Path.cwd(), regular))
    included = set(extra_model_files(posix.values(), options))
    chosen |= {p for p in found if posix[p] in included}
    chosen |= {p for p in found if p not in regular and os.path.splitext(p)[1].lower() in WEIGHT_EXTENSIONS}
    chosen |= set(files_with_model_content(Path.cwd(), [p for p in regular if p not in chosen]))
    return [p for p in found if p in chosen]


def _is_regular(path: str) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
