"""Engines for project files: pragmas, and the checks made before a file is trusted.

A project file is opened only through an engine made here. Nothing else in the process
opens, reads or closes a descriptor on it: POSIX advisory locks belong to the process,
and closing ANY descriptor on the file drops them all, after which another process
(a second ``loupe`` command, the ``sqlite3`` shell) believes it is the last user,
checkpoints the write-ahead log and deletes it while this one still writes into it.
SQLite's own connections are safe among themselves (SQLite defers closing a descriptor
while another connection of the process holds a lock), so every check here goes through
SQLite, never through ``open()``.

Before anything is written, an existing file must be a SQLite database carrying Loupe's
application id (checked on the first connection before WAL mode is set, so a foreign
database is never changed) and pass SQLite's integrity check: the quick one when a
project is opened for work (its cost grows with the file, and the window must open a
project of 100,000 articles in a second), the full one on every file that comes back from
another machine, and on backups. A returned file
(a coder's package) is read through :func:`make_readonly_engine`: immutable and
read-only, so no lock file, journal or log is created, applied or deleted beside it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import NullPool

from app.core.errors import ProjectError

#: Written to ``PRAGMA application_id`` so that a Loupe file is recognisable ("LOUP").
APPLICATION_ID = 0x4C4F5550
BUSY_TIMEOUT_MS = 10_000
#: The smallest SQLite database (one page of the smallest page size).
_MIN_DATABASE_BYTES = 512


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


def server_url(target: str) -> str:
    """A database URL for SQLAlchemy: ``postgresql://`` means psycopg 3 (the ``server``
    extra), not SQLAlchemy's default psycopg2."""
    for bare in ("postgresql://", "postgres://"):
        if target.startswith(bare):
            return "postgresql+psycopg://" + target[len(bare):]
    return target


def shown_location(target: str | Path) -> str:
    """How a project is named in a sentence: a file's name, or a URL without its password."""
    if not is_url(target):
        return Path(target).name
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(str(target)).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database URL"


class ForeignDatabase(ProjectError):
    """A SQLite database that is not a Loupe project; raised before anything is changed."""


def _connect_pragmas(name: str, existing: bool) -> Any:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if existing:
                # Before WAL mode is set: that would rewrite a foreign database's header.
                application_id = cursor.execute("PRAGMA application_id").fetchone()[0]
                if application_id != APPLICATION_ID:
                    raise ForeignDatabase(f"{name} is a SQLite database of another program, not a Loupe project.")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk before the call returns, even across a power cut.
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    return set_pragmas


def make_engine(target: str | Path, *, existing: bool = False) -> Engine:
    """An engine for a project file path or a database URL.

    ``existing``: the file must already be a Loupe project; every new connection checks
    its application id before it changes anything.
    """
    if is_url(target):
        from app.store.unreachable import ping_after_idle, watch

        engine = create_engine(server_url(str(target)))
        watch(engine, shown_location(target))
        ping_after_idle(engine)
        return engine
    path = Path(target)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _connect_pragmas(path.name, existing))
    return engine


def make_readonly_engine(path: Path) -> Engine:
    """An engine that reads a returned file without ever writing beside it.

    ``immutable=1`` makes SQLite take no locks and create no ``-shm``; a write-ahead log
    beside the file would be ignored, so a file with one is refused instead (its newest
    edits are in the log: the coder's Loupe still has it open or was stopped mid-write).
    """
    check_file(path)
    log = path.with_name(path.name + "-wal")
    try:
        has_log = log.stat().st_size > 0
    except OSError:
        has_log = False
    if has_log:
        raise ProjectError(
            f"{path.name} has a write-ahead log ({log.name}) beside it: its newest edits are not "
            "in the file yet. Open and close it in Loupe on the computer where it was coded, "
            "then send it again."
        )
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA application_id").scalar() != APPLICATION_ID:
                raise ProjectError(f"{path.name} is a SQLite database of another program, not a Loupe project.")
            check_integrity(conn, path.name)
    except DatabaseError as exc:
        engine.dispose()
        raise ProjectError(open_failure(path.name, exc)) from exc
    except ProjectError:
        engine.dispose()
        raise
    return engine


def open_failure(label: str, exc: DatabaseError) -> str:
    """The sentence for a file SQLite could not read as a project."""
    message = str(exc.orig)
    if "not a database" in message:
        return f"{label} is not a Loupe project (it is not a SQLite database)."
    if "malformed" in message or "corrupt" in message:
        return f"{label} is damaged and cannot be opened ({message})."
    return f"{label} cannot be opened as a Loupe project ({message})."


def check_file(path: Path) -> None:
    """Refuse, with one sentence, a path that cannot be a project file, from its metadata alone."""
    name = path.name
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ProjectError(f"{path} does not exist.") from None
    except OSError as exc:
        raise ProjectError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ProjectError(f"{path} is a folder, not a Loupe project file.")
    if not stat.S_ISREG(info.st_mode):
        raise ProjectError(f"{name} is not a regular file, so it cannot be a Loupe project.")
    if info.st_size < _MIN_DATABASE_BYTES:
        raise ProjectError(f"{name} is not a Loupe project (it is not a SQLite database).")


def check_integrity(conn: Connection, name: str, *, quick: bool = False) -> None:
    """Refuse a damaged file. ``quick`` runs ``PRAGMA quick_check``: every page, b-tree
    and record (what a crash or a failing disk damages), but not whether each index
    agrees with its table, in a third of the time (0.3 s for 100,000 articles)."""
    rows = conn.exec_driver_sql("PRAGMA quick_check" if quick else "PRAGMA integrity_check").all()
    problems = [row[0] for row in rows if row[0] != "ok"]
    if problems:
        raise ProjectError(
            f"{name} is damaged: the integrity check found {len(problems)} problem(s), "
            f"the first being '{problems[0]}'."
        )


def sqlite_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn``, for what SQLAlchemy does not wrap: the
    backup API, the transaction state, plain-tuple cursors over many rows."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError(f"Expected an SQLite connection, not {type(raw).__name__}.")
    return raw


def driver_sql(conn: Connection, sql: str, parameters: Any = ()) -> Any:
    """``conn.exec_driver_sql`` for a statement written with SQLite's ``?`` placeholders,
    on any dialect: psycopg's are ``%s`` (and a literal ``%`` is ``%%``). The statements
    given here hold no ``?`` or ``%`` but their placeholders."""
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("%", "%%").replace("?", "%s")
    return conn.exec_driver_sql(sql, parameters)
