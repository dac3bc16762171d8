"""Write a file so that readers see the old content or the new, never half of one.

The text goes to a temporary file in the same folder, which is then renamed over
the target (atomic on POSIX). Every cache, the weight manifest and the baseline
are written this way, which is what makes concurrent runs safe.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically, creating its folder if needed.

    ``mode`` sets the new file's permissions (the temporary file is 0600 otherwise),
    so a committed file such as the weight manifest keeps its 0644.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any, *, compact: bool = True) -> None:
    """Replace ``path`` with ``data`` as JSON atomically (compact unless asked otherwise)."""
    text = json.dumps(data, separators=(",", ":")) if compact else json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_text_atomic(path, text)
