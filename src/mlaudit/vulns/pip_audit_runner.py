"""Run the real pip-audit as a subprocess (JSON output) against an OSV endpoint.

``pip-audit -s osv --osv-url URL --no-deps --disable-pip -r FILE -f json``: no
resolver, no virtual environment, one ``POST /v1/query`` per package. The file
is written by us from exact pins (``name==version``), so pip-audit never sees
lines it cannot handle; results are mapped back to the user's files by the
caller. A dependency pip-audit could not audit (``skip_reason``) is reported as
such, never as clean.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.isolated_tool import run_python_tool


@dataclass(frozen=True)
class Advisory:
    """One known vulnerability of a package version, as pip-audit reports it."""

    id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]
    description: str

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form (for the answer cache and finding details)."""
        return {"id": self.id, "aliases": list(self.aliases), "fix_versions": list(self.fix_versions),
                "description": self.description}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Advisory:
        """Inverse of ``to_json``."""
        return cls(str(data["id"]), tuple(data.get("aliases", ())), tuple(data.get("fix_versions", ())),
                   str(data.get("description", "")))


@dataclass(frozen=True)
class AuditAnswer:
    """pip-audit's answers: advisories per (canonical name, version), and what it skipped (with why)."""

    advisories: dict[tuple[str, str], tuple[Advisory, ...]]
    skipped: dict[tuple[str, str], str]


class PipAuditFailure(Exception):
    """pip-audit did not produce a report (service down, rate-limited, bad input); the message says why."""


def pip_audit_available() -> bool:
    """True when pip-audit can be run with this interpreter."""
    return importlib.util.find_spec("pip_audit") is not None


def _reason(stderr: str, returncode: int) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("WARNING:")]
    last = lines[-1][:300] if lines else f"pip-audit exited with code {returncode} and no output"
    if "429" in stderr or "Too Many Requests" in stderr:
        return f"the vulnerability service is rate-limiting requests (HTTP 429): {last}"
    if "Connection refused" in stderr or "ConnectionError" in stderr or "Could not connect" in stderr:
        return f"the vulnerability service cannot be reached: {last}"
    return last[:300]


def run_pip_audit(packages: Sequence[tuple[str, str]], osv_url: str, *, timeout: int,
                  cache_dir: Path) -> AuditAnswer:
    """Audit ``(name, version)`` pairs (canonical names, each at most once) with pip-audit."""
    from packaging.utils import canonicalize_name

    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlaudit-vulns-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("".join(f"{n}=={v}\n" for n, v in packages), encoding="utf-8")
        args = [
            "-s", "osv", "--osv-url", osv_url, "--no-deps",
            "--disable-pip", "-r", str(requirements), "-f", "json", "--progress-spinner", "off",
            "--timeout", str(timeout), "--cache-dir", str(cache_dir.resolve()),
        ]
        try:
            # From the temporary folder, never the checkout: a pip_audit/ folder there must not be imported.
            proc = run_python_tool("pip_audit", args, timeout=timeout * max(len(packages), 1) + 120, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise PipAuditFailure(f"pip-audit did not finish within {timeout} s per package") from None
        except OSError as exc:
            raise PipAuditFailure(f"cannot run pip-audit: {exc}") from None
    try:
        report = json.loads(proc.stdout) if proc.stdout.strip() else None
    except ValueError:
        report = None
    if not isinstance(report, dict) or not isinstance(report.get("dependencies"), list):
        raise PipAuditFailure(_reason(proc.stderr, proc.returncode))
    advisories: dict[tuple[str, str], tuple[Advisory, ...]] = {}
    skipped: dict[tuple[str, str], str] = {}
    wanted = {str(canonicalize_name(n)): v for n, v in packages}
    for dep in report["dependencies"]:
        name = str(canonicalize_name(str(dep.get("name", ""))))
        version = str(dep.get("version") or wanted.get(name, ""))
        if "skip_reason" in dep:
            skipped[(name, version)] = str(dep["skip_reason"])
            continue
        advisories[(name, version)] = tuple(
            Advisory(str(v["id"]), tuple(v.get("aliases") or ()), tuple(v.get("fix_versions") or ()),
                     str(v.get("description") or ""))
            for v in dep.get("vulns") or ()
        )
    for name, version in packages:
        key = (str(canonicalize_name(name)), version)
        if key not in advisories and key not in skipped:
            skipped[key] = "pip-audit returned no answer for this package"
    return AuditAnswer(advisories, skipped)
