"""Run one CPU-heavy check in a forked process while this process runs the others.

The licences check spends seconds in this process (loading scancode's index,
matching); the other checks mostly wait on subprocesses and files. On a machine
with more than one core, forking the heavy check at the start of the audit lets
both go at once. The child is a copy of this process (same context, same
configuration, same file listing): it runs the check exactly as the engine
would, then sends back its ``CheckResult`` and the files it recorded
(``AuditContext.record_read``), so ``snapshot.files-changed`` covers them. The
payload is pickled by our own child over a private pipe; nothing of the audited
repository is ever unpickled.

Where there is no ``fork`` (Windows), or this process already runs other threads
(a fork would copy their locks, not the threads), the check simply runs in turn.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from mlaudit.context import AuditContext
from mlaudit.model import CheckResult


def can_fork() -> bool:
    """True when a check can run in a forked child safely (fork exists, no other thread to copy)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class CheckApart:
    """A check started in a forked child; ``result()`` waits for it."""

    def __init__(self, check_id: str, run: Callable[[], CheckResult], ctx: AuditContext) -> None:
        self.check_id = check_id
        self._ctx = ctx
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # the child must not write this process's buffered output again
        self._process = context.Process(target=_child, args=(run, ctx, send), name=f"mlaudit-{check_id}",
                                        daemon=False)  # not a daemon: it forks its own scancode workers
        self._process.start()
        send.close()

    def result(self, on_crash: Callable[[str], CheckResult]) -> CheckResult:
        """The child's result, its recorded reads merged into this process's context.

        A child that died without answering (killed, out of memory) is ``on_crash(message)``.
        """
        try:
            kind, payload = self._receive.recv()
        except (EOFError, OSError):
            kind, payload = "crashed", None
        finally:
            self._receive.close()
        self._process.join()
        if kind == "result":
            result, reads, changed = payload
            self._ctx.merge_reads(reads, changed)
            return result  # type: ignore[no-any-return]
        if kind == "raised":
            raise payload
        code = self._process.exitcode
        return on_crash(f"the process running check '{self.check_id}' ended without a result (exit code {code})")

    def stop(self) -> None:
        """End the child if it still runs (the audit stopped early)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._receive.close()


def _child(run: Callable[[], CheckResult], ctx: AuditContext, send: Connection) -> None:
    try:
        result = run()
        reads, changed = ctx.recorded_reads()
        message: tuple[str, Any] = ("result", (result, reads, changed))
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the parent decides (a ConfigError stops the audit)
        message = ("raised", exc)
    try:
        send.send(message)
    except Exception as exc:  # noqa: BLE001 - what does not pickle still reaches the parent, as text
        text = "".join(traceback.format_exception(exc))
        send.send(("raised", RuntimeError(f"check result could not be sent from its process: {text}")))
    send.close()
    os._exit(0)  # no atexit handlers of the parent's copy, no second flush of its buffers

