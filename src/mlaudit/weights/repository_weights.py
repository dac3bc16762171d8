"""The weight files of the audited repository and its hash cache, shared by every check and command that needs them."""

from __future__ import annotations

from mlaudit.context import AuditContext
from mlaudit.repo_files import clean_blob_ids
from mlaudit.store.hash_cache import ContentDigests, HashCache, cache_file_for, content_cache_file
from mlaudit.weights.discovery import WeightDetector
from mlaudit.weights.options import WeightsOptions


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
