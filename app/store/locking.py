"""How one edit's transaction keeps concurrent writers from losing each other's updates.

Every edit is one short transaction at the database's default isolation: READ COMMITTED
on PostgreSQL (SQLite has one writer at a time, so it is serializable anyway). READ
COMMITTED and not REPEATABLE READ or SERIALIZABLE because an edit never needs a snapshot
older than its own statements: each UPDATE sets ``revision = revision + 1`` in the
statement itself, so PostgreSQL applies it to the newest committed row (waiting for a
writer that holds it) and no revision is lost, and the few edits that must read before
they write (a change checked against the annotation it changes, a removal that finds the
relations it takes along, an answer or status that may not exist yet) first lock what they
read, here. Stricter levels would turn every such meeting of two writers into a
serialization failure to retry; READ COMMITTED with locks makes the later writer wait a
few milliseconds instead.

On SQLite the same functions take the file's write lock at the start of the transaction
(``BEGIN IMMEDIATE``), so that no other connection writes between its reads and its writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from app.store.engine import sqlite_connection


def write_lock(conn: Connection) -> None:
    """SQLite: take the write lock now (a no-op inside a transaction that has it, and on
    PostgreSQL, whose row locks are taken by :func:`lock_rows` and :func:`lock_key`)."""
    if conn.dialect.name == "sqlite" and not sqlite_connection(conn).in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_rows(conn: Connection, model: Any, ids: Sequence[str]) -> list[Any]:
    """The rows of ``model`` with these ids, locked against other writers until the
    transaction ends (``FOR NO KEY UPDATE``: foreign keys to them are still checked
    freely), taken in id order so that two transactions never wait for each other."""
    write_lock(conn)
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(conn.execute(locking(conn, select(model).where(model.id.in_(wanted)).order_by(model.id))).all())


def locking(conn: Connection, query: Any, *of: Any) -> Any:
    """``query`` locking the rows it reads (of the tables ``of``, default all) on
    PostgreSQL (``FOR NO KEY UPDATE``); on SQLite, after :func:`write_lock`, as it is."""
    if conn.dialect.name != "postgresql":
        return query
    return query.with_for_update(key_share=True, of=list(of) or None)


def lock_key(conn: Connection, *parts: str) -> None:
    """Serialize the transactions that write a row which may not exist yet (an answer to a
    question, found by article, coder and question, with no unique key): on PostgreSQL a
    transaction-scoped advisory lock on those parts."""
    write_lock(conn)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0))", {"key": "\x1f".join(parts)}
        )


def conflict_insert(conn: Connection, model: Any) -> Any:
    """The dialect's INSERT of ``model``, which has ``on_conflict_do_nothing`` and
    ``on_conflict_do_update`` (the same on SQLite and PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)
