"""Licences found in the repository's files by scancode-toolkit, doing only the work needed.

Three layers, cheapest first:

1. each file is keyed by its Git blob id: a content scanned before (in any
   repository, on any branch) is read from the ``ScanCache``;
2. a file with no licence wording, or only SPDX identifier lines, is decided
   without scancode (``license_clues``);
3. in a source file only the comment and docstring blocks with licence wording
   go to scancode (``source_regions``), keyed by the digest of that text, so
   hundreds of files sharing one header cost one match; licence texts, notices,
   model cards, other documents and source files whose regions are ambiguous go
   whole.

scancode's index is loaded once in this process (~5 s), and only when some text
is still unknown; for more than a handful of texts, forked workers on every core
inherit it (copy-on-write) and match in parallel. Weight files, binary files,
symlinks and files over the size limit are never scanned.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlaudit.licenses.blob_ids import blob_ids
from mlaudit.licenses.license_clues import quick_scan
from mlaudit.licenses.project_facts import is_license_file
from mlaudit.licenses.scan_cache import CachedScan, ScanCache, text_key
from mlaudit.licenses.source_regions import Regions, has_comment_syntax, licence_regions
from mlaudit.weights.discovery import WEIGHT_EXTENSIONS

PARALLEL_FROM = 24
"""Fewer files than this are scanned in this process (forking costs more than it saves)."""
PER_FILE_SECONDS = 30.0
_EXACT_MATCHERS = frozenset({"1-hash", "1-spdx-id", "2-aho"})
"""scancode's matchers that find a whole rule verbatim; the others are approximate."""
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


@dataclass(frozen=True)
class _Job:
    """One text for scancode: a whole file (``location``) or a file's licence regions (``text``)."""

    key: str
    location: str
    text: str | None = None
    suffix: str = ""


@dataclass(frozen=True)
class _Waiting:
    """A file whose answer is the answer of job ``key``, mapped back through its regions."""

    rel: str
    blob: str
    key: str
    regions: Regions | None
    text_share: float


@dataclass
class _Tally:
    detections: list[FileLicense] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hits: int = 0
    skipped: int = 0


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
    tally = _Tally()
    jobs: dict[str, _Job] = {}
    waiting: list[_Waiting] = []
    for rel in candidates:
        blob = ids.get(rel)
        if blob is None:
            tally.errors.append(f"{rel}: unreadable")
            continue
        planned = _plan(root, rel, blob, cache, tally, max_bytes)
        if planned is None:
            continue
        wait, job = planned
        waiting.append(wait)
        if job is not None:
            jobs.setdefault(job.key, job)
    answers = _answers(list(jobs.values()), workers, progress, cache, tally)
    # Regions scancode matched only approximately do not decide: their files are scanned whole.
    whole: dict[str, _Job] = {}
    for index, wait in enumerate(waiting):
        answer = answers.get(wait.key) or cache.get(wait.key)
        if wait.regions is not None and answer is not None and answer.needs_whole_file:
            waiting[index] = _Waiting(wait.rel, wait.blob, wait.blob, None, 1.0)
            whole.setdefault(wait.blob, _Job(wait.blob, str(root / wait.rel)))
    answers.update(_answers(list(whole.values()), workers, progress, cache, tally))
    for wait in waiting:
        answer = answers.get(wait.key) or cache.get(wait.key)
        if answer is None:
            continue  # its job failed: reported once in the errors
        result = _in_file(answer, wait)
        cache.put(wait.blob, result)
        tally.scanned.append(wait.rel)
        _collect(tally.detections, wait.rel, result)
    cache.save()
    return FileScan(
        tuple(sorted(tally.detections, key=lambda d: d.path)),
        tuple(sorted(tally.scanned)),
        tally.hits,
        tally.skipped,
        tuple(tally.errors),
        time.perf_counter() - started,
    )


def _plan(
    root: Path, rel: str, blob: str, cache: ScanCache, tally: _Tally, max_bytes: int
) -> tuple[_Waiting, _Job | None] | None:
    """Decide ``rel`` from the cache or without scancode, else say which text scancode must match."""
    cached = cache.get(blob)
    if cached is not None:
        tally.hits += 1
        tally.skipped += cached.binary
        _collect(tally.detections, rel, cached)
        return None
    full = root / rel
    try:
        if full.is_symlink() or not full.is_file() or full.stat().st_size > max_bytes or _is_binary(full):
            tally.skipped += 1
            cache.put(blob, CachedScan(None, None, 0.0, binary=True))
            return None
        text = full.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        tally.errors.append(f"{rel}: {exc.strerror or exc}")
        return None
    quick = quick_scan(text)
    if quick is not None:  # no licence wording beyond SPDX lines: no need for the index
        cache.put(blob, quick)
        tally.scanned.append(rel)
        _collect(tally.detections, rel, quick)
        return None
    regions = None if goes_whole(rel) else licence_regions(rel, text)
    if regions is None:
        return _Waiting(rel, blob, blob, None, 1.0), _Job(blob, str(full))
    suffix = os.path.splitext(rel)[1].lower()
    key = text_key(f"regions{suffix}", regions.text)
    share = min(1.0, len(regions.text.split()) / max(len(text.split()), 1))
    known = cache.get(key)
    if known is not None and known.needs_whole_file:
        return _Waiting(rel, blob, blob, None, 1.0), _Job(blob, str(full))
    wait = _Waiting(rel, blob, key, regions, share)
    return wait, (None if known is not None else _Job(key, str(full), regions.text, suffix))


def goes_whole(rel: str) -> bool:
    """Licence texts, notices, model cards and anything that is not source code are matched whole."""
    return is_license_file(rel) or not has_comment_syntax(rel)


def _answers(
    jobs: list[_Job],
    workers: int,
    progress: Callable[[int, int], None] | None,
    cache: ScanCache,
    tally: _Tally,
) -> dict[str, CachedScan]:
    answers: dict[str, CachedScan] = {}
    if not jobs:
        return answers
    for job, (result, error) in zip(jobs, _run(jobs, workers, progress), strict=True):
        if error is not None:
            tally.errors.append(f"{_job_name(job)}: scancode failed: {error}")
            continue
        answers[job.key] = result
        if job.text is not None:
            cache.put(job.key, result)
    return answers


def _job_name(job: _Job) -> str:
    return job.location if job.text is None else f"licence regions of {job.location}"


def _in_file(answer: CachedScan, wait: _Waiting) -> CachedScan:
    """A regions answer in the file's terms (line numbers, share of licence text)."""
    if wait.regions is None:
        return answer
    return CachedScan(
        answer.expression,
        wait.regions.file_line(answer.start_line),
        round(answer.license_text_percent * wait.text_share, 2),
    )


def _collect(out: list[FileLicense], rel: str, scan: CachedScan) -> None:
    if scan.expression:
        out.append(FileLicense(rel, scan.expression, scan.start_line, scan.license_text_percent))


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


def _run(
    jobs: list[_Job], workers: int, progress: Callable[[int, int], None] | None
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


def scan_job(job: _Job) -> tuple[CachedScan, str | None]:
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
