"""The ``serialization`` check: no model file of the repository carries code that runs when it is loaded."""

from __future__ import annotations

from collections import Counter

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.model import Pillar
from mlaudit.serialization.options import SerializationOptions


def model_files(ctx: AuditContext, options: SerializationOptions) -> list[str]:
    """The weight files (shared discovery) plus the files the ``include`` globs name."""
    from mlaudit.serialization.batch import drop_excluded, extra_model_files
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files

    weights = find_weight_files(ctx, ctx.section("weights", WeightsOptions))
    return drop_excluded([*weights, *extra_model_files(ctx.files, options)], options)


class SerializationCheck(Check[SerializationOptions]):
    """Statically scans pickles, PyTorch/Keras/NumPy archives, GGUF, ONNX, SavedModel and safetensors."""

    id = "serialization"
    title = "Unsafe model serialization"
    pillar = Pillar.SECURITY
    options_type = SerializationOptions

    def run(self, ctx: AuditContext, options: SerializationOptions) -> Outcome:
        from mlaudit.serialization.batch import scan_files

        files = model_files(ctx, options)
        if not files:
            raise CheckSkipped("no model files to scan")
        for rel in files:  # the engine checks they are still in this state when the audit ends
            ctx.record_read(rel)
        reports = scan_files(ctx.root, files, options, ctx.cache_dir)
        findings = tuple(f for r in reports for f in r.findings)
        understood = [r for r in reports if r.parsers]
        formats = Counter(p for r in understood for p in r.parsers)
        unscanned = [reason for r in reports for reason in r.unscanned]
        evidence = {
            "files": {r.path: {"parsers": r.parsers, "complete": r.complete} for r in reports},
            "formats": dict(sorted(formats.items())),
            "unscanned": unscanned,
        }
        complete = sum(r.complete for r in reports)
        summary = f"{len(reports)} model file(s) scanned, {complete} completely"
        if formats:
            summary += " (" + ", ".join(f"{k} {v}" for k, v in sorted(formats.items())) + ")"
        # Fail closed: a run in which no parser understood any file is not a clean run.
        incomplete = () if understood else (f"none of the {len(reports)} model file(s) could be scanned",)
        return Outcome(findings=findings, summary=summary, evidence=evidence, incomplete=incomplete)
