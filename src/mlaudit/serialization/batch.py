"""Scanning a set of repository files with the configured policy (shared by the check, the hook and the CLI)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from mlaudit.globs import compile_globs
from mlaudit.model import Severity
from mlaudit.repo_paths import OutsideRepository, contained_file
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.options import SerializationOptions
from mlaudit.serialization.policy import ImportPolicy
from mlaudit.serialization.scanner import ModelScanner, ScanSettings


def settings_from_options(options: SerializationOptions) -> ScanSettings:
    """The scanner settings the options describe."""
    policy = ImportPolicy(options.allow, options.deny, unknown_severity=options.unknown_import_severity)
    return ScanSettings(
        policy=policy,
        mislabelled_severity=options.mislabelled_severity,
        unscanned_severity=options.unscanned_severity,
        max_depth=options.max_archive_depth,
        max_expanded_bytes=options.max_expanded_mb << 20,
    )


def extra_model_files(paths: Iterable[str], options: SerializationOptions) -> list[str]:
    """Files the ``include`` globs add to the weight files."""
    included = compile_globs(options.include)
    return [p for p in paths if included(p)]


def drop_excluded(paths: Iterable[str], options: SerializationOptions) -> list[str]:
    """``paths`` without the ``exclude`` globs, sorted and unique."""
    excluded = compile_globs(options.exclude)
    return sorted({p for p in paths if not excluded(p)})


def scan_files(root: Path, rel_paths: Sequence[str], options: SerializationOptions,
               cache_dir: Path | None = None, *, contain: bool = True) -> list[FileReport]:
    """Scan each file (relative to ``root``), reusing cached results of unchanged files when allowed.

    With ``contain`` (a repository's files), a file that leaves ``root`` through a
    symlink is a finding and never opened; without it (paths the user named on
    the command line) only files that are not regular (a FIFO would hang) are refused.
    """
    scanner = ModelScanner(settings_from_options(options))
    cache = None
    if options.cache and cache_dir is not None:
        from mlaudit.serialization.scan_cache import ScanCache

        cache = ScanCache(cache_dir, root, options)
    by_path: dict[str, FileReport] = {}
    companions: set[str] = set()
    # ONNX models first: the raw tensor files they name as external data are data, not unknown formats.
    for rel in sorted(rel_paths, key=lambda p: not p.lower().endswith(".onnx")):
        if rel in companions:
            by_path[rel] = _external_data(rel)
            continue
        refused = _refusal(root, rel, contain)
        if refused is not None:
            by_path[rel] = _never_opened(rel, refused)
            continue
        cached = cache.get(rel) if cache else None
        report = cached if cached is not None else scanner.scan_path(root / rel, rel)
        if cache and cached is None:
            cache.put(rel, report)
        companions.update(report.companions)
        by_path[rel] = report
    if cache:
        cache.save()
    return [by_path[rel] for rel in rel_paths]


def _refusal(root: Path, rel: str, contain: bool) -> str | None:
    if contain:
        found = contained_file(root, rel)
        return found.reason if isinstance(found, OutsideRepository) else None
    try:
        mode = os.stat(root / rel).st_mode
    except OSError:
        return None  # the scanner reports what it cannot open
    return None if stat.S_ISREG(mode) else "not a regular file"


def _never_opened(rel: str, reason: str) -> FileReport:
    """A listed file that is a symlink out of the repository, a FIFO or a device: a finding, never read."""
    report = FileReport(rel)
    report.unscanned.append(f"{rel}: {reason}")
    report.add("file-outside", Severity.HIGH, f"never opened: {reason}", subject="outside")
    return report


def _external_data(rel: str) -> FileReport:
    report = FileReport(rel)
    report.understood("onnx-external-data")  # raw tensor bytes read by offset: nothing in them runs
    return report
