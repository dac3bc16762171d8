"""The ``weights`` check: every weight file is recorded in the manifest with its SHA-256."""

from __future__ import annotations

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.model import Finding, Pillar, Severity
from mlaudit.weights.options import WeightsOptions
from mlaudit.weights.repository_weights import find_weight_files, hash_cache_for


def format_size(n: int) -> str:
    """Bytes for people: 512 B, 1.5 KiB, 3.2 GiB."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


class WeightsCheck(Check[WeightsOptions]):
    """Compares weight files on disk with ``weights.lock.json``."""

    id = "weights"
    title = "Weight integrity"
    pillar = Pillar.SECURITY
    options_type = WeightsOptions

    def run(self, ctx: AuditContext, options: WeightsOptions) -> Outcome:
        from mlaudit.weights.verify import UPDATE_HINT, load_manifest, verify_weights

        weights = find_weight_files(ctx, options)
        for rel in (options.manifest, *weights):  # what is hashed here is what later checks must see
            ctx.record_read(rel)
        manifest, problem = load_manifest(ctx.root, options.manifest)
        if problem is not None:
            return Outcome(findings=(problem,), summary="weight manifest unusable",
                           evidence={"weight_files": list(weights)})
        if manifest is None:
            if not weights:
                raise CheckSkipped("no weight files and no manifest: nothing to verify")
            finding = Finding(
                rule="weights.no-manifest",
                severity=Severity.HIGH,
                path=options.manifest,
                message=f"{len(weights)} weight file(s) but no manifest {options.manifest}",
                remediation=UPDATE_HINT.format(manifest=options.manifest),
            )
            return Outcome(findings=(finding,), summary="no weight manifest",
                           evidence={"weight_files": list(weights)})
        cache = hash_cache_for(ctx)
        result = verify_weights(ctx.root, weights, manifest, options.manifest,
                                cache=cache, workers=options.workers)
        digests = result.hashed.digests
        sources = [d.source for d in digests.values()]
        evidence = {
            "manifest": options.manifest,
            "root_digest": manifest.root_digest,
            "files": {rel: {"size": d.size, "sha256": d.digest} for rel, d in sorted(digests.items())},
            "hashed": sources.count("hashed"),
            "from_cache": sources.count("cache"),
            "lfs_pointers": sources.count("lfs-pointer"),
            "bytes_hashed": result.hashed.bytes_hashed,
            "cache_rebuilt": cache.rebuilt,
        }
        total = sum(d.size for d in digests.values())
        summary = f"{len(digests)} weight file(s), {format_size(total)} verified against {options.manifest}"
        return Outcome(findings=result.findings, summary=summary, evidence=evidence)
