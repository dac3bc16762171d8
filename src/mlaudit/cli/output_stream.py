"""Standard output that cannot change the exit code: a closed pipe is ignored, a failed write is an error.

``mlaudit hash --check | head -n 1``: ``head`` closes the pipe after one line,
the next ``print`` raises ``BrokenPipeError``, and mapping that to success made a
failing check exit 0. The reader going away must not decide the verdict: the
rest of the output is discarded (the descriptor now points at ``/dev/null``) and
the command finishes and returns its own code. Any other write failure (a full
disk, an I/O error) is an ``OutputError``: one line, exit 3, and later flushes
(Python flushes again at exit) go to ``/dev/null`` instead of failing twice.
"""

from __future__ import annotations

import errno
import os
from typing import Any, TextIO

from mlaudit.errors import MlauditError


class OutputError(MlauditError):
    """Standard output could not be written (exit 3: the run did not finish its job)."""


class GuardedStdout:
    """A proxy of ``sys.stdout`` with the behaviour described in the module docstring."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.discarding = False

    def write(self, text: str) -> int:
        """Write, or discard once the reader has gone."""
        try:
            return self._stream.write(text)
        except OSError as exc:
            self._fail(exc)
            return len(text)

    def flush(self) -> None:
        """Flush, or discard once the reader has gone."""
        try:
            self._stream.flush()
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        self._silence()
        if exc.errno != errno.EPIPE:
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None

    def _silence(self) -> None:
        self.discarding = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real descriptor (tests capture output)
            pass
        try:
            self._stream.flush()  # what was buffered goes to /dev/null now
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
