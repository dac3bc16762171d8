"""Turning a pickle walk into findings: each import judged by the policy, each stop a coverage gap."""

from __future__ import annotations

from mlaudit.formats.pickle_ops import PickleCall, StreamScan
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.policy import ImportPolicy

_STOPPING = frozenset({"malformed", "truncated", "limit", "trailing-data"})


def report_pickle(report: FileReport, scan: StreamScan, policy: ImportPolicy, *, member: str = "",
                  container: str = "pickle") -> None:
    """Add the findings of one walked pickle (``member`` names where it sits) to ``report``."""
    calls: dict[str, PickleCall] = {}
    for call in scan.calls:
        calls.setdefault(call.target.dotted, call)
    seen: dict[str, int] = {}
    for ref in scan.imports:
        seen[ref.dotted] = seen.get(ref.dotted, 0) + 1
        if seen[ref.dotted] > 1:
            continue
        details = {"import": ref.dotted, "opcode": ref.opcode, "format": container}
        called = calls.get(ref.dotted)
        how = f" and calls it ({called.opcode} at byte {called.offset})" if called else ""
        if ref.module == "?" or (ref.opcode.startswith("EXT") and ref.module == "copyreg.extension"):
            what = "an import through the copyreg extension registry (code " + ref.name + ")" \
                if ref.opcode.startswith("EXT") else "an import whose module and name are computed"
            report.add("unresolved-import", Severity.HIGH,
                       f"{ref.opcode} makes {what}{how}: what it loads cannot be judged before loading",
                       member=member, offset=ref.offset, subject=f"{ref.opcode}:{ref.name}", details=details)
            continue
        verdict = policy.judge(ref.module, ref.name)
        if verdict.kind == "allowed":
            continue
        kind = "dangerous-import" if verdict.kind == "dangerous" else "unknown-import"
        assert verdict.severity is not None
        report.add(kind, verdict.severity,
                   f"{ref.opcode} imports {ref.dotted}{how}; it {verdict.reason}",
                   member=member, offset=ref.offset, subject=ref.dotted, details=details)
    for problem in scan.problems:
        if problem.kind in _STOPPING:
            report.add_unscanned(f"pickle {problem.kind}: {problem.message}", member=member,
                                 offset=problem.offset)
