"""Scanning a set of repository files with the configured policy (shared by the check, the hook and the CLI)."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from mlaudit.formats.archive_limits import AuditBudget
from mlaudit.globs import compile_globs
from mlaudit.model import Severity
from mlaudit.repo_paths import OutsideRepository, contained_file
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.options import SerializationOptions
from mlaudit.serialization.policy import ImportPolicy
from mlaudit.serialization.scanner import ModelScanner, ScanSettings


def settings_from_options(options: SerializationOptions) -> ScanSettings:
    """The scanner settings the options describe (with a fresh budget for the whole run)."""
    policy = ImportPolicy(options.allow, options.deny, unknown_severity=options.unknown_import_severity)
    return ScanSettings(
        policy=policy,
        mislabelled_severity=options.mislabelled_severity,
        unscanned_severity=options.unscanned_severity,
        max_depth=options.max_archive_depth,
        max_expanded_bytes=options.max_expanded_mb << 20,
        expansion_ratio=options.max_expansion_ratio,
        max_seconds=options.max_scan_seconds,
        audit_budget=AuditBudget(options.max_audit_expanded_mb << 20, options.max_audit_scan_seconds),
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
               cache_dir: Path | None = None, *, by_content: Collection[str] = (),
               contain: bool = True) -> list[FileReport]:
    """Scan each file (relative to ``root``), reusing cached results of content already scanned.

    ``by_content`` names files chosen only because their content looked like a
    model: when the scan finds that no loader reads them after all, they are
    left out of the result instead of being reported as "not a model". With
    ``contain`` (repository scans), a path whose links lead out of ``root`` is
    reported, never read; ``mlaudit scan`` passes False for paths its user named.
    """
    scanner = ModelScanner(settings_from_options(options))
    cache = None
    if options.cache and cache_dir is not None:
        from mlaudit.serialization.scan_cache import ScanCache

        cache = ScanCache(cache_dir, root, options)
    by_path: dict[str, FileReport] = {}
    companions: set[str] = set()
    # ONNX models first: the files they name as external data are read as such, whatever else they are.
    for rel in sorted(rel_paths, key=lambda p: not p.lower().endswith(".onnx")):
        refused = _refusal(root, rel, contain)
        if refused is not None:
            by_path[rel] = _never_opened(rel, refused)
            continue
        cached = cache.get(rel) if cache else None
        report = cached if cached is not None else scanner.scan_path(root / rel, rel, content_key=cache is not None)
        if cache and cached is None:
            cache.put(rel, report)  # what the content is: another file with the same bytes may be no ONNX data
        if rel in companions:
            report = _as_external_data(report)
        companions.update(report.companions)
        by_path[rel] = report
    if cache:
        cache.save()
    return [by_path[rel] for rel in rel_paths if not (rel in by_content and _only_not_a_model(by_path[rel]))]


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


def _only_not_a_model(report: FileReport) -> bool:
    return not report.unscanned and all(f.rule == "serialization.not-a-model" for f in report.findings)


def _as_external_data(report: FileReport) -> FileReport:
    """A file an ONNX model reads as tensor bytes: only content that is no known format is plain data.

    Raw floats may begin 0x80 0x02-0x05 like a pickle's header: when the unpickler rejects what follows
    within the first bytes, before any import (``raw_data``), nothing in them runs either.
    """
    no_format = not report.parsers and not report.unscanned and report.not_model is not None
    broken_pickle = report.raw_data is not None and report.parsers == ["pickle"] \
        and all(f.rule == "serialization.malformed" for f in report.findings)
    if not (no_format or broken_pickle):
        return report  # a pickle, zip, ... named as external data is judged as what it is
    data = FileReport(report.path, report.unscanned_severity)
    data.understood("onnx-external-data")  # raw tensor bytes read by offset: nothing in them runs
    data.content_key = report.content_key
    return data
