"""What a model-format parser reports: an issue with a kind, a severity and where it is."""

from __future__ import annotations

from typing import NamedTuple

from mlaudit.model import Severity


class FormatIssue(NamedTuple):
    """One problem in a model file; ``kind`` becomes the rule ``serialization.<kind>``.

    ``subject`` is what the issue is about (an import, an op, a key) and keys the
    finding's fingerprint; ``incomplete`` marks issues that stopped the parser,
    so part of the file was not examined.
    """

    kind: str
    severity: Severity
    message: str
    offset: int | None = None
    subject: str = ""
    incomplete: bool = False
