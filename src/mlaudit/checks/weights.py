"""The ``weights`` check: every weight file is recorded in the manifest with its SHA-256."""

from __future__ import annotations

from dataclasses import dataclass

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckSkipped
from mlaudit.model import Finding, Pillar, Severity
from mlaudit.repo_files import clean_blob_ids
from mlaudit.store.hash_cache import ContentDigests, HashCache, cache_file_for, content_cache_file
from mlaudit.weights.discovery import WeightDetector


@dataclass(frozen=True)
class WeightsOptions:
    """``[tool.mlaudit.weights]``."""

    manifest: str = "weights.lock.json"
    """Path of the manifest, relative to the repository root."""
    include: tuple[str, ...] = ()
    """Extra globs of weight files (beyond the known extensions and magic bytes)."""
    exclude: tuple[str, ...] = ()
    """Globs of files never treated as weights."""
    detect_by_content: bool = True
    """Also recognise weight files by magic bytes, whatever their extension."""
    workers: int = 0
    """Hashing threads; 0 means one per core."""


def format_size(n: int) -> str:
    """Bytes for people: 512 B, 1.5 KiB, 3.2 GiB."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def find_weight_files(ctx: AuditContext, options: WeightsOptions) -> tuple[str, ...]:
    """The repository's weight files (shared by checks through the context's memo)."""
    def compute() -> tuple[str, ...]:
        detector = WeightDetector(options.include, options.exclude, by_content=options.detect_by_content)
        candidates = (p for p in ctx.files if p != options.manifest)
        return tuple(detector.select(ctx.root, candidates))

    return ctx.memo("weight-files", compute)


def hash_cache_for(ctx: AuditContext) -> HashCache:
    """The stat cache of this repository, backed by the content cache shared by all repositories."""
    return HashCache(
        cache_file_for(ctx.cache_dir, ctx.root),
        content=ContentDigests(content_cache_file(ctx.cache_dir)),
        blob_ids=lambda: clean_blob_ids(ctx.root),
    )


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
