"""``mlaudit-unsafe-models``: staged model files must not carry code that runs when they are loaded.

Scans the staged weight files, the files the ``include`` globs of
``[tool.mlaudit.serialization]`` name, and every staged file whose content is a
model, pickle or archive format whatever its name, without loading them: pickle imports
judged by the allow/deny policy, PyTorch/Keras/NumPy archives, GGUF chat
templates, ONNX external data, SavedModel ops, safetensors headers. Prints one
line per finding and fails the commit when one is medium or worse.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mlaudit.cli.main import handle_errors


def scan_staged_models(filenames: Sequence[str]) -> int:
    """Scan the given files; return the hook's exit code (1 when anything was found)."""
    from mlaudit.config import load_config
    from mlaudit.context import AuditContext
    from mlaudit.hook_runtime import print_findings, relative_paths, repo_root, with_notes_printed
    from mlaudit.model import Severity
    from mlaudit.serialization.batch import drop_excluded, extra_model_files, scan_files
    from mlaudit.serialization.discovery import files_with_model_content
    from mlaudit.serialization.options import SerializationOptions
    from mlaudit.weights.discovery import WeightDetector
    from mlaudit.weights.options import WeightsOptions

    root = repo_root()
    ctx = with_notes_printed(AuditContext(root, load_config(root)))
    options = ctx.section("serialization", SerializationOptions)
    weights = ctx.section("weights", WeightsOptions)
    detector = WeightDetector(weights.include, weights.exclude, by_content=weights.detect_by_content)
    staged = [p for p in relative_paths(root, filenames) if not ctx.is_excluded(p)]
    named = {*detector.select(root, staged), *extra_model_files(staged, options)}
    by_content = set(files_with_model_content(root, [p for p in staged if p not in named]))
    files = drop_excluded([*named, *by_content], options)
    if not files:
        return 0
    reports = scan_files(root, files, options, ctx.cache_dir, by_content=by_content)
    findings = [f for r in reports for f in r.findings]
    print_findings(findings)
    # Low findings (content no loader reads, "not a model") are shown but never block a commit.
    return 1 if any(f.severity.at_least(Severity.MEDIUM) for f in findings) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Hook entry point."""
    parser = argparse.ArgumentParser(prog="mlaudit-unsafe-models", description=__doc__)
    parser.add_argument("filenames", nargs="*", help="staged files (pre-commit passes them)")
    args = parser.parse_args(argv)
    return handle_errors(lambda: scan_staged_models(args.filenames))


if __name__ == "__main__":
    raise SystemExit(main())
