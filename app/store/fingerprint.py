"""The schema of a project file, compared with the one Loupe's migrations create.

A project file comes from outside (a coder's package, a copy sent by mail, a file
edited with the ``sqlite3`` shell), so its schema is untrusted like its rows: a trigger
would run attacker's SQL inside Loupe's own transactions, a view could stand in for a
table, and an extra table would travel on into packages. Before a file is used, its
structure (tables with their columns and foreign keys, indexes, and the absence of
triggers and views) must equal what the migrations create at the file's revision. The
reference is built once per revision and process in an in-memory database.

The comparison is structural (``PRAGMA table_xinfo``, ``index_xinfo``,
``foreign_key_list``), not textual, so a file written by another build of Loupe whose
SQL text is formatted differently still matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import StaticPool

#: Tables SQLite itself may add (AUTOINCREMENT counters, ANALYZE statistics).
_INTERNAL_PREFIX = "sqlite_"


@dataclass(frozen=True)
class Schema:
    """What a file's structure is made of, in comparable form."""

    tables: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    indexes: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    #: (type, name) of every trigger and view.
    extras: tuple[tuple[str, str], ...] = ()


def read_schema(conn: Connection) -> Schema:
    """The structure of the database behind ``conn`` (its ``main`` schema)."""
    def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in conn.exec_driver_sql(sql, params).all()]

    tables: dict[str, tuple[Any, ...]] = {}
    indexes: dict[str, tuple[Any, ...]] = {}
    extras: list[tuple[str, str]] = []
    master = "SELECT type, name, tbl_name, sql FROM main.sqlite_master ORDER BY type, name"
    for kind, name, table, sql in rows(master):
        if kind == "table":
            if name.startswith(_INTERNAL_PREFIX) and not name.startswith("sqlite_autoindex"):
                continue
            columns = tuple(row[1:] for row in rows("SELECT * FROM pragma_table_xinfo(?)", name))
            keys = tuple(sorted(row[2:7] for row in rows("SELECT * FROM pragma_foreign_key_list(?)", name)))
            # A virtual table's module and its options (content table, tokeniser) are
            # in its SQL alone: compared word for word.
            virtual = " ".join(sql.split()) if sql and sql.upper().startswith("CREATE VIRTUAL") else None
            tables[name] = (columns, keys, virtual)
        elif kind == "index":
            columns = tuple(row[1:] for row in rows("SELECT * FROM pragma_index_xinfo(?)", name))
            listed = [row for row in rows("SELECT * FROM pragma_index_list(?)", table) if row[1] == name]
            flags = tuple(listed[0][2:]) if listed else ()
            indexes[name] = (table, flags, columns)
        else:
            extras.append((kind, name))
    return Schema(tables, indexes, tuple(extras))


@lru_cache(maxsize=8)
def reference_schema(revision: str) -> Schema:
    """The structure the migrations create at ``revision``, built in memory once.

    At the head revision the models give the same structure as the migrations (a test
    holds them equal) without importing Alembic, which would add a second to the
    window's start; older revisions run the migrations themselves.
    """
    from app.store import migrate

    if revision == migrate.HEAD:
        return _build(_from_models)
    return _build(lambda conn: _from_migrations(conn, revision))


def migrated_schema(revision: str) -> Schema:
    """The structure the migrations create at ``revision`` (always through Alembic)."""
    return _build(lambda conn: _from_migrations(conn, revision))


def _build(create: Any) -> Schema:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            create(conn)
            return read_schema(conn)
    finally:
        engine.dispose()


def _from_models(conn: Connection) -> None:
    from app.store.schema import ARTICLE_FTS, Base

    Base.metadata.create_all(conn)
    conn.exec_driver_sql(ARTICLE_FTS)
    # Alembic's own bookkeeping table, as Alembic creates it.
    conn.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )


def _from_migrations(conn: Connection, revision: str) -> None:
    from alembic import command

    from app.store.migrate import config

    command.upgrade(config(conn), revision)


def schema_problem(conn: Connection, revision: str) -> str | None:
    """Why the file's schema is not Loupe's at ``revision``, as a clause; None if it is."""
    found, wanted = read_schema(conn), reference_schema(revision)
    for kind, name in found.extras:
        return f"holds a {kind} ('{name}') that Loupe does not create"
    for name in sorted(found.tables.keys() - wanted.tables.keys()):
        return f"holds a table ('{name}') that Loupe does not create"
    for name in sorted(wanted.tables.keys() - found.tables.keys()):
        return f"lacks the table '{name}'"
    for name in sorted(wanted.tables):
        if found.tables[name] != wanted.tables[name]:
            return f"has a table '{name}' whose columns or keys differ from Loupe's"
    for name in sorted(found.indexes.keys() ^ wanted.indexes.keys()):
        return f"has an index ('{name}') that Loupe does not create" if name in found.indexes \
            else f"lacks the index '{name}'"
    for name in sorted(wanted.indexes):
        if found.indexes[name] != wanted.indexes[name]:
            return f"has an index '{name}' that differs from Loupe's"
    return None
