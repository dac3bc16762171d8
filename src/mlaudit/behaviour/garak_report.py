"""Import a garak ``*.report.jsonl`` as probe evidence instead of running probes.

garak writes one ``{"entry_type": "eval", "probe": "module.Class", "detector":
..., "passed": n, "total_evaluated": m}`` row per probe/detector pair (older
versions say ``total``). The category of a probe is its module
(``promptinject``, ``dan``, ``encoding``); its pass rate sums every pair of the
module. Other rows (attempts, setup, digest) are ignored; a report with no eval
row is an error, never a pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mlaudit.errors import CheckError

MAX_GARAK_REPORT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class GarakEval:
    """One probe/detector pair of a garak run."""

    probe: str
    detector: str
    passed: int
    total: int

    @property
    def category(self) -> str:
        """The probe's module (``promptinject.HijackHateHumans`` -> ``promptinject``)."""
        return self.probe.split(".", 1)[0]


def read_garak_report(path: Path, *, label: str) -> tuple[list[GarakEval], str]:
    """The eval rows of a garak report, and the garak version if the report says it."""
    try:
        if path.stat().st_size > MAX_GARAK_REPORT_BYTES:
            raise CheckError(f"{label}: larger than {MAX_GARAK_REPORT_BYTES} bytes")
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise CheckError(f"{label}: garak report not found") from None
    evals: list[GarakEval] = []
    version = ""
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    raise CheckError(f"{label}:{number}: not JSON (is this a garak report.jsonl?)") from None
                if not isinstance(row, dict):
                    continue
                version = version or str(row.get("garak_version", ""))
                if row.get("entry_type") != "eval":
                    continue
                evals.append(_eval_row(row, f"{label}:{number}"))
        except UnicodeDecodeError:
            raise CheckError(f"{label}: not UTF-8 text") from None
    if not evals:
        raise CheckError(f"{label}: no 'eval' rows: the garak run did not finish or this is not a garak report")
    return evals, version


def _eval_row(row: dict[str, object], where: str) -> GarakEval:
    probe, detector = row.get("probe"), row.get("detector", "")
    passed = row.get("passed")
    total = row.get("total_evaluated", row.get("total"))
    if not isinstance(probe, str) or not probe:
        raise CheckError(f"{where}: eval row without a 'probe' name")
    if not (isinstance(passed, int) and isinstance(total, int)) or isinstance(passed, bool) \
            or not 0 <= passed <= total:
        raise CheckError(f"{where}: eval row needs integers 0 <= passed <= total, got {passed!r}/{total!r}")
    return GarakEval(probe, str(detector), passed, total)
