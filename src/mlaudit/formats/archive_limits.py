"""Limits on archives and the expansion budget that compressed streams, members and nesting share.

Kept apart from the zip walker so importing them does not import zipfile. A
per-stream ceiling is not enough: a 14 KB bz2 stream expands to 16 GiB, and a
tar of four of them multiplies it. The ``ExpansionBudget`` is one account per
file (and one per audit behind it): every decompressed byte of every member at
every depth is charged to it, together with a clock, so the work spent on one
file is bounded by its size, a ceiling and a deadline, whatever its layout.
"""

from __future__ import annotations

import time
from typing import NamedTuple


class ZipLimits(NamedTuple):
    """How much of an archive may be listed and expanded."""

    max_members: int = 100_000
    max_ratio: int = 200
    max_member_bytes: int = 16 << 30


class BudgetExceeded(Exception):
    """The file (or the audit) used up its decompression budget; the message says which and how."""


class AuditBudget:
    """What all files of one audit may expand in total, and for how long."""

    def __init__(self, max_bytes: int = 64 << 30, max_seconds: float = 900.0) -> None:
        self.bytes_left = max_bytes
        self.max_bytes = max_bytes
        self.deadline = time.monotonic() + max_seconds
        self.max_seconds = max_seconds


class ExpansionBudget:
    """The decompressed bytes and time one file may use, drawn from the audit's budget too.

    ``allowance`` is ``max(floor, ratio * file size)`` capped by ``ceiling``:
    a real compressed checkpoint (ratios of 1-10) gets all it needs, a bomb
    (ratios of a million) stops after ``floor`` bytes.
    """

    FLOOR = 256 << 20

    def __init__(self, file_size: int, *, ceiling: int, ratio: int, max_seconds: float,
                 audit: AuditBudget | None = None) -> None:
        self.allowance = min(ceiling, max(self.FLOOR, ratio * max(file_size, 0)))
        self.left = self.allowance
        self.deadline = time.monotonic() + max_seconds
        self.max_seconds = max_seconds
        self.audit = audit
        self.spent = 0

    def charge(self, count: int) -> None:
        """Account for ``count`` expanded bytes; raise ``BudgetExceeded`` when a budget is gone."""
        self.left -= count
        self.spent += count
        if self.left < 0:
            raise BudgetExceeded(f"decompression budget exceeded: more than {self.allowance} expanded bytes "
                                 "for this file (decompression bomb?)")
        audit = self.audit
        if audit is not None:
            audit.bytes_left -= count
            if audit.bytes_left < 0:
                raise BudgetExceeded(f"decompression budget exceeded: the audit expanded more than "
                                     f"{audit.max_bytes} bytes in all")
        self.check_clock()

    def check_clock(self) -> None:
        """Raise ``BudgetExceeded`` when this file's or the audit's time is up."""
        now = time.monotonic()
        if now > self.deadline:
            raise BudgetExceeded(f"decompression budget exceeded: more than {self.max_seconds:g} s "
                                 "spent expanding this file")
        if self.audit is not None and now > self.audit.deadline:
            raise BudgetExceeded(f"decompression budget exceeded: the audit spent more than "
                                 f"{self.audit.max_seconds:g} s expanding files")
