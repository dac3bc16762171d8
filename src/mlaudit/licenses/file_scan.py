"""Licences found in the repository's files by scancode-toolkit, scanning only what changed.

Each text file is keyed by its Git blob id; a content scanned before (in any
repository, on any branch) is read from the ``ScanCache``. The rest is scanned
with ``scancode.api.get_licenses``: the licence index is loaded once in this
process (~6 s) and, for more than a handful of files, forked worker processes
inherit it (copy-on-write) and scan in parallel. Weight files, binary files and
files over the size limit are never scanned; files with no licence wording (or
only SPDX identifier lines) are decided without the index (``license_clues``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.licenses.blob_ids import blob_ids
from mlaudit.licenses.license_clues import quick_scan
from mlaudit.licenses.scan_cache import CachedScan, ScanCache
from mlaudit.repo_paths import OutsideRepository, contained_file
from mlaudit.weights.discovery import WEIGHT_EXTENSIONS

PARALLEL_FROM = 24
"""Fewer files than this are scanned in this process (forking costs more than it saves)."""
PER_FILE_SECONDS = 30.0
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileLicense:
    """The licence scancode detected in one file."""

    path: str
    expression: str
    start_line: int | None
    license_text_percent: float


@dataclass(frozen=True)
class FileScan:
    """What the scan found and how much it had to do."""

    detections: tuple[FileLicense, ...]
    scanned: tuple[str, ...] = ()
    from_cache: int = 0
    skipped: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0


def scancode_version() -> str:
    """The installed scancode-toolkit version (raises ``ImportError`` when it is not installed)."""
    import scancode_config

    return str(scancode_config.__version__)


def cache_path(cache_dir: Path) -> Path:
    """The scan cache file of this scancode version."""
    return cache_dir / "licenses" / f"scancode-{scancode_version()}.json"


def _scannable(rel: str) -> bool:
    suffix = os.path.splitext(rel)[1].lower()
    return suffix not in WEIGHT_EXTENSIONS


def _is_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return b"\0" in head


def scan_files(
    root: Path,
    paths: Sequence[str],
    cache: ScanCache,
    *,
    workers: int = 0,
    max_bytes: int = 1_000_000,
    progress: Callable[[int, int], None] | None = None,
) -> FileScan:
    """Licences of ``paths`` (POSIX, relative to ``root``); only contents not in ``cache`` are scanned."""
    started = time.perf_counter()
    candidates = [p for p in paths if _scannable(p)]
    ids = blob_ids(root, candidates)
    detections: list[FileLicense] = []
    todo: dict[str, list[str]] = {}
    scanned: list[str] = []
    hits = skipped = 0
    errors: list[str] = []
    for rel in candidates:
        blob = ids.get(rel)
        if blob is None:
            errors.append(f"{rel}: unreadable")
            continue
        cached = cache.get(blob)
        if cached is not None:
            hits += 1
            skipped += cached.binary
            _collect(detections, rel, cached)
            continue
        full = root / rel
        outside = contained_file(root, rel)
        if isinstance(outside, OutsideRepository):
            errors.append(f"{rel}: never opened: {outside.reason}")
            continue
        try:
            if full.is_symlink() or full.stat().st_size > max_bytes or _is_binary(full):
                skipped += 1
                cache.put(blob, CachedScan(None, None, 0.0, binary=True))
                continue
            quick = quick_scan(full.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            errors.append(f"{rel}: {exc.strerror or exc}")
            continue
        if quick is not None:  # no licence wording beyond SPDX lines: no need for the index
            cache.put(blob, quick)
            scanned.append(rel)
            _collect(detections, rel, quick)
            continue
        todo.setdefault(blob, []).append(rel)
    if todo:
        jobs = [(blob, str(root / rels[0])) for blob, rels in todo.items()]
        for (blob, _), (result, error) in zip(jobs, _run(jobs, workers, progress), strict=True):
            rels = todo[blob]
            if error is not None:
                errors.append(f"{rels[0]}: scancode failed: {error}")
                continue
            cache.put(blob, result)
            scanned.extend(rels)
            for rel in rels:
                _collect(detections, rel, result)
    cache.save()
    return FileScan(
        tuple(sorted(detections, key=lambda d: d.path)),
        tuple(sorted(scanned)),
        hits,
        skipped,
        tuple(errors),
        time.perf_counter() - started,
    )


def _collect(out: list[FileLicense], rel: str, scan: CachedScan) -> None:
    if scan.expression:
        out.append(FileLicense(rel, scan.expression, scan.start_line, scan.license_text_percent))


def _run(
    jobs: list[tuple[str, str]], workers: int, progress: Callable[[int, int], None] | None
) -> list[tuple[CachedScan, str | None]]:
    from licensedcode.cache import get_index

    get_index()  # load once here; forked workers inherit it
    locations = [location for _, location in jobs]
    count = workers or (os.cpu_count() or 1)
    results: list[tuple[CachedScan, str | None]] = []
    import multiprocessing

    # Only fork shares the loaded index; where there is no fork (Windows), scan in this process.
    if count > 1 and len(jobs) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            for result in pool.map(scan_one, locations, chunksize=8):
                results.append(result)
                if progress:
                    progress(len(results), len(jobs))
        return results
    for location in locations:
        results.append(scan_one(location))
        if progress:
            progress(len(results), len(jobs))
    return results


def scan_one(location: str) -> tuple[CachedScan, str | None]:
    """scancode's licence detection for one file, reduced to what the audit keeps."""
    from scancode.api import get_licenses

    try:
        found = get_licenses(location, deadline=time.time() + PER_FILE_SECONDS)
    except Exception as exc:  # noqa: BLE001 - scancode raises many types; the file is reported, not the audit
        return CachedScan(None, None, 0.0), f"{type(exc).__name__}: {exc}"
    expression = found.get("detected_license_expression_spdx") or None
    lines = [m.get("start_line") for d in found.get("license_detections", ()) for m in d.get("matches", ())]
    first = min((line for line in lines if isinstance(line, int)), default=None)
    percent = found.get("percentage_of_license_text") or 0.0
    return CachedScan(expression, first, float(percent)), None
