"""The ``licenses`` check: every component's licence, judged against the project's licence and intent.

Components: the project, its dependencies (installed metadata and/or the
requirements as pip resolves them), the model, its base models and datasets
(model card), and the repository's files (scancode-toolkit, only contents not
scanned before). Every component appears in the evidence with its verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.licenses.options import LicensesOptions
from mlaudit.model import Pillar

if TYPE_CHECKING:
    from mlaudit.licenses.file_scan import FileScan
    from mlaudit.licenses.scan_cache import ScanCache


def _has_weights(ctx: AuditContext) -> bool:
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files

    return bool(find_weight_files(ctx, ctx.section("weights", WeightsOptions)))


class LicensesCheck(Check[LicensesOptions]):
    """Licence facts normalised to SPDX, with a verdict and its reason per component."""

    id = "licenses"
    title = "Licence compliance"
    pillar = Pillar.COMPLIANCE
    options_type = LicensesOptions
    runs_apart = True  # scancode's index load and matching: seconds of CPU the other checks need not wait for

    def run(self, ctx: AuditContext, options: LicensesOptions) -> Outcome:
        from mlaudit.licenses.assessment import audit_licenses

        incomplete: list[str] = []
        scanner: Callable[[Sequence[str]], FileScan] | None = None
        cache = _scan_cache(ctx, incomplete) if options.scan_files else None
        if cache is not None:
            scanner = _file_scanner(ctx, options, cache)
        for rel in _declaring_files(ctx, options):
            ctx.record_read(rel)  # before reading: a file changed after it was judged is named by the engine
        result = audit_licenses(
            ctx.root,
            ctx.files,
            options,
            offline=ctx.offline,
            cache_dir=ctx.cache_dir,
            scan=scanner is not None,
            resolve=True,
            has_weights=_has_weights(ctx),
            scan_files=scanner,
            match_text=_text_matcher(cache) if cache is not None else None,
            on_read=ctx.record_read,
            site_packages_anywhere=_config_outside(ctx),
        )
        if cache is not None:
            cache.save()
        rows = [j.to_evidence() for j in result.judged]
        verdicts: dict[str, int] = {}
        for row in rows:
            verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
        evidence: dict[str, Any] = {
            "project_license": result.project_license,
            "intent": {
                "commercial": options.commercial,
                "distribute": options.distribute,
                "distribute_weights": options.distribute_weights,
                "linking": options.linking,
            },
            "verdicts": verdicts,
            "components": rows,
            **result.facts,
        }
        counted = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())) or "no components"
        summary = f"{len(rows)} component(s) under {result.project_license or 'an undeclared licence'}: {counted}"
        return Outcome(
            findings=result.findings,
            summary=summary,
            evidence=evidence,
            incomplete=(*incomplete, *result.incomplete),
        )


def _declaring_files(ctx: AuditContext, options: LicensesOptions) -> list[str]:
    """The files that declare licences without a scan: pyproject.toml, licence files, the model card,
    the requirement files (their includes are recorded as they are followed)."""
    from mlaudit.formats.model_card import CARD_FILE_NAMES
    from mlaudit.globs import compile_globs
    from mlaudit.licenses.project_facts import is_license_file

    requirement = compile_globs(options.requirements)
    declaring = {"pyproject.toml", *CARD_FILE_NAMES}
    return [rel for rel in ctx.files if rel in declaring or is_license_file(rel) or requirement(rel)]


def _text_matcher(cache: ScanCache) -> Callable[[str], str | None]:
    from mlaudit.licenses.text_match import cached_text_matcher

    return cached_text_matcher(cache)


def _config_outside(ctx: AuditContext) -> bool:
    """True when the configuration is a file outside the audited tree (the user's, not the repository's)."""
    path = ctx.config.path
    return path is not None and not path.resolve().is_relative_to(ctx.root.resolve())


def _scan_cache(ctx: AuditContext, incomplete: list[str]) -> ScanCache | None:
    try:
        from mlaudit.licenses.file_scan import cache_path
        from mlaudit.licenses.scan_cache import ScanCache

        return ScanCache(cache_path(ctx.cache_dir))
    except ImportError:
        incomplete.append("files not scanned: scancode-toolkit is not installed (pip install 'mlaudit[full]')")
        return None


def _file_scanner(ctx: AuditContext, options: LicensesOptions, cache: ScanCache) -> Callable[[Sequence[str]], FileScan]:
    from mlaudit.licenses.file_scan import scan_files

    def scan(files: Sequence[str]) -> FileScan:
        for rel in files:
            ctx.record_read(rel)  # every file whose licence is judged, recorded before scancode reads it
        return scan_files(ctx.root, files, cache, workers=options.scan_workers, max_bytes=options.max_file_bytes)

    return scan
