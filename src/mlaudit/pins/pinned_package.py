"""A package pinned to one exact version, and where it is pinned (what ``vulns`` audits)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class PinnedPackage:
    """``name==version`` found at ``path:line`` (``name`` is as written, not normalised)."""

    name: str
    version: str
    path: str
    line: int | None


def is_commit_sha(ref: str) -> bool:
    """True for a full Git commit id (SHA-1, 40 hex; or SHA-256, 64 hex)."""
    return _COMMIT.match(ref.lower()) is not None


def is_sha256_digest(ref: str) -> bool:
    """True for ``sha256:`` followed by 64 hex digits (an OCI image digest)."""
    return _DIGEST.match(ref.lower()) is not None
