"""Turning a pickle walk into findings: severity follows what loading can do.

- an import that loading calls or instantiates (REDUCE, NEWOBJ, OBJ, INST,
  BUILD): the policy's severity (critical for code execution), at least
  ``high`` when it is on no list;
- an import only named, never called: one step lower, never below ``medium``
  for a dangerous name, the configured severity for an unknown one;
- a name spelled to evade (whitespace, control, look-alike letters): ``high``
  or above, called or not;
- a limit hit before the end: ``high`` not fully scanned (the rest of the
  stream is still swept for imports); a stream that breaks where the real
  unpickler breaks too: ``medium`` malformed; a FRAME the two CPython readers
  read differently: ``high``;
- a pickle inside a bytes/str field that imports anything outside the
  allow-list: ``high`` (it runs if the application unpickles that field);
- bytes that are not a pickle from the first opcode: ``low`` not a model; a
  PROTO header followed by bytes the unpickler rejects within ``SNIFF_SIZE``,
  before any import, is also marked as raw data (``FileReport.raw_data``): an
  ONNX model's external tensor file may start 0x80 0x03 by chance.
"""

from __future__ import annotations

from typing import IO

from mlaudit.formats.pickle_ops import EmbeddedPickle, PickleCall, PickleLimits, StreamScan
from mlaudit.formats.pickle_sniff import SNIFF_SIZE
from mlaudit.model import Severity
from mlaudit.serialization.file_report import FileReport
from mlaudit.serialization.policy import ImportPolicy, Verdict

_BROKEN = frozenset({"malformed", "truncated", "trailing-data"})
_STEP_DOWN = {Severity.CRITICAL: Severity.HIGH, Severity.HIGH: Severity.MEDIUM}


def scan_pickle_file(report: FileReport, fh: IO[bytes], size: int | None, member: str, policy: ImportPolicy,
                     limits: PickleLimits | None = None) -> None:
    """Every pickle stream of a file (legacy PyTorch: the five pickles before the raw storage)."""
    from mlaudit.formats.byte_reader import ByteReader
    from mlaudit.formats.model_format import describe_bytes
    from mlaudit.formats.pickle_streams import walk_pickle_file

    reader = ByteReader(fh, size=size)
    head = reader.peek(8)
    headerless = head[:1] != b"\x80"  # protocol 0/1: no magic
    result = walk_pickle_file(reader, limits)
    if headerless and not result.complete and not result.scan.imports and not result.scan.embedded:
        first = result.scan.problems[0].message if result.scan.problems else "no pickle stream"
        report.not_a_model(f"{describe_bytes(head)}: no model format mlaudit knows and not a pickle either "
                           f"({first}); no loader runs it", member=member)
        return
    broken_at = _rejected_before_any_import(result.scan) if result.streams == 1 else None
    if broken_at is not None:
        report.raw_data = (f"{describe_bytes(head)} start like a pickle, but the unpickler rejects byte {broken_at} "
                           "before importing anything")
    kind = "torch-legacy" if result.legacy_torch else "pickle"
    report.understood(kind)
    report_pickle(report, result.scan, policy, member=member, container=kind)


def _rejected_before_any_import(scan: StreamScan) -> int | None:
    """Where a stream that imports, calls and embeds nothing breaks, when that is within its first bytes."""
    if scan.imports or scan.calls or scan.embedded:
        return None
    if any(p.kind not in ("malformed", "truncated", "suspicious") for p in scan.problems):
        return None  # a limit, an unparsed wrapper, a FRAME divergence: more may follow than was read
    breaks = [p.offset for p in scan.problems if p.kind in ("malformed", "truncated")]
    return min(breaks) if breaks and min(breaks) < SNIFF_SIZE else None


