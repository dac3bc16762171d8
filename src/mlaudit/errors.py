"""The project's errors. Only the CLI and hook entry points turn them into exit codes."""

from __future__ import annotations


class MlauditError(Exception):
    """Base of every error mlaudit raises on purpose; the message is for a human."""

    exit_code = 3

    def diagnostics(self) -> str:
        """A human explanation of what went wrong and what to do."""
        return str(self)


class UsageError(MlauditError):
    """The command line asked for something that cannot be done (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration is invalid; the message names the file and the key (exit 2)."""


class CheckSkipped(MlauditError):
    """Raised by a check that does not apply here; the reason is shown, never a pass."""


class CheckError(MlauditError):
    """Raised by a check that should have run but could not (tool missing, service down)."""
