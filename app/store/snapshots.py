"""Reports read one moment of a project while coders write: a snapshot shared by every read.

A report (agreement, export, progress) reads through many repositories, each opening its
own connection. On PostgreSQL each of those would see the rows committed when its own
statement began, so counts read a few milliseconds apart could disagree (an annotation
counted by one query and its relation missed by the next). Inside :func:`read_snapshot`
the first connection opens a ``REPEATABLE READ READ ONLY`` transaction and exports its
snapshot (``pg_export_snapshot``); every transaction that the same thread (context) then
begins on the engine imports it (``SET TRANSACTION SNAPSHOT``), so all the report's reads
see the database as of that one moment, whichever connection of the pool they use, and
take no locks: the coders' edits go on undisturbed. Other threads (the window's edits)
are not affected.

On SQLite the block changes nothing: a report there runs while at most one other
process writes, through WAL read transactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

#: Engines (by id) with an open snapshot in this context -> the snapshot's name.
_SNAPSHOTS: ContextVar[dict[int, str]] = ContextVar("loupe_snapshots", default={})  # noqa: B039 (never mutated)
_NAME = re.compile(r"[0-9A-Fa-f-]+\Z")


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[None]:
    """Make every read of ``engine`` on this thread inside the block see one moment (on
    PostgreSQL; see the module notes). Nested blocks share the outer one's snapshot."""
    if engine.dialect.name != "postgresql" or id(engine) in _SNAPSHOTS.get():
        yield
        return
    if not event.contains(engine, "begin", _import_snapshot):
        event.listen(engine, "begin", _import_snapshot)
    with engine.connect() as holder:
        holder.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        name = holder.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        token = _SNAPSHOTS.set({**_SNAPSHOTS.get(), id(engine): name})
        try:
            yield
        finally:
            _SNAPSHOTS.reset(token)


def _import_snapshot(conn: Any) -> None:
    name = _SNAPSHOTS.get().get(id(conn.engine))
    if name is None:
        return
    if not _NAME.match(name):  # a literal in the statement below (it takes no parameters)
        raise ValueError(f"unexpected snapshot name {name!r}")
    raw = conn.connection.driver_connection
    raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    raw.execute(f"SET TRANSACTION SNAPSHOT '{name}'")
