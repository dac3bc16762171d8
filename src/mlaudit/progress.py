"""A progress bar on stderr for long hashing, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

MIN_BYTES_FOR_BAR = 256 * 1024 * 1024


class TerminalProgress:
    """Callable ``(done, total)`` that redraws one stderr line at most ten times a second."""

    def __init__(self, label: str = "hashing", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = self.stream.isatty()
        self._started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < MIN_BYTES_FOR_BAR:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        fraction = done / total if total else 1.0
        width = 30
        filled = int(width * fraction)
        rate = done / max(now - self._started, 1e-6) / 1e6
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} "
            f"{done / 1e9:.2f}/{total / 1e9:.2f} GB {rate:.0f} MB/s"
        )
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
