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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlaudit.licenses.blob_ids import blob_ids
from mlaudit.licenses.license_clues import quick_scan
from mlaudit.licenses.project_facts import is_license_file
from mlaudit.licenses.scan_cache import CachedScan, ScanCache, text_key
from mlaudit.licenses.scancode_jobs import ScancodeJob, run_jobs
from mlaudit.licenses.source_regions import Regions, has_comment_syntax, licence_regions
from mlaudit.weights.discovery import WEIGHT_EXTENSIONS

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


def _inside(root: Path) -> Callable[[str], bool]:
    """A test that a relative path, symlinks resolved, stays under ``root``."""
    real_root = root.resolve()

    def inside(rel: str) -> bool:
        if rel.startswith("/") or ".." in rel.split("/"):
            return False
        try:
            (root / rel).parent.resolve().relative_to(real_root)
        except (OSError, ValueError, RuntimeError):
            return False
        return True

    return inside


def _is_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return b"\0" in head


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
    tally = _Tally()
    inside = _inside(root)
    candidates = [p for p in paths if _scannable(p)]
    outside = [p for p in candidates if not inside(p)]
    tally.skipped += len(outside)  # through a symlinked folder: never read (the tree is hostile)
    candidates = [p for p in candidates if p not in set(outside)] if outside else candidates
    ids = blob_ids(root, candidates)
    jobs: dict[str, ScancodeJob] = {}
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
    whole: dict[str, ScancodeJob] = {}
    for index, wait in enumerate(waiting):
        answer = answers.get(wait.key) or cache.get(wait.key)
        if wait.regions is not None and answer is not None and answer.needs_whole_file:
            waiting[index] = _Waiting(wait.rel, wait.blob, wait.blob, None, 1.0)
            whole.setdefault(wait.blob, ScancodeJob(wait.blob, str(root / wait.rel)))
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
) -> tuple[_Waiting, ScancodeJob | None] | None:
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
        return _Waiting(rel, blob, blob, None, 1.0), ScancodeJob(blob, str(full))
    suffix = os.path.splitext(rel)[1].lower()
    key = text_key(f"regions{suffix}", regions.text)
    share = min(1.0, len(regions.text.split()) / max(len(text.split()), 1))
    known = cache.get(key)
    if known is not None and known.needs_whole_file:
        return _Waiting(rel, blob, blob, None, 1.0), ScancodeJob(blob, str(full))
    wait = _Waiting(rel, blob, key, regions, share)
    return wait, (None if known is not None else ScancodeJob(key, str(full), regions.text, suffix))


def goes_whole(rel: str) -> bool:
    """Licence texts, notices, model cards and anything that is not source code are matched whole."""
    return is_license_file(rel) or not has_comment_syntax(rel)


def _answers(
    jobs: list[ScancodeJob],
    workers: int,
    progress: Callable[[int, int], None] | None,
    cache: ScanCache,
    tally: _Tally,
) -> dict[str, CachedScan]:
    answers: dict[str, CachedScan] = {}
    if not jobs:
        return answers
    for job, (result, error) in zip(jobs, run_jobs(jobs, workers, progress), strict=True):
        if error is not None:
            tally.errors.append(f"{_job_name(job)}: scancode failed: {error}")
            continue
        answers[job.key] = result
        if job.text is not None:
            cache.put(job.key, result)
    return answers


def _job_name(job: ScancodeJob) -> str:
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
