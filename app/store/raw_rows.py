"""Plain-tuple reads and batched writes through the driver's cursor, on SQLite and PostgreSQL.

A merge reads and writes tens of thousands of rows as plain tuples of the values a
project file stores: JSON as its text, a flag as 0 or 1. On SQLite that is what the
``sqlite3`` cursor gives and takes. On PostgreSQL a JSON column is read as its text and a
boolean as an integer (so that a server's rows compare equal to a file's), the ``?``
placeholders become psycopg's, and a flag written from a file's row becomes a boolean.
The merge's code (:mod:`app.store.merging`, :mod:`app.store.merge_writes`) stays the same
for both; the dialect is known only here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import JSON

from app.store.engine import sqlite_connection
from app.store.schema import Base

Row = tuple[Any, ...]
_TABLE = re.compile(r"\b(?:FROM|INTO)\s+(\w+)", re.IGNORECASE)
_COLUMNS = re.compile(r"\(([^()]*)\)\s*VALUES", re.IGNORECASE)


def columns_sql(conn: Connection, table: str, columns: Sequence[str]) -> str:
    """The select list of ``columns`` of ``table``, read as a project file stores them."""
    if conn.dialect.name == "sqlite":
        return ", ".join(f'"{c}"' for c in columns)
    types = Base.metadata.tables[table].columns
    shown = []
    for name in columns:
        kind = types[name].type if name in types else None
        if isinstance(kind, JSON):
            shown.append(f'CAST("{name}" AS text) AS "{name}"')
        elif isinstance(kind, Boolean):
            shown.append(f'CAST("{name}" AS integer) AS "{name}"')
        else:
            shown.append(f'"{name}"')
    return ", ".join(shown)


def read(conn: Connection, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
    """The rows of ``sql`` (``?`` placeholders) as plain tuples."""
    if conn.dialect.name == "sqlite":
        return sqlite_connection(conn).execute(sql, parameters).fetchall()
    return [tuple(row) for row in conn.exec_driver_sql(_placeholders(sql), tuple(parameters)).fetchall()]


def write(conn: Connection, statement: str, rows: Sequence[Row]) -> int:
    """Run the ``INSERT``/upsert ``statement`` (``?`` placeholders, its column list in
    parentheses before ``VALUES``) for every row; the number of rows it changed. A
    refused row is SQLAlchemy's :class:`IntegrityError` on both databases."""
    if conn.dialect.name == "sqlite":
        cursor = sqlite_connection(conn).cursor()
        try:
            cursor.executemany(statement, rows)
            return cursor.rowcount
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(statement, None, exc) from exc
        finally:
            cursor.close()
    flags = _flags(statement)
    if flags:
        rows = [tuple(bool(v) if i in flags and v is not None else v for i, v in enumerate(row)) for row in rows]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(_placeholders(statement), rows)
        return int(cursor.rowcount)
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.IntegrityError):
            raise IntegrityError(statement, None, exc) from exc
        raise
    finally:
        cursor.close()


def _flags(statement: str) -> set[int]:
    """Where the boolean columns stand in the statement's column list."""
    table, columns = _TABLE.search(statement), _COLUMNS.search(statement)
    if table is None or columns is None or table.group(1) not in Base.metadata.tables:
        return set()
    types = Base.metadata.tables[table.group(1)].columns
    names = [c.strip().strip('"') for c in columns.group(1).split(",")]
    return {i for i, name in enumerate(names) if name in types and isinstance(types[name].type, Boolean)}


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")
