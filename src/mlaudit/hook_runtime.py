"""What every hook entry point needs: the repository root, its configuration, one line per finding."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.git_safe import run_git
from mlaudit.model import Finding
from mlaudit.render.text import format_finding_line

if TYPE_CHECKING:
    from mlaudit.context import AuditContext


def repo_root(start: Path | None = None) -> Path:
    """The Git work tree's top folder (pre-commit runs hooks there), else the current folder."""
    here = start or Path.cwd()
    top = run_git(here, "rev-parse", "--show-toplevel", timeout=30)
    return Path(top.strip()) if top and top.strip() else here


def relative_paths(root: Path, filenames: Iterable[str]) -> list[str]:
    """Hook arguments (relative to the current folder) as POSIX paths relative to ``root``."""
    out = []
    cwd = Path.cwd()
    for name in filenames:
        path = (cwd / name).absolute()
        try:
            out.append(path.relative_to(root.absolute()).as_posix())
        except ValueError:
            out.append(Path(name).as_posix())
    return out


def print_findings(findings: Iterable[Finding]) -> int:
    """Print one line per finding on stdout; return how many were printed."""
    lines = [format_finding_line(finding) for finding in findings]
    for start in range(0, len(lines), 4096):  # a write per block, not per line: 100k findings print in a blink
        sys.stdout.write("".join(line + "\n" for line in lines[start:start + 4096]))
    sys.stdout.flush()
    return len(lines)


def with_notes_printed(ctx: AuditContext) -> AuditContext:
    """Print the context's notes (a refused cache folder, an ignored ``advisory_db``) on stderr, one line each."""
    for note in ctx.notes:
        print(f"mlaudit: note: {note}", file=sys.stderr)
    return ctx
