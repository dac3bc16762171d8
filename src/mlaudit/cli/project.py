"""The prologue every repository command shares: the root it was given, its configuration, its audit context.

``audit``, ``hash``, ``sbom`` and ``baseline`` audit through a context;
``sign`` and ``verify`` need the root and the configuration only; ``github``
checks the root and leaves the rest to the Action's flows (which read the base
branch's configuration in a pull request).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.errors import UsageError

if TYPE_CHECKING:
    from mlaudit.config import Config
    from mlaudit.context import AuditContext


def project_root(path: str | Path) -> Path:
    """The repository root a command was given (as given: messages name it so); not a directory is a usage error."""
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    return root


@dataclass(frozen=True)
class Project:
    """The repository a command works on: its root and its configuration."""

    root: Path
    config: Config

    def audit_context(self, args: argparse.Namespace) -> AuditContext:
        """The context the checks read, from the options the command has.

        ``--offline``, ``--cache-dir``, ``--advisory-db`` and ``--github-token``
        are read when the command defines them. What the user should know about
        the set-up (e.g. a cache folder refused) is printed on stderr.
        """
        from mlaudit.context import AuditContext

        advisory_db: Path | None = getattr(args, "advisory_db", None)
        ctx = AuditContext(
            self.root,
            self.config,
            offline=True if getattr(args, "offline", False) else None,
            cache_dir=getattr(args, "cache_dir", None),
            advisory_db=advisory_db.resolve() if advisory_db else None,
            github_token=getattr(args, "github_token", None),
        )
        for note in ctx.notes:
            print(f"mlaudit: note: {note}", file=sys.stderr)
        return ctx


def open_project(args: argparse.Namespace) -> Project:
    """``args.path`` (a directory) and its configuration (``--config``, else the one found in it)."""
    from mlaudit.config import load_config

    root = project_root(args.path)
    return Project(root, load_config(root, args.config))
