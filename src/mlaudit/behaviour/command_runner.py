"""Run a user-configured command (evaluation, generate, detector) safely.

The command is split with ``shlex`` and run without a shell, in the repository,
with a timeout. On timeout the whole process group is killed, so a command that
spawned children cannot leave them running. Failures raise ``CommandFailed``
(a ``CheckError``) whose message carries the tail of the command's stderr: the
check reports ``error`` and the audit goes on.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.errors import CheckError

STDERR_TAIL_CHARS = 2000
MAX_OUTPUT_BYTES = 64 * 1024 * 1024


class CommandFailed(CheckError):
    """A configured command timed out, crashed, or printed something unusable."""

    def __init__(self, message: str, stderr_tail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.stderr_tail = stderr_tail

    def diagnostics(self) -> str:
        """The reason, then the command's last stderr lines (what a human needs to fix it)."""
        if not self.stderr_tail.strip():
            return self.message + " (stderr was empty)"
        return f"{self.message}; stderr tail:\n{self.stderr_tail}"


@dataclass(frozen=True)
class CommandResult:
    """What a finished command produced."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    @property
    def stderr_tail(self) -> str:
        """The last characters of stderr (for messages)."""
        return tail(self.stderr)


def tail(text: str, limit: int = STDERR_TAIL_CHARS) -> str:
    """The last ``limit`` characters of ``text``, stripped."""
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]


PYTHON_PLACEHOLDER = "{python}"

# Credentials of the audit itself: the Action's token and the runner's OIDC and
# runtime tokens must not reach commands that run the repository's own code.
_WITHHELD_ENV = frozenset({
    "GITHUB_TOKEN", "GH_TOKEN", "INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "SIGSTORE_ID_TOKEN",
})


def child_environment() -> dict[str, str]:
    """The environment of a configured command: ours, less the audit's own credentials."""
    env = {k: v for k, v in os.environ.items() if k not in _WITHHELD_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def split_command(command: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The argv of a configured command (a string is split like a POSIX shell would).

    A ``{python}`` word becomes the interpreter running mlaudit, so a command
    works the same from a virtual environment that is not on ``PATH``.
    """
    if isinstance(command, str):
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise CheckError(f"cannot parse command {command!r}: {exc}") from None
    else:
        argv = tuple(command)
    if not argv:
        raise CheckError("the configured command is empty")
    return tuple(sys.executable if word == PYTHON_PLACEHOLDER else word for word in argv)


def run_command(
    command: str | tuple[str, ...] | list[str],
    *,
    cwd: Path,
    timeout: float,
    stdin: str | None = None,
    what: str = "command",
) -> CommandResult:
    """Run ``command`` in ``cwd``; raise ``CommandFailed`` on timeout, start failure or non-zero exit."""
    import time

    argv = split_command(command)
    shown = shlex.join(argv)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout kills its children too
            env=child_environment(),
        )
    except OSError as exc:
        raise CommandFailed(f"{what} `{shown}` could not start: {exc.strerror or exc}") from None
    try:
        out, err = proc.communicate(stdin.encode() if stdin is not None else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        raise CommandFailed(
            f"{what} `{shown}` did not finish within {timeout:g} s (killed)",
            tail(err.decode("utf-8", "replace")),
        ) from None
    duration = time.perf_counter() - started
    stdout = out[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    if proc.returncode != 0:
        reason = (
            f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exited with {proc.returncode}"
        )
        raise CommandFailed(f"{what} `{shown}` {reason}", tail(stderr))
    return CommandResult(argv, proc.returncode, stdout, stderr, duration)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def parse_json_output(result: CommandResult, what: str = "command") -> Any:
    """The command's stdout as JSON; the last non-empty line is tried when the whole is not JSON.

    Evaluation scripts often log before printing their result; taking the last
    line keeps them usable. Anything else is garbage and raises ``CommandFailed``.
    """
    text = result.stdout.strip()
    if not text:
        raise CommandFailed(f"{what} `{shlex.join(result.argv)}` printed nothing on stdout", result.stderr_tail)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    last = text.splitlines()[-1].strip()
    try:
        return json.loads(last)
    except json.JSONDecodeError:
        snippet = tail(text, 200)
        raise CommandFailed(
            f"{what} `{shlex.join(result.argv)}` did not print JSON (stdout ends with: {snippet!r})",
            result.stderr_tail,
        ) from None
