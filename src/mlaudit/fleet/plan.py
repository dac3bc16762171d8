"""``mlaudit fleet plan``: the inventory as include-lists for ``strategy.matrix``, in chunks of at most 256 jobs.

GitHub Actions refuses a matrix of more than 256 jobs, so a fleet is split into
the fewest chunks that fit, of even size (600 repositories -> 3 x 200), high
risk first so the repositories that matter most are audited first.
``max-parallel`` bounds the concurrent jobs of one chunk so the fleet does not
take every runner of the account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlaudit.fleet.inventory import TIERS, Inventory, RepositoryEntry

MATRIX_JOB_LIMIT = 256


@dataclass(frozen=True)
class FleetPlan:
    """The chunks (each a matrix include-list) and the parallelism advice."""

    chunks: tuple[tuple[dict[str, str], ...], ...]
    max_parallel: int
    repositories: int

    def to_json(self) -> dict[str, Any]:
        """``{"repositories", "chunk_count", "max_parallel", "chunks": [{"include": [...]}, ...]}``."""
        return {
            "repositories": self.repositories,
            "chunk_count": len(self.chunks),
            "job_limit": MATRIX_JOB_LIMIT,
            "max_parallel": self.max_parallel,
            "guidance": guidance(self),
            "chunks": [{"include": list(chunk)} for chunk in self.chunks],
        }


def matrix_entry(entry: RepositoryEntry) -> dict[str, str]:
    """One matrix row: what the per-repository job needs, all strings (matrix values)."""
    return {
        "repository": entry.name,
        "tier": entry.tier,
        "path": entry.path or ".",
        "config": entry.config,
        "artifact": entry.artifact,
    }


def plan_fleet(inventory: Inventory, *, limit: int = MATRIX_JOB_LIMIT, max_parallel: int | None = None) -> FleetPlan:
    """Split the inventory into the fewest chunks of at most ``limit`` jobs, of even size."""
    if not 1 <= limit <= MATRIX_JOB_LIMIT:
        raise ValueError(f"limit must be between 1 and {MATRIX_JOB_LIMIT}")
    order = {tier: rank for rank, tier in enumerate(TIERS)}
    entries = sorted(inventory.repositories, key=lambda e: (order[e.tier], e.name.lower()))
    rows = [matrix_entry(e) for e in entries]
    count = math.ceil(len(rows) / limit) if rows else 0
    size = math.ceil(len(rows) / count) if count else 0
    chunks = tuple(tuple(rows[i : i + size]) for i in range(0, len(rows), size)) if size else ()
    parallel = max_parallel if max_parallel is not None else inventory.fleet.max_parallel
    return FleetPlan(chunks=chunks, max_parallel=max(1, min(parallel, size or 1)), repositories=len(rows))


def guidance(plan: FleetPlan) -> str:
    """One sentence for the job log: how many chunks, how wide, roughly how long."""
    if not plan.chunks:
        return "the inventory lists no repository: nothing to audit"
    waves = math.ceil(max(len(c) for c in plan.chunks) / plan.max_parallel)
    return (
        f"{plan.repositories} repositories in {len(plan.chunks)} matrix chunk(s) of at most "
        f"{max(len(c) for c in plan.chunks)} jobs (GitHub's limit is {MATRIX_JOB_LIMIT}); "
        f"max-parallel {plan.max_parallel} runs each chunk in about {waves} wave(s) of jobs"
    )
