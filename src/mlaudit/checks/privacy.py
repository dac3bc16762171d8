"""The ``privacy`` check: the data-source map (source × regime × status) and personal data in sample files."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.governance.data_register import REGISTER_FILE, DataSource, read_register
from mlaudit.governance.pii_findings import unscanned_findings
from mlaudit.governance.privacy_options import PrivacyOptions
from mlaudit.model import Finding, Pillar, Severity


class PrivacyCheck(Check[PrivacyOptions]):
    """Maps declared data sources to GDPR/CCPA obligations and scans sample data for personal data."""

    id = "privacy"
    title = "Privacy and data sources"
    pillar = Pillar.COMPLIANCE
    options_type = PrivacyOptions

    def run(self, ctx: AuditContext, options: PrivacyOptions) -> Outcome:
        from mlaudit.formats.model_card import ModelCard, find_model_card, read_model_card
        from mlaudit.governance.privacy_map import map_source, unregistered_datasets

        register = read_register(ctx, options)
        findings: list[Finding] = [
            Finding(
                rule="privacy.register-invalid",
                severity=Severity.MEDIUM,
                path=p.file,
                key=p.key,
                message=f"{p.file}: '{p.key}' {p.message}",
                remediation=f"{p.file}: fix '{p.key}'",
            )
            for p in register.problems
        ]
        rows: list[dict[str, Any]] = []
        for source in register.sources:
            source_rows, gaps = map_source(source)
            rows.extend(source_rows)
            findings.extend(gaps)
        card_path = find_model_card(ctx.root)
        datasets: tuple[str, ...] = ()
        if card_path is not None:
            rel = card_path.relative_to(ctx.root).as_posix()
            ctx.record_read(rel)
            card = read_model_card(card_path, rel)
            if isinstance(card, ModelCard):
                datasets = card.datasets
                findings.extend(unregistered_datasets(rel, datasets, register.sources))
        evidence: dict[str, Any] = {
            "register_files": register.files,
            "map": rows,
            "model_card_datasets": list(datasets),
        }
        if options.scan:
            scan_found, evidence["scan"] = _scan(ctx, options, register.sources)
            findings.extend(scan_found)
        scanned = evidence["scan"]["files"] + len(evidence["scan"]["skipped"]) if options.scan else 0
        if not register.files and not datasets and not scanned and not findings:
            raise CheckSkipped(
                "nothing to map or scan: no data-source register ([[tool.mlaudit.data_sources]] or "
                f"{REGISTER_FILE}), no datasets in the model card and no sample data files"
            )
        where = ", ".join(register.files) or "no register"
        gap_count = sum(1 for r in rows if r["status"] == "gap")
        summary = f"{len(register.sources)} data source(s) ({where}), {gap_count} gap(s) in the map"
        if options.scan:
            summary += f"; {evidence['scan']['files']} sample file(s) scanned"
        return Outcome(findings=tuple(findings), summary=summary, evidence=evidence)


def _scan(
    ctx: AuditContext, options: PrivacyOptions, sources: Sequence[DataSource]
) -> tuple[list[Finding], dict[str, Any]]:
    from mlaudit.governance.data_register import REGISTER_FILE
    from mlaudit.governance.pii_detectors import TextDetector
    from mlaudit.governance.pii_findings import scan_findings
    from mlaudit.governance.pii_scan import scan_file, select_sample_files

    detector = TextDetector(options.kinds, options.phone_region)
    files = [
        p for p in select_sample_files(ctx.files, options.include, options.exclude) if Path(p).name != REGISTER_FILE
    ]
    started = time.perf_counter()
    scans = []
    for rel in files:
        ctx.record_read(rel)
        scans.append(scan_file(ctx.root, rel, detector, max_bytes=int(options.max_file_mb * 1e6)))
    findings = scan_findings(scans, sources)
    skipped = {s.path: s.skipped for s in scans if s.skipped}
    findings.extend(unscanned_findings(scans))
    evidence = {
        "files": len(scans) - len(skipped),
        "records": sum(s.records for s in scans),
        "skipped": skipped,
        "incomplete": {s.path: s.incomplete for s in scans if s.incomplete},
        "seconds": round(time.perf_counter() - started, 3),
        "detectors": [k for k in options.kinds if k != "secret" or detector.secrets],
        "secrets": "detect-secrets" if detector.secrets else "not scanned: detect-secrets is not installed",
    }
    return findings, evidence
