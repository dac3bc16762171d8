"""scancode-toolkit's licence detection, run on a list of texts with its index loaded once.

A job is a whole file or a source file's licence regions (written to a private
file named like the source, so scancode treats it the same way). The index is
loaded in this process; for more than a handful of jobs, forked workers on every
core inherit it and match in parallel. Only this module imports scancode.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.licenses.scan_cache import CachedScan

PARALLEL_FROM = 24
"""Fewer files than this are scanned in this process (forking costs more than it saves)."""
PER_FILE_SECONDS = 30.0
_EXACT_MATCHERS = frozenset({"1-hash", "1-spdx-id", "2-aho"})
"""scancode's matchers that find a whole rule verbatim; the others are approximate."""


@dataclass(frozen=True)
class ScancodeJob:
    """One text for scancode: a whole file (``location``) or a file's licence regions (``text``)."""

    key: str
    location: str
    text: str | None = None
    suffix: str = ""


def worker_count(workers: int) -> int:
    """``workers``, or every core this process may use."""
    if workers > 0:
        return workers
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load_index() -> None:
    """Load scancode's licence index into this process, once.

    The index is a large graph of objects: unpickled with the cycle collector on,
    it is traversed again and again while it loads (over twice the time); frozen
    afterwards, later collections skip it, and forked workers do not write to
    its pages (copy-on-write stays shared).
    """
    import gc

    from licensedcode.cache import get_index

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        get_index()
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def run_jobs(
    jobs: list[ScancodeJob], workers: int, progress: Callable[[int, int], None] | None
) -> list[tuple[CachedScan, str | None]]:
    import multiprocessing

    load_index()  # once here; forked workers inherit it
    count = min(worker_count(workers), len(jobs))
    results: list[tuple[CachedScan, str | None]] = []
    # Only fork shares the loaded index; where there is no fork (Windows), scan in this process.
    if count > 1 and len(jobs) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        chunk = max(1, min(8, len(jobs) // (count * 4)))
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            for result in pool.map(scan_job, jobs, chunksize=chunk):
                results.append(result)
                if progress:
                    progress(len(results), len(jobs))
        return results
    for job in jobs:
        results.append(scan_job(job))
        if progress:
            progress(len(results), len(jobs))
    return results


def scan_job(job: ScancodeJob) -> tuple[CachedScan, str | None]:
    """scancode's answer for one job; regions are written to a private file named like the source.

    A regions answer decides only when every match in it is exact (the whole
    rule, matched by hash, SPDX id or Aho-Corasick): those do not depend on the
    text around them. An approximate match could come out differently with the
    file's code around it, so the answer then asks for the whole file.
    """
    if job.text is None:
        return scan_one(job.location)
    with tempfile.TemporaryDirectory(prefix="mlaudit-regions-") as folder:
        path = Path(folder) / f"regions{job.suffix}"
        path.write_text(job.text, encoding="utf-8", errors="surrogatepass")
        found, error = _get_licenses(str(path))
    if found is None:
        return CachedScan(None, None, 0.0), error
    scan = _reduce(found)
    if not _all_exact(found):
        scan = CachedScan(scan.expression, scan.start_line, scan.license_text_percent, needs_whole_file=True)
    return scan, None


def scan_one(location: str) -> tuple[CachedScan, str | None]:
    """scancode's licence detection for one whole file, reduced to what the audit keeps."""
    found, error = _get_licenses(location)
    if found is None:
        return CachedScan(None, None, 0.0), error
    return _reduce(found), None


def _get_licenses(location: str) -> tuple[dict[str, Any] | None, str | None]:
    from scancode.api import get_licenses

    try:
        return dict(get_licenses(location, deadline=time.time() + PER_FILE_SECONDS)), None
    except Exception as exc:  # noqa: BLE001 - scancode raises many types; the file is reported, not the audit
        return None, f"{type(exc).__name__}: {exc}"


def _matches(found: dict[str, Any]) -> list[dict[str, Any]]:
    detected = [m for d in found.get("license_detections", ()) for m in d.get("matches", ())]
    return [*detected, *found.get("license_clues", ())]


def _all_exact(found: dict[str, Any]) -> bool:
    return all(
        m.get("matcher") in _EXACT_MATCHERS and float(m.get("match_coverage") or 0.0) >= 100.0
        for m in _matches(found)
    )


def _reduce(found: dict[str, Any]) -> CachedScan:
    expression = found.get("detected_license_expression_spdx") or None
    lines = [m.get("start_line") for d in found.get("license_detections", ()) for m in d.get("matches", ())]
    first = min((line for line in lines if isinstance(line, int)), default=None)
    percent = found.get("percentage_of_license_text") or 0.0
    return CachedScan(expression, first, float(percent))
