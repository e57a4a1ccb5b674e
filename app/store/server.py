"""Publishing a project file to a PostgreSQL database, and copying one back into a file.

``publish`` creates the schema in an empty database with the same Alembic migrations as a
project file (the dialect-specific parts are in the migrations themselves: no FTS5 table
on PostgreSQL), copies every table of the file into it in dependency order, checks that
each table holds as many rows as the file's, sets the sequences of the integer keys past
the copied ids and installs the logins' row-level security (:mod:`app.store.server_roles`),
all in one transaction: a failure leaves the database empty.

``download`` is the reverse: a new project file made by the migrations, filled from the
database in one transaction with the same check, then given its search index. Rows are
copied through SQLAlchemy's table types, so JSON values, booleans and floats come back as
they went (a round trip file -> server -> file gives identical rows).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text
from sqlalchemy.exc import DatabaseError

from app.core.errors import ProjectError
from app.store import migrate
from app.store.engine import APPLICATION_ID, is_url, make_engine, shown_location
from app.store.project_store import ProjectStore
from app.store.schema import Base
from app.store.search import rebuild_index
from app.store.server_roles import install_security

_BATCH = 2_000
#: The tables with an integer key that the database numbers itself.
_SERIAL = ("entity", "assignment")

Progress = Callable[[str], None]


def tables() -> list[Table]:
    """Every table of the schema, each after the tables its foreign keys point at."""
    return list(Base.metadata.sorted_tables)


def copy_rows(source: Connection, target: Connection, table: Table, where: Any = None) -> int:
    """Copy all rows of ``table`` (those that meet ``where``), in key order, in batches;
    the number copied."""
    copied = 0
    keys = list(table.primary_key.columns)
    query = select(table).order_by(*keys)
    if where is not None:
        query = query.where(where)
    result = source.execution_options(yield_per=_BATCH).execute(query)
    for batch in result.mappings().partitions(_BATCH):
        target.execute(insert(table), [dict(row) for row in batch])
        copied += len(batch)
    return copied


def check_counts(source: Connection, target: Connection, where: str) -> None:
    """Refuse (and so roll back) a copy in which some table lost or gained rows."""
    for table in tables():
        expected = source.execute(select(func.count()).select_from(table)).scalar_one()
        found = target.execute(select(func.count()).select_from(table)).scalar_one()
        if expected != found:
            raise ProjectError(
                f"The copy into {where} was undone: its table {table.name} has {found} rows "
                f"instead of {expected}."
            )


def publish(url: str, source_path: Path, progress: Progress | None = None) -> dict[str, int]:
    """Copy the project file ``source_path`` into the empty database at ``url``; the rows
    copied per table."""
    if not is_url(url):
        raise ProjectError(f"{url} is not a database URL (postgresql://user@host/database).")
    shown = shown_location(url)
    with ProjectStore.open(source_path) as project:
        engine = server_engine(url)
        try:
            with project.engine.connect() as source, engine.begin() as target:
                if inspect(target).get_table_names():
                    raise ProjectError(f"{shown} already holds tables; publish into an empty database.")
                migrate.upgrade(target)
                counts = _copy_all(source, target, progress)
                _restart_sequences(target)
                check_counts(source, target, shown)
                rebuild_index(target)  # the server's own search rows (migration 0009)
                install_security(target)
                # Statistics now, not when autovacuum gets round to it: without them the
                # planner took a common word for a rare one (a search page in 20 ms, not 0.3).
                target.exec_driver_sql("ANALYZE")
        except DatabaseError as exc:
            raise ProjectError(f"{shown}: the copy was undone ({_first_line(exc)}).") from exc
        finally:
            engine.dispose()
    return counts


def download(url: str, target_path: Path, progress: Progress | None = None) -> dict[str, int]:
    """Copy the project in the database at ``url`` into a new project file."""
    if target_path.exists():
        raise ProjectError(f"{target_path} already exists; choose another file name.")
    if not target_path.parent.is_dir():
        raise ProjectError(f"The folder {target_path.parent} does not exist.")
    shown = shown_location(url)
    with ProjectStore.open(url) as project:
        partial = target_path.with_name(f".{target_path.name}.partial")
        engine = make_engine(partial)
        try:
            with project.engine.connect() as source, engine.begin() as target:
                target.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                migrate.upgrade(target)
                counts = _copy_all(source, target, progress)
                check_counts(source, target, target_path.name)
                rebuild_index(target)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except DatabaseError as exc:
            _remove(engine, partial)
            raise ProjectError(f"{shown} could not be copied into {target_path.name} ({_first_line(exc)}).") from exc
        except BaseException:
            _remove(engine, partial)
            raise
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
        partial.replace(target_path)
    return counts


def _remove(engine: Engine, partial: Path) -> None:
    engine.dispose()
    for suffix in ("", "-wal", "-shm", "-journal"):
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)


def server_engine(url: str) -> Engine:
    """An engine for a database URL, refusing what is not PostgreSQL."""
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        raise ProjectError(f"{shown_location(url)} is not a PostgreSQL URL; the team server is PostgreSQL.")
    return engine


def copy_share(source: Connection, target: Connection, coder_id: str) -> dict[str, int]:
    """Copy into the empty schema at ``target`` the part of the project at ``source`` that
    a package for ``coder_id`` can hold (:mod:`app.store.packages` writes it from there):
    the project's records, codebooks and coders, and of the articles assigned to the
    coder every row (entities, every coder's assignments and coding, fragments); nothing
    of the other articles, nor the merge log."""
    assignments = Base.metadata.tables["assignment"]
    mine = select(assignments.c.article_id).where(assignments.c.coder_id == coder_id, assignments.c.assigned)
    counts = {}
    for table in tables():
        if table.name == "merge_log":
            continue
        if table.name == "article":
            where = table.c.id.in_(mine)
        elif table.name == "annotation_fragment":
            annotations = Base.metadata.tables["annotation"]
            where = table.c.annotation_id.in_(select(annotations.c.id).where(annotations.c.article_id.in_(mine)))
        elif "article_id" in table.c:
            where = table.c.article_id.in_(mine)
        else:
            where = None
        counts[table.name] = copy_rows(source, target, table, where)
    return counts


def _copy_all(source: Connection, target: Connection, progress: Progress | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables():
        if progress is not None:
            progress(table.name)
        counts[table.name] = copy_rows(source, target, table)
    return counts


def _restart_sequences(conn: Connection) -> None:
    for name in _SERIAL:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


#: What a database call raises (for callers that may not import SQLAlchemy).
DatabaseFailure = DatabaseError


def database_reason(exc: DatabaseError) -> str:
    """The driver's first line, without SQL or parameters."""
    return _first_line(exc)


def _first_line(exc: DatabaseError) -> str:
    return str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
