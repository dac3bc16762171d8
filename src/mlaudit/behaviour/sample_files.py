"""Read a column of numbers (per-sample scores, per-request timings) from a file.

Accepted layouts, chosen by content rather than extension:

- a JSON array of numbers, or a JSON object whose ``field`` is such an array;
- JSON Lines: one number, or one object holding ``field``, per line;
- CSV with a header row holding ``field``;
- plain text: one number per line.

Anything else raises ``CheckError`` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from mlaudit.errors import CheckError
from mlaudit.formats.bounded_json import loads_json

MAX_SAMPLE_FILE_BYTES = 512 * 1024 * 1024


def read_numbers(path: Path, field: str = "", *, label: str = "") -> list[float]:
    """The finite numbers of ``field`` in ``path`` (see the module for layouts)."""
    shown = label or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_SAMPLE_FILE_BYTES:
            raise CheckError(f"{shown}: {size} bytes is more than the {MAX_SAMPLE_FILE_BYTES} byte limit")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckError(f"{shown}: file not found") from None
    except UnicodeDecodeError:
        raise CheckError(f"{shown}: not UTF-8 text") from None
    except OSError as exc:
        raise CheckError(f"{shown}: cannot read: {exc.strerror}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            whole = loads_json(text)
        except ValueError:
            whole = None  # maybe JSON Lines
        if whole is not None:
            values = whole.get(field) if isinstance(whole, dict) and field else whole
            if not isinstance(values, list):
                raise CheckError(f"{shown}: expected a JSON array" + (f" under '{field}'" if field else ""))
            return _numbers(values, shown, field)
        return _json_lines(text, shown, field)
    first = stripped.splitlines()[0] if stripped else ""
    if field and ("," in first or first.strip() == field):
        return _csv_column(text, shown, field)
    return _numbers([line for line in text.splitlines() if line.strip()], shown, field)


def _json_lines(text: str, shown: str, field: str) -> list[float]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(loads_json(line))
        except ValueError as exc:
            raise CheckError(f"{shown}:{number}: not usable JSON ({exc})") from None
    return _numbers(items, shown, field)


def _csv_column(text: str, shown: str, field: str) -> list[float]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or field not in reader.fieldnames:
        raise CheckError(f"{shown}: no column '{field}' (columns: {', '.join(reader.fieldnames or [])})")
    return _numbers([row[field] for row in reader], shown, "")


def _numbers(items: list[object], shown: str, field: str) -> list[float]:
    out: list[float] = []
    for index, item in enumerate(items, start=1):
        value = item.get(field) if isinstance(item, dict) and field else item
        if isinstance(value, bool):
            value = float(value)  # per-sample correctness is often true/false
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            where = f" field '{field}'" if field else ""
            raise CheckError(f"{shown}: item {index}{where} is not a number: {value!r:.60}") from None
        if not math.isfinite(number):
            raise CheckError(f"{shown}: item {index} is not finite ({number})")
        out.append(number)
    if not out:
        raise CheckError(f"{shown}: no values")
    return out
