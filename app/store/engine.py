"""Engines for project files: pragmas, and the checks made before a file is trusted.

A project is a SQLite file (or, untested so far, a SQLAlchemy URL of a server
database). Before anything is written, :func:`check_sqlite_file` makes sure the file
is a SQLite database, belongs to Loupe, and passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from app.core.errors import ProjectError

#: Written to ``PRAGMA application_id`` so that a Loupe file is recognisable ("LOUP").
APPLICATION_ID = 0x4C4F5550
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before the call returns, even across a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(target: str | Path) -> Engine:
    """An engine for a project file path or a database URL."""
    if is_url(target):
        return create_engine(str(target))
    engine = create_engine(f"sqlite:///{Path(target)}")
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _live_application_id(path: Path) -> int | None:
    """The application id as SQLite sees it, write-ahead log included.

    The header on disk can lag behind while another process has the file open and its
    log is not yet written back; a read-only connection sees the current value.
    """
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA application_id").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def check_sqlite_file(path: Path) -> None:
    """Refuse, with one sentence, a path that is not an intact Loupe project file.

    The header is read before any connection is made, so a foreign file is never
    touched; a Loupe file is then checked through the standard library driver.
    """
    name = path.name
    if not path.exists():
        raise ProjectError(f"{path} does not exist.")
    if path.is_dir():
        raise ProjectError(f"{path} is a folder, not a Loupe project file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ProjectError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise ProjectError(f"{name} is not a Loupe project (it is not a SQLite database).")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != APPLICATION_ID and _live_application_id(path) != APPLICATION_ID:
        raise ProjectError(f"{name} is a SQLite database of another program, not a Loupe project.")
    try:
        connection = sqlite3.connect(str(path))
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{name} is damaged and cannot be opened ({exc}).") from exc
    problems = [row[0] for row in rows if row[0] != "ok"]
    if problems:
        raise ProjectError(
            f"{name} is damaged: the integrity check found {len(problems)} problem(s), "
            f"the first being '{problems[0]}'."
        )
