"""Turn the personal-data scan of files into findings: declared data is reported as declared, not as a surprise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlaudit.globs import compile_globs
from mlaudit.governance.data_register import DataSource
from mlaudit.governance.pii_scan import FileScan
from mlaudit.model import Finding, Severity


def declared_matcher(sources: Sequence[DataSource]) -> dict[str, Any]:
    """Predicates per source name: does a file belong to a source declared to hold personal data?"""
    out = {}
    for source in sources:
        if not source.personal_data:
            continue
        globs = list(source.files)
        if source.location and "://" not in source.location:
            globs.append(source.location)
        if globs:
            out[source.name] = compile_globs(globs)
    return out


def scan_findings(scans: Iterable[FileScan], sources: Sequence[DataSource]) -> list[Finding]:
    """One finding per file and kind: where (first lines or rows), how many, never the value."""
    declared = declared_matcher(sources)
    found: list[Finding] = []
    for scan in scans:
        if scan.outside:
            found.append(
                Finding(
                    rule="privacy.file-outside",
                    severity=Severity.MEDIUM,
                    path=scan.path,
                    key="outside",
                    message=f"not scanned for personal data: {scan.outside}",
                    remediation="commit the data file itself (a regular file inside the repository), "
                    "or remove the link",
                )
            )
            continue
        owners = [name for name, matches in declared.items() if matches(scan.path)]
        for kind, hits in sorted(scan.hits.items()):
            where = _positions(scan.unit, hits.positions, hits.count)
            details = {"kind": kind, "count": hits.count, f"{scan.unit}s": list(hits.positions)}
            line = hits.positions[0] if scan.unit == "line" else None
            if kind.startswith("secret:"):
                found.append(
                    Finding(
                        rule="privacy.secret-in-data",
                        severity=Severity.HIGH,
                        path=scan.path,
                        line=line,
                        key=kind,
                        message=f"{kind.removeprefix('secret:')} ({hits.count}) {where}",
                        remediation="revoke the credential, remove it from the file and from Git history "
                        "(git filter-repo), and keep credentials out of sample data",
                        details=details,
                    )
                )
            elif owners:
                found.append(
                    Finding(
                        rule="privacy.personal-data-declared",
                        severity=Severity.INFO,
                        path=scan.path,
                        line=line,
                        key=kind,
                        message=f"{kind} ({hits.count}) {where}, as declared by data source '{owners[0]}'",
                        remediation="keep the register entry's lawful basis and retention current for this file",
                        details={**details, "source": owners[0]},
                    )
                )
            else:
                found.append(
                    Finding(
                        rule="privacy.personal-data-found",
                        severity=Severity.HIGH,
                        path=scan.path,
                        line=line,
                        key=kind,
                        message=f"{kind} ({hits.count}) {where}; no data source declares personal data in this file",
                        remediation="remove or pseudonymise the records, or declare the file in the data-source "
                        "register (files = [...], personal_data = true) with its lawful basis",
                        details=details,
                    )
                )
    return found


def _positions(unit: str, positions: Sequence[int], count: int) -> str:
    shown = ", ".join(str(p) for p in positions[:10])
    more = f" and {count - 10} more" if count > 10 else ""
    return f"at {unit}{'s' if count > 1 else ''} {shown}{more}"


def unscanned_findings(scans: Sequence[FileScan]) -> list[Finding]:
    """A ``medium`` finding per data file the scan could not read, or read only in part: never a clean file."""
    findings = []
    for scan in scans:
        if scan.skipped:
            findings.append(Finding(
                rule="privacy.scan-skipped",
                severity=Severity.MEDIUM,
                path=scan.path,
                key="scan",
                message=f"not scanned for personal data: {scan.skipped}",
                remediation="make the file readable (or fix it), or list it in [tool.mlaudit.privacy] "
                "exclude with the reason",
            ))
        elif scan.incomplete:
            findings.append(Finding(
                rule="privacy.scan-incomplete",
                severity=Severity.MEDIUM,
                path=scan.path,
                key="scan",
                message=f"partly scanned for personal data: {scan.incomplete}",
                remediation="keep sample data small, raise [tool.mlaudit.privacy] max_file_mb, or list the "
                "file in exclude with the reason",
            ))
    return findings
