"""A folder of CSV files, one per table: UTF-8 with a byte order mark (so that Excel
reads the encoding right), comma-separated, RFC 4180 quoting.

CSV has no cell types, so text that a spreadsheet would take for a formula (it begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
apostrophe, as OWASP recommends against CSV injection. Numbers are written plainly,
dates and times as ISO 8601 (``2024-03-05 14:30:00``, UTC), booleans as TRUE/FALSE.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.core.exports import Table
from app.exchange.writers.cells import csv_text

_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z]+")


def file_name(table_name: str) -> str:
    """``Article answers`` -> ``article_answers.csv``."""
    return _UNSAFE_NAME.sub("_", table_name).strip("_").lower() + ".csv"


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return csv_text(str(value))


def write_csv_table(path: Path, table: Table) -> int:
    """Write one table to ``path``; returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_text(column.name) for column in table.columns])
        for row in table.rows:
            writer.writerow([_field(value) for value in row])
            count += 1
    return count


def write_csv_folder(folder: Path, tables: Iterable[Table]) -> dict[str, int]:
    """Write each table to ``folder/<name>.csv``; returns {file name: data rows}."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in tables:
        name = file_name(table.name)
        written[name] = write_csv_table(folder / name, table)
    return written