def report_pickle(report: FileReport, scan: StreamScan, policy: ImportPolicy, *, member: str = "",
                  container: str = "pickle") -> None:
    """Add the findings of one walked pickle (``member`` names where it sits) to ``report``."""
    _report_imports(report, scan, policy, member, container)
    for problem in scan.problems:
        if problem.kind == "limit":
            swept = f"; the {scan.swept} opcodes after it were swept for imports without a stack" \
                if scan.swept else ""
            _unscanned_high(report, f"pickle limit: {problem.message}{swept}", member, problem.offset)
        elif problem.kind == "unparsed":
            _unscanned_high(report, f"{problem.message}; the {scan.searched} bytes after it were searched for "
                                    "imports byte by byte", member, problem.offset)
        elif problem.kind in _BROKEN:
            report.unscanned.append(f"{member or report.path}: {problem.message}")
            report.add("malformed", Severity.MEDIUM,
                       f"malformed pickle ({problem.kind}): {problem.message}; the unpickler stops there too",
                       member=member, offset=problem.offset, subject=f"{problem.kind}:{problem.offset}")
        elif problem.kind == "suspicious":
            report.add("malformed", Severity.MEDIUM, f"malformed pickle: {problem.message}", member=member,
                       offset=problem.offset, subject=f"{problem.kind}:{problem.offset}")
        elif problem.kind == "frame-divergence":
            report.add("frame-divergence", Severity.HIGH, problem.message, member=member, offset=problem.offset,
                       subject=f"frame:{problem.offset}")
    for embedded in scan.embedded:
        _report_embedded(report, embedded, policy, member)


def _unscanned_high(report: FileReport, reason: str, member: str, offset: int | None) -> None:
    # A loader reads past a limit that stopped mlaudit: never below high, whatever the default.
    report.unscanned.append(f"{member or report.path}: {reason}")
    severity = report.unscanned_severity if report.unscanned_severity.rank > Severity.HIGH.rank else Severity.HIGH
    report.add("unscanned", severity, f"not fully scanned: {reason}", member=member, offset=offset, subject=reason)


def _report_imports(report: FileReport, scan: StreamScan, policy: ImportPolicy, member: str,
                    container: str) -> None:
    calls: dict[str, PickleCall] = {}
    for call in scan.calls:
        calls.setdefault(call.target.dotted, call)
    seen: set[str] = set()
    for ref in scan.imports:
        if ref.dotted in seen:
            continue
        seen.add(ref.dotted)
        details: dict[str, object] = {"import": ref.dotted, "opcode": ref.opcode, "format": container}
        called = calls.get(ref.dotted)
        how = f" and calls it ({called.opcode} at byte {called.offset})" if called else \
            " (named only, never called while loading)"
        details["called"] = called is not None
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
        kind = {"dangerous": "dangerous-import", "evasion": "name-evasion"}.get(verdict.kind, "unknown-import")
        shown = ascii(ref.dotted)[1:-1] if verdict.kind == "evasion" else ref.dotted
        report.add(kind, _severity(verdict, called is not None, policy),
                   f"{ref.opcode} imports {shown}{how}; it {verdict.reason}",
                   member=member, offset=ref.offset, subject=shown, details=details)


def _severity(verdict: Verdict, called: bool, policy: ImportPolicy) -> Severity:
    assert verdict.severity is not None
    if verdict.kind == "evasion":
        return verdict.severity
    if verdict.kind == "unknown":
        if not called:
            return policy.unknown_severity
        return verdict.severity if verdict.severity.rank > Severity.HIGH.rank else Severity.HIGH
    return verdict.severity if called else _STEP_DOWN.get(verdict.severity, verdict.severity)


def _report_embedded(report: FileReport, embedded: EmbeddedPickle, policy: ImportPolicy, member: str) -> None:
    risky = []
    for ref in embedded.scan.imports:
        verdict = policy.judge(ref.module, ref.name) if ref.module != "?" else None
        if verdict is None or verdict.kind != "allowed":
            risky.append(ascii(ref.dotted)[1:-1])
    risky += [f"{e.encoding} pickle at byte {e.offset}" for e in embedded.scan.embedded]
    if not risky and not any(p.kind == "limit" for p in embedded.scan.problems):
        return
    names = ", ".join(sorted(set(risky))[:5]) or "content it could not fully scan"
    report.add("embedded-pickle", Severity.HIGH,
               f"{embedded.opcode} at byte {embedded.offset} holds a pickle ({embedded.encoding}) that imports "
               f"{names}: it runs if the application unpickles this field",
               member=member, offset=embedded.offset, subject=f"embedded:{embedded.offset}",
               details={"encoding": embedded.encoding, "imports": sorted(set(risky))})
