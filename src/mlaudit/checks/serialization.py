"""The ``serialization`` check: no model file of the repository carries code that runs when it is loaded."""

from __future__ import annotations

from collections import Counter

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.model import Finding, Pillar, Severity
from mlaudit.serialization.options import SerializationOptions


def model_files(ctx: AuditContext, options: SerializationOptions) -> list[str]:
    """The weight files (shared discovery), the files the ``include`` globs name, and every file whose
    content is a model, pickle or archive format whatever its name."""
    return _discover(ctx, options)[0]


def _discover(ctx: AuditContext, options: SerializationOptions) -> tuple[list[str], set[str], list[Finding]]:
    from mlaudit.serialization.batch import drop_excluded, extra_model_files
    from mlaudit.serialization.discovery import files_with_model_content
    from mlaudit.serialization.submodules import submodules
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files

    named = {*find_weight_files(ctx, ctx.section("weights", WeightsOptions)), *extra_model_files(ctx.files, options)}
    candidates = list(ctx.files)
    missing: list[Finding] = []
    for sub in submodules(ctx.root):
        if sub.checked_out:
            candidates.extend(p for p in sub.files if not ctx.is_excluded(p))
        else:
            missing.append(_not_audited(sub.path))
    by_content = set(files_with_model_content(ctx.root, [p for p in candidates if p not in named]))
    files = drop_excluded([*named, *by_content], options)
    return files, by_content, missing


def _not_audited(path: str) -> Finding:
    from mlaudit.serialization.file_report import REMEDIATIONS

    return Finding(rule="serialization.submodule-not-audited", severity=Severity.MEDIUM,
                   message="git submodule is not checked out: its files (models included) were not audited",
                   path=path, remediation=REMEDIATIONS["submodule-not-audited"], key=f"submodule|{path}")


class SerializationCheck(Check[SerializationOptions]):
    """Statically scans pickles, PyTorch/Keras/NumPy archives, GGUF, ONNX, SavedModel and safetensors."""

    id = "serialization"
    title = "Unsafe model serialization"
    pillar = Pillar.SECURITY
    options_type = SerializationOptions

    def run(self, ctx: AuditContext, options: SerializationOptions) -> Outcome:
        from mlaudit.serialization.batch import scan_files

        files, by_content, missing = _discover(ctx, options)
        if not files and not missing:
            raise CheckSkipped("no model files to scan")
        for rel in files:  # the engine checks they are still in this state when the audit ends
            ctx.record_read(rel)
        reports = scan_files(ctx.root, files, options, ctx.cache_dir, by_content=by_content)
        findings = (*missing, *(f for r in reports for f in r.findings))
        decided = [r for r in reports if r.decided or r.parsers]
        formats = Counter(p for r in reports for p in r.parsers)
        unscanned = [reason for r in reports for reason in r.unscanned]
        evidence = {
            "files": {r.path: {"parsers": r.parsers, "complete": r.complete} for r in reports},
            "formats": dict(sorted(formats.items())),
            "unscanned": unscanned,
            "submodules_not_audited": [f.path for f in missing],
        }
        complete = sum(r.complete for r in reports)
        summary = f"{len(reports)} model file(s) scanned, {complete} completely"
        if formats:
            summary += " (" + ", ".join(f"{k} {v}" for k, v in sorted(formats.items())) + ")"
        # Fail closed: a run in which no parser reached a verdict on any file is not a clean run.
        incomplete = () if decided or not reports else (f"none of the {len(reports)} model file(s) could be scanned",)
        return Outcome(findings=findings, summary=summary, evidence=evidence, incomplete=incomplete)
