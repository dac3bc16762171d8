"""``mlaudit hash``: list weight digests, check them against the manifest, or update it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.cli.project import open_project
from mlaudit.errors import UsageError
from mlaudit.render.escape import terminal_text

if TYPE_CHECKING:
    from mlaudit.model import Finding
    from mlaudit.weights.manifest import WeightManifest
    from mlaudit.weights.verify import Verification


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit hash``."""
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with the manifest; exit 1 on any difference")
    mode.add_argument("--update", action="store_true", help="rewrite the manifest from the files on disk")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="cache folder (default: $MLAUDIT_CACHE_DIR, else ~/.cache/mlaudit; never inside PATH)")
    parser.add_argument("--no-cache", action="store_true",
                        help="hash every file from its content (always so for --check when CI is set)")


def run(args: argparse.Namespace) -> int:
    """List (default), check (``--check``) or record (``--update``) weight digests."""
    from mlaudit.hook_runtime import print_findings
    from mlaudit.progress import TerminalProgress
    from mlaudit.store.cache_location import running_in_ci
    from mlaudit.weights.hashing import digest_files
    from mlaudit.weights.manifest import WeightManifest
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files, hash_cache_for
    from mlaudit.weights.verify import load_manifest, verify_weights

    ctx = open_project(args).audit_context(args)
    options = ctx.section("weights", WeightsOptions)
    weights = find_weight_files(ctx, options)
    # A cache entry is an optimisation, never evidence: a check that gates CI re-reads every byte.
    recompute = args.no_cache or (args.check and running_in_ci())
    cache = None if recompute else hash_cache_for(ctx)
    progress = TerminalProgress()
    try:
        if not (args.check or args.update):
            hashed = digest_files(ctx.root, weights, cache=cache, workers=options.workers, progress=progress)
            progress.close()
            for rel in weights:
                if rel in hashed.digests:
                    print(f"{hashed.digests[rel].digest}  {terminal_text(rel)}")
            for problem in hashed.problems.values():
                print(f"mlaudit: {terminal_text(problem.path)}: {terminal_text(problem.message)}", file=sys.stderr)
            return 1 if hashed.problems else 0

        manifest, invalid = load_manifest(ctx.root, options.manifest)
        if invalid is not None and args.check:
            print_findings([invalid])
            return 1
        if invalid is not None:
            raise UsageError(manifest_unusable(invalid))
        base = manifest or WeightManifest(entries={})
        result = verify_weights(ctx.root, weights, base, options.manifest, cache=cache,
                                workers=options.workers, progress=progress)
        progress.close()
        if args.check:
            if manifest is None:
                print(f"{options.manifest}: no manifest (run `mlaudit hash --update`)")
                return 1
            print_findings(result.findings)
            return 1 if result.findings else 0
        return _update(ctx.root, options.manifest, manifest, result)
    finally:
        progress.close()


def manifest_unusable(invalid: Finding) -> str:
    """The exit-2 message when the manifest exists but cannot be updated: nothing is written."""
    where = f"{invalid.path}:{invalid.line}" if invalid.line else str(invalid.path)
    return (f"{terminal_text(where)}: {terminal_text(invalid.message)}; nothing was written "
            "(the recorded digests are the evidence: fix the file, then run again)")


def _update(root: Path, manifest_name: str, manifest: WeightManifest | None, result: Verification) -> int:
    from mlaudit.hook_runtime import print_findings
    from mlaudit.weights.manifest import ManifestError
    from mlaudit.weights.verify import record_weights

    unusable = [f for f in result.findings
                if f.rule in ("weights.unreadable", "weights.symlink-outside", "weights.path-outside")]
    try:
        changes = record_weights(root, manifest_name, result.hashed, drop=result.missing)
    except ManifestError as exc:
        raise UsageError(f"{terminal_text(manifest_name)}: {terminal_text(str(exc))}; nothing was written") from None
    for name in changes.added:
        print(f"added    {terminal_text(name)}")
    for name in changes.changed:
        print(f"changed  {terminal_text(name)}")
    for name in changes.removed:
        print(f"removed  {terminal_text(name)}")
    n = (len(manifest.entries) if manifest else 0) + len(changes.added) - len(changes.removed)
    if changes or manifest is None:
        print(f"Fixing {manifest_name}: {n} weight file(s) recorded")
    else:
        print(f"{manifest_name} is up to date ({n} weight file(s))")
    if unusable:
        print_findings(unusable)
        return 1
    return 0
