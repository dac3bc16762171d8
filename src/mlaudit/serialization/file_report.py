"""The result of scanning one file: findings with file, member and byte offset, and coverage.

Every finding names the file (``path``), the archive member it sits in (if
any), the byte offset inside that member or stream, what was found, why it is
dangerous and what to do. Coverage is fail-closed: a file is ``complete`` only
when the parsers that understood it reached its end; anything else carries the
reason in an ``serialization.unscanned`` finding.
"""

from __future__ import annotations

from typing import Any

from mlaudit.formats.format_issue import FormatIssue
from mlaudit.model import Finding, Severity

SAFETENSORS_HINT = "convert the weights to safetensors (safetensors.torch.save_file(model.state_dict(), ...))"

REMEDIATIONS: dict[str, str] = {
    "dangerous-import": "do not load this file; if you made it, re-export only the weights with safetensors",
    "unknown-import": "if the file is trusted and this import is expected, add it to "
                      "[tool.mlaudit.serialization] allow; better, " + SAFETENSORS_HINT,
    "unresolved-import": "do not load this file: its imports are hidden; " + SAFETENSORS_HINT,
    "unscanned": "inspect the file by hand or replace it with a format mlaudit can parse (safetensors)",
    "mislabelled": "rename the file after its real format, or re-export it in the format its name promises",
    "numpy-object": "store numeric arrays only (no dtype=object) so loading never needs allow_pickle=True",
    "keras-lambda": "replace Lambda layers with registered custom layers and load with safe_mode=True",
    "keras-module": "check the module is trusted before loading; prefer built-in Keras layers",
    "tf-op": "remove ops that touch files or run Python from the exported graph",
    "onnx-external-data": "keep external data files next to the model and name them by relative paths",
    "gguf-template": "replace the chat template with one that only formats messages (no Python internals)",
    "gguf-invalid": "re-export the GGUF file with a current converter",
    "safetensors-invalid": "re-export the file with the safetensors library",
    "archive-bomb": "do not extract this archive; rebuild it from the original files",
    "archive-path": "rebuild the archive with relative member names that stay inside it",
    "archive-name-mismatch": "rebuild the archive with a standard zip writer",
    "archive-duplicate": "rebuild the archive so every member name is unique",
    "file-outside": "commit the model file itself (a regular file inside the repository), not a link out of it",
    "not-a-model": "rename or remove the file if it is not meant to be a model; nothing in it is loaded as one",
    "zip-prefix": "rebuild the archive with nothing before its first member",
    "onnx-op": "replace Python or custom-domain operators with standard ONNX operators",
    "submodule-not-audited": "check the submodule out (git submodule update --init) so it is audited, "
                             "or audit its repository",
}


class FileReport:
    """Findings and coverage of one scanned file."""

    def __init__(self, path: str, unscanned_severity: Severity = Severity.HIGH, *,
                 parsers: list[str] | None = None, unscanned: list[str] | None = None) -> None:
        self.path = path
        self.unscanned_severity = unscanned_severity
        self.parsers: list[str] = parsers or []
        self.findings: list[Finding] = []
        self.unscanned: list[str] = unscanned or []
        self.companions: list[str] = []
        """Files this one names as its data (ONNX external data), relative like ``path``."""
        self.content_key: str | None = None
        """Git blob id of exactly the content scanned (None when it changed while read): the cache key."""
        self.not_model: str | None = None
        """Why no model loader reads the file (a PNG named ``.pt``), when that is all there is to say."""
        self.raw_data: str | None = None
        """Why the file, read as raw bytes (ONNX external data), is data: it starts like a pickle but the
        unpickler rejects it within its first bytes, before importing anything."""

    @property
    def decided(self) -> bool:
        """True when the scan reached a verdict on the whole file: scanned completely, or not a model."""
        return self.complete or (not self.parsers and not self.unscanned and self.not_model is not None)

    @property
    def complete(self) -> bool:
        """True when a parser understood the file and nothing in it was left unexamined."""
        return bool(self.parsers) and not self.unscanned

    def understood(self, parser: str) -> None:
        """Record that ``parser`` understood (part of) the file."""
        if parser not in self.parsers:
            self.parsers.append(parser)

    def add(self, kind: str, severity: Severity, message: str, *, member: str = "",
            offset: int | None = None, subject: str = "", details: dict[str, Any] | None = None) -> None:
        """Add a finding of rule ``serialization.<kind>`` located in ``member`` at ``offset``."""
        place = " ".join(p for p in (f"member {member}" if member else "",
                                     f"at byte {offset}" if offset is not None else "") if p)
        if place:
            message = f"{place}: {message}"
        facts: dict[str, Any] = {"member": member or None, "offset": offset}
        facts.update(details or {})
        self.findings.append(Finding(
            rule=f"serialization.{kind}",
            severity=severity,
            message=message,
            path=self.path,
            remediation=REMEDIATIONS.get(kind, ""),
            key=f"{member}|{subject or message}",
            details=facts,
        ))

    def add_issue(self, issue: FormatIssue, member: str = "") -> None:
        """Add a parser's issue; an issue that stopped the parser counts against coverage."""
        severity = self.unscanned_severity if issue.kind == "unscanned" else issue.severity
        if issue.incomplete:
            self.unscanned.append(f"{member or self.path}: {issue.message}")
            if issue.kind != "unscanned":
                severity = max(severity, self.unscanned_severity, key=lambda s: s.rank)
        self.add(issue.kind, severity, issue.message, member=member, offset=issue.offset,
                 subject=issue.subject)

    def add_unscanned(self, reason: str, *, member: str = "", offset: int | None = None) -> None:
        """Record that (part of) the file could not be examined, and why."""
        self.unscanned.append(f"{member or self.path}: {reason}")
        self.add("unscanned", self.unscanned_severity, f"not fully scanned: {reason}", member=member,
                 offset=offset, subject=reason)

    def not_a_model(self, reason: str, *, member: str = "") -> None:
        """Record content that no model loader accepts (low: nothing in it is loaded as a model)."""
        if not member and self.not_model is None:
            self.not_model = reason
        self.add("not-a-model", Severity.LOW, f"not a model: {reason}", member=member, subject="not-a-model")
