"""Read the fleet's report files one at a time and keep only a small summary of each.

Reports are found under the reports folder at any depth (``actions/download-artifact``
puts each artifact in its own folder). A report belongs to the repository its
file name spells (``owner__name.json``) or, failing that, the one in its
metadata (``repository`` or ``metadata.repository``). Unreadable reports are
problems that name the file; they never stop the rest of the fleet.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlaudit.formats.bounded_json import loads_json
from mlaudit.model import Report, Severity, Status
from mlaudit.render.json_report import ReportFormatError, load_report

SIGNATURE_SUFFIX = ".sigstore.json"
MAX_REPORT_BYTES = 64 * 2**20
"""A report larger than this is refused unread (the largest real ones are a few MB)."""
TRACKED_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
# Worst first: a pillar with a skipped check is never shown as passed.
_PILLAR_ORDER = (Status.ERROR, Status.FAIL, Status.WARN, Status.SKIPPED, Status.PASS)


@dataclass(frozen=True)
class FindingDigest:
    """What the fleet keeps of one open finding."""

    rule: str
    severity: Severity
    fingerprint: str
    message: str


@dataclass(frozen=True)
class ReportSummary:
    """One report reduced to what the fleet report shows."""

    repository: str
    file: str
    generated_at: dt.datetime | None
    status: Status
    pillars: dict[str, str]
    counts: dict[str, int]
    errored_checks: tuple[str, ...]
    signed: bool
    findings: tuple[FindingDigest, ...] = field(default=())
    signature_problem: str | None = None
    """Why the signature file next to the report is not a bundle (it then counts as missing)."""


@dataclass(frozen=True)
class ReportProblem:
    """A report that could not be used, and why; ``repository`` when the file name says whose it was."""

    file: str
    message: str
    repository: str | None = None


def report_files(reports_dir: Path) -> Iterator[Path]:
    """Every ``*.json`` report under ``reports_dir`` (not signature bundles), in a stable order."""
    for folder, dirs, files in os.walk(reports_dir):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".json") and not name.endswith(SIGNATURE_SUFFIX):
                yield Path(folder) / name


def repository_from_name(path: Path) -> str | None:
    """``owner__name.json`` -> ``owner/name`` (None when the name does not have that shape)."""
    stem = path.name[: -len(".json")]
    owner, sep, name = stem.partition("__")
    return f"{owner}/{name}" if sep and owner and name and "__" not in name else None


def _repository_from_metadata(text: str) -> str | None:
    try:
        data = loads_json(text)
    except ValueError:
        return None
    if not isinstance(data, Mapping):
        return None
    for holder in (data, data.get("metadata")):
        if isinstance(holder, Mapping) and isinstance(holder.get("repository"), str):
            return str(holder["repository"])
    return None


def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` accepted) as an aware datetime, or None."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def read_report(path: Path, display: str) -> ReportSummary | ReportProblem:
    """Summarise the report at ``path`` (``display`` names it in messages)."""
    by_name = repository_from_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            return ReportProblem(display, f"{size} bytes: larger than the {MAX_REPORT_BYTES} bytes a report may be; "
                                 "not read", by_name)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ReportProblem(display, f"cannot read: {exc}", by_name)
    repository = by_name or _repository_from_metadata(text)
    try:
        report = load_report(text, source=display)
    except ReportFormatError as exc:
        return ReportProblem(display, str(exc).removeprefix(f"{display}: "), repository)
    if repository is None:
        return ReportProblem(
            display, "cannot tell which repository it audited: name it owner__name.json "
            "or add a top-level \"repository\": \"owner/name\"")
    signature = path.with_name(path.name[: -len(".json")] + SIGNATURE_SUFFIX)
    summary = summarise(report, repository, display, signed=False)
    if not signature.is_file():
        return summary
    problem = bundle_problem(signature)
    return replace(summary, signed=problem is None,
                   signature_problem=f"{display[: -len('.json')]}{SIGNATURE_SUFFIX}: {problem}" if problem else None)


def bundle_problem(path: Path) -> str | None:
    """Why ``path`` is not a Sigstore bundle (None when it has a bundle's shape).

    Only the shape is checked here: verifying the signature needs the expected
    identity, which ``mlaudit verify --attestation`` takes.
    """
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            return "too large to be a Sigstore bundle"
        data = loads_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"not a Sigstore bundle ({type(exc).__name__})"
    media_type = data.get("mediaType") if isinstance(data, Mapping) else None
    if not isinstance(media_type, str) or not media_type.startswith("application/vnd.dev.sigstore.bundle"):
        return "not a Sigstore bundle (no Sigstore bundle mediaType)"
    if not isinstance(data.get("verificationMaterial"), Mapping):
        return "not a Sigstore bundle (no verificationMaterial)"
    return None


def summarise(report: Report, repository: str, display: str, *, signed: bool) -> ReportSummary:
    """The fleet's view of one report: pillar statuses, counts, errored checks, open findings."""
    pillars: dict[str, list[Status]] = {}
    for check in report.checks:
        pillars.setdefault(check.pillar.value, []).append(check.status)
    return ReportSummary(
        repository=repository,
        file=display,
        generated_at=parse_time(report.generated_at) if report.generated_at else None,
        status=report.status,
        pillars={p: next(s for s in _PILLAR_ORDER if s in statuses).value for p, statuses in pillars.items()},
        counts=report.counts(),
        errored_checks=tuple(c.check_id for c in report.checks if c.status is Status.ERROR),
        signed=signed,
        findings=tuple(
            FindingDigest(f.rule, f.severity, f.fingerprint, f.message) for f in report.findings
        ),
    )
