"""The ``pins`` check: every input to the model's environment is pinned (file and line per finding)."""

from __future__ import annotations

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.model import Pillar
from mlaudit.pins.rules import PinRules, PinsOptions


class PinsCheck(Check[PinsOptions]):
    """Requirements, pyproject, conda, workflows, Dockerfiles and Hugging Face downloads are pinned."""

    id = "pins"
    title = "Pinned dependencies"
    pillar = Pillar.COMPLIANCE
    options_type = PinsOptions

    def run(self, ctx: AuditContext, options: PinsOptions) -> Outcome:
        from mlaudit.pins.sources import PinsScanner

        scan = PinsScanner(ctx.root, PinRules(options), on_read=ctx.record_read).scan(ctx.files)
        if not scan.sources:
            raise CheckSkipped("no dependency sources (requirements, pyproject, workflows, Dockerfiles, "
                               "conda environments, Python code) found")
        counts = {kind: len(paths) for kind, paths in sorted(scan.sources.items())}
        evidence = {
            # Python files are many and only read for Hugging Face calls: counted, not listed.
            "sources": {kind: sorted(paths) for kind, paths in sorted(scan.sources.items()) if kind != "python"},
            "python_files_scanned": len(scan.sources.get("python", [])),
            "lock_files": sorted(set(scan.locks)),
            "exact_pins": len(scan.pinned),
        }
        described = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        summary = f"{len(scan.findings)} unpinned input(s) in {described} file(s)"
        return Outcome(findings=tuple(scan.findings), summary=summary, evidence=evidence,
                       incomplete=tuple(scan.incomplete))
