"""Load a CSV or Parquet table with pandas (Parquet through pyarrow), with clear errors.

Only data is read: no pickle-backed formats, nothing that can execute code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.errors import CheckError

if TYPE_CHECKING:
    import pandas as pd

MAX_TABLE_BYTES = 4 * 1024**3
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")


def table_columns(path: Path, *, label: str) -> list[str]:
    """The column names of a table, read from its header or Parquet schema only."""
    return [str(c) for c in load_table(path, label=label, max_rows=0).columns]


def load_table(
    path: Path, *, label: str, columns: Sequence[str] | None = None, max_rows: int | None = None
) -> pd.DataFrame:
    """The table at ``path`` (only ``columns`` when given, no rows when ``max_rows=0``).

    Raises ``CheckError`` on any problem.
    """
    try:
        import pandas as pd
    except ImportError:
        raise CheckError("pandas is not installed: install mlaudit[full]") from None
    name = path.name.lower()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CheckError(f"{label}: file not found") from None
    except OSError as exc:
        raise CheckError(f"{label}: cannot read: {exc.strerror}") from None
    if size > MAX_TABLE_BYTES:
        raise CheckError(f"{label}: {size} bytes is more than the {MAX_TABLE_BYTES} byte limit")
    wanted = list(columns) if columns else None
    try:
        if name.endswith(PARQUET_SUFFIXES):
            if max_rows == 0:
                import pyarrow.parquet as pq

                empty: pd.DataFrame = pq.read_schema(path).empty_table().to_pandas()
                return empty
            frame = pd.read_parquet(path, columns=wanted, engine="pyarrow")
        elif name.endswith(CSV_SUFFIXES):
            sep = "\t" if ".tsv" in name else ","
            frame = pd.read_csv(path, sep=sep, usecols=wanted, low_memory=False, nrows=max_rows)
        else:
            raise CheckError(f"{label}: unknown table format (use .csv, .tsv or .parquet)")
    except CheckError:
        raise
    except ImportError as exc:
        raise CheckError(f"{label}: {exc} (install mlaudit[full])") from None
    except ValueError as exc:
        # pandas says "Usecols do not match columns" for a missing column; pyarrow raises its own.
        raise CheckError(f"{label}: cannot read the table: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - parser errors of pandas/pyarrow have no common base
        raise CheckError(f"{label}: not a readable table: {type(exc).__name__}: {exc}") from None
    return frame


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, label: str) -> None:
    """``CheckError`` naming the missing columns and the ones that exist."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns[:30]))
        raise CheckError(f"{label}: missing column(s) {', '.join(missing)} (columns: {present})")
