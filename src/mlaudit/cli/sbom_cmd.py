"""``mlaudit sbom``: write the CycloneDX 1.6 SBOM (dependencies and the model) of a repository."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlaudit.cli.project import open_project


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit sbom``."""
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--output", "-o", type=Path, help="write the SBOM here instead of stdout")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")


def run(args: argparse.Namespace) -> int:
    """Build, validate and write the SBOM; 0 on success."""
    from mlaudit.sbom import build_sbom

    ctx = open_project(args).audit_context(args)
    text, facts = build_sbom(ctx)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"mlaudit: CycloneDX 1.6 SBOM written to {args.output} ({facts.dependencies} dependencies, "
              f"{facts.weight_files} weight file(s), {facts.datasets} dataset(s))", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
