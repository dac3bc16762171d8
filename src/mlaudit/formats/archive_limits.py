"""Limits on archives (kept apart from the zip walker so importing them does not import zipfile)."""

from __future__ import annotations

from typing import NamedTuple


class ZipLimits(NamedTuple):
    """How much of an archive may be listed and expanded."""

    max_members: int = 100_000
    max_ratio: int = 200
    max_member_bytes: int = 16 << 30
