"""The ``pins`` rules, their default severities, and ``[tool.mlaudit.pins]``.

Every rule can be switched off (``disable``) or given another severity
(``severity``); scanners build findings through ``PinRules.finding`` so both
settings apply everywhere, in the check and in the hook alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlaudit.model import Finding, Severity

# rule id -> (default severity, what it means); the README lists the same table.
RULES: dict[str, tuple[Severity, str]] = {
    "pins.unpinned": (Severity.MEDIUM, "a requirement is not pinned to one exact version (==)"),
    "pins.missing-hash": (Severity.MEDIUM, "a requirement has no --hash while hashes are required"),
    "pins.url-unpinned": (Severity.MEDIUM, "a URL or VCS requirement is not pinned to a commit or a hash"),
    "pins.local-file": (Severity.LOW, "a requirement points at an absolute file:// path outside the repository"),
    "pins.include-missing": (Severity.MEDIUM, "a -r/-c include names a file that does not exist"),
    "pins.include-refused": (
        Severity.MEDIUM, "a -r/-c include is remote, absolute or leaves the repository: not followed (an error)"),
    "pins.pyproject-range": (
        Severity.MEDIUM, "an application's pyproject dependency is a range and no lock file pins it"),
    "pins.lock-missing-package": (Severity.MEDIUM, "a pyproject dependency is absent from the lock file"),
    "pins.conda-unpinned": (Severity.MEDIUM, "a conda environment package has no exact version"),
    "pins.action-unpinned": (Severity.HIGH, "a workflow `uses:` is not pinned to a full commit SHA"),
    "pins.docker-action-unpinned": (Severity.HIGH, "a `docker://` action is not pinned by digest"),
    "pins.run-pip-install": (
        Severity.MEDIUM, "a `pip install` in a workflow step or Dockerfile installs unpinned packages"),
    "pins.image-unpinned": (Severity.MEDIUM, "a Dockerfile FROM image is not pinned by @sha256 digest"),
    "pins.hf-unpinned-revision": (Severity.MEDIUM, "a Hugging Face download has no revision= commit hash"),
    "pins.hf-trust-remote-code": (Severity.HIGH, "a Hugging Face load runs the repository's remote code"),
    "pins.invalid-file": (Severity.MEDIUM, "a dependency file cannot be parsed (invalid TOML/YAML/requirement line)"),
}


@dataclass(frozen=True)
class PinsOptions:
    """``[tool.mlaudit.pins]``."""

    disable: tuple[str, ...] = ()
    """Rule ids to switch off (``pins.missing-hash`` or just ``missing-hash``)."""
    severity: dict[str, Severity] = field(default_factory=dict)
    """Severity per rule id, overriding the default."""
    require_hashes: bool = False
    """Every requirement of a requirements file must carry ``--hash`` (always so once one does)."""
    project_kind: Literal["auto", "application", "library"] = "auto"
    """Ranges in pyproject are flagged for applications; ``auto`` = library when [build-system] exists."""
    requirements: tuple[str, ...] = (
        "requirements*.txt", "requirements/*.txt", "constraints*.txt", "requirements*.in",
    )
    """Globs of requirements files (files they include with -r/-c are followed too)."""
    allowed_actions: tuple[str, ...] = ()
    """Globs of ``uses:`` targets accepted without a SHA (e.g. ``my-org/*``)."""
    allowed_images: tuple[str, ...] = ()
    """Globs of images accepted without a digest (``scratch`` always is)."""
    hf_functions: tuple[str, ...] = (
        "from_pretrained", "hf_hub_download", "snapshot_download", "load_dataset",
    )
    """Call names treated as Hugging Face downloads."""

    def __post_init__(self) -> None:
        for name in (*self.disable, *self.severity):
            if _full_rule(name) not in RULES:
                known = ", ".join(sorted(RULES))
                raise ValueError(f"unknown pins rule {name!r} (known rules: {known})")


def _full_rule(name: str) -> str:
    return name if name.startswith("pins.") else f"pins.{name}"


@dataclass(frozen=True)
class PinRules:
    """Builds findings with the options applied (disabled rules yield None)."""

    options: PinsOptions = field(default_factory=PinsOptions)

    def enabled(self, rule: str) -> bool:
        """False when the configuration switched this rule off."""
        return not any(_full_rule(d) == rule for d in self.options.disable)

    def severity_of(self, rule: str) -> Severity:
        """The configured severity of ``rule`` (else its default)."""
        for name, severity in self.options.severity.items():
            if _full_rule(name) == rule:
                return severity
        return RULES[rule][0]

    def finding(
        self,
        rule: str,
        path: str,
        line: int | None,
        message: str,
        remediation: str,
        *,
        key: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> Finding | None:
        """A finding of ``rule`` at ``path:line``, or None when the rule is disabled."""
        if rule not in RULES:
            raise KeyError(rule)
        if not self.enabled(rule):
            return None
        return Finding(
            rule=rule,
            severity=self.severity_of(rule),
            message=message,
            path=path,
            line=line,
            remediation=remediation,
            key=key or message,
            details=dict(details or {}),
        )


class FindingList(list[Finding]):
    """A list that ignores the None of a disabled rule, so scanners stay linear."""

    def add(self, finding: Finding | None) -> None:
        """Append ``finding`` unless it is None."""
        if finding is not None:
            self.append(finding)
