"""``mlaudit-weight-hashes``: staged weight files must match ``weights.lock.json``.

Fails the commit when a staged weight file is unrecorded or differs from its
recorded digest, or a recorded file is gone. ``--fix`` records them and says
``Fixing <manifest>`` (the commit still stops so the manifest can be staged).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlaudit.cli.hash_cmd import manifest_unusable
from mlaudit.cli.main import handle_errors
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.errors import UsageError
from mlaudit.hook_runtime import print_findings, relative_paths, repo_root, with_notes_printed
from mlaudit.render.escape import terminal_text
from mlaudit.weights.discovery import WeightDetector
from mlaudit.weights.manifest import ManifestError, WeightManifest
from mlaudit.weights.options import WeightsOptions
from mlaudit.weights.repository_weights import hash_cache_for
from mlaudit.weights.verify import load_manifest, record_weights, verify_weights


def check_staged_weights(filenames: Sequence[str], *, fix: bool) -> int:
    """Verify (or with ``fix`` record) the given files; return the hook's exit code."""
    root = repo_root()
    ctx = with_notes_printed(AuditContext(root, load_config(root)))
    options = ctx.section("weights", WeightsOptions)
    detector = WeightDetector(options.include, options.exclude, by_content=options.detect_by_content)
    rel = [p for p in relative_paths(root, filenames) if p != options.manifest and not ctx.is_excluded(p)]
    weights = detector.select(root, rel)
    manifest, invalid = load_manifest(root, options.manifest)
    if invalid is not None and fix:
        raise UsageError(manifest_unusable(invalid))
    if invalid is not None:
        print_findings([invalid])
        return 1
    if manifest is None and not weights:
        return 0
    result = verify_weights(
        root, weights, manifest or WeightManifest(entries={}), options.manifest,
        recorded="exists", cache=hash_cache_for(ctx), workers=options.workers,
    )
    if not fix:
        return 1 if print_findings(result.findings) else 0
    fixable = {"weights.unrecorded", "weights.mismatch", "weights.missing"}
    unfixable = [f for f in result.findings if f.rule not in fixable]
    if manifest is None or any(f.rule in fixable for f in result.findings):
        try:
            changes = record_weights(root, options.manifest, result.hashed, drop=result.missing)
        except ManifestError as exc:
            message = f"{terminal_text(options.manifest)}: {terminal_text(str(exc))}; nothing was written"
            raise UsageError(message) from None
        for name in (*changes.added, *changes.changed, *changes.removed):
            print(f"Fixing {terminal_text(options.manifest)}: {terminal_text(name)}")
    else:
        changes = None
    print_findings(unfixable)
    return 1 if (changes or unfixable) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Hook entry point."""
    parser = argparse.ArgumentParser(prog="mlaudit-weight-hashes", description=__doc__)
    parser.add_argument("filenames", nargs="*", help="staged files (pre-commit passes them)")
    parser.add_argument("--fix", action="store_true", help="record the files in the manifest")
    args = parser.parse_args(argv)
    return handle_errors(lambda: check_staged_weights(args.filenames, fix=args.fix))


if __name__ == "__main__":
    raise SystemExit(main())
