"""Writing a coder's package: a new project file with only what one coder may see.

The package is created by the same migrations as any project (so its schema is the
one :mod:`app.store.fingerprint` expects, never a copy of the lead's DDL, which could
carry a trigger or an extra table), then attached to the lead's own connection, and only
the coder's rows are copied into it with column lists taken from the models. The
lead's file is read only through the store's engine (see :mod:`app.store.engine`).
Nothing of another coder is ever written into the new file, which has no journal while
it is filled and no search index (the coder's Loupe builds it on the first open:
:func:`index_if_missing`); any page the build freed is zeroed and given back (incremental
auto-vacuum), and the file is quick-checked and synced before it is renamed into place.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.core.errors import ProjectError
from app.core.staging import fsync_file, fsync_folder
from app.store import migrate
from app.store.engine import APPLICATION_ID, make_engine
from app.store.schema import Base
from app.store.search import rebuild_index

#: Each table of coded material and the condition that selects the coder's share of it,
#: plus the live gold (adjudicators' rows) of the training articles in the package.
_COPY = {
    "article": "x.id IN (SELECT id FROM temp.pkg_article)",
    "entity": "x.article_id IN (SELECT id FROM temp.pkg_article)",
    "coder": "x.id = :coder OR (x.id IN (SELECT id FROM temp.pkg_gold_coder) AND EXISTS (SELECT 1 FROM temp.pkg_gold))",
    "annotation": "(x.coder_id = :coder AND x.article_id IN (SELECT id FROM temp.pkg_article))"
    " OR (x.deleted_at IS NULL AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder)"
    " AND x.article_id IN (SELECT id FROM temp.pkg_gold))",
    "annotation_fragment": "x.annotation_id IN (SELECT id FROM pkg.annotation)",
    "relation": "(x.coder_id = :coder AND x.article_id IN (SELECT id FROM temp.pkg_article))"
    " OR (x.deleted_at IS NULL AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder)"
    " AND x.article_id IN (SELECT id FROM temp.pkg_gold)"
    " AND x.source_id IN (SELECT id FROM pkg.annotation) AND x.target_id IN (SELECT id FROM pkg.annotation))",
    "document_code": "(x.coder_id = :coder AND x.article_id IN (SELECT id FROM temp.pkg_article))"
    " OR (x.deleted_at IS NULL AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder)"
    " AND x.article_id IN (SELECT id FROM temp.pkg_gold))",
    "assignment": "(x.coder_id = :coder AND x.article_id IN (SELECT id FROM temp.pkg_article))"
    " OR (x.coder_id IN (SELECT id FROM temp.pkg_gold_coder) AND x.article_id IN (SELECT id FROM temp.pkg_gold))",
}
#: While the new file is filled: no journal and no syncs (it is renamed into place only
#: once complete and synced, and removed on any failure, so a crash leaves no package);
#: freed pages are zeroed, so none can keep a byte of what the build wrote and freed.
_BUILDING = ("journal_mode=OFF", "synchronous=OFF", "secure_delete=ON")
#: Rows copied in this order (by primary key), so that the file's pages are written once.
_ORDER = {"entity": "x.article_id, x.start", "assignment": "x.id", "annotation_fragment": "x.annotation_id, x.start"}


def _columns(table: str, *, skip: Sequence[str] = ()) -> str:
    return ", ".join(f'"{column.name}"' for column in Base.metadata.tables[table].columns if column.name not in skip)


def _copy(conn: Connection, table: str, condition: str, params: dict[str, Any]) -> None:
    skip = ("id",) if table == "assignment" else ()  # its own row ids are local
    columns = _columns(table, skip=skip)
    selected = ", ".join(f"x.{name}" for name in columns.split(", "))
    order = _ORDER.get(table, "x.id")
    conn.execute(
        text(f"INSERT INTO pkg.{table} ({columns}) SELECT {selected} FROM main.{table} x WHERE {condition} ORDER BY {order}"),
        params,
    )


def write_package(
    lead: Engine, target: Path, *, coder_id: str, settings: dict[str, Any],
    gold_coders: Sequence[str] = (), gold_articles: Sequence[str] = (),
) -> dict[str, int]:
    """Write ``target`` holding the coder's assigned articles and own work; return counts.

    ``lead`` is the engine of the lead's open project. ``settings`` replaces the project
    settings in the package. The live coding of ``gold_coders`` (adjudicators) on those
    of ``gold_articles`` (training articles) that are in the package travels too, with
    their records and statuses; counts are of the coder's own rows. The file appears
    under its name only once complete; on any error nothing is left behind.
    """
    if lead.dialect.name != "sqlite":  # a server: from a copy of the coder's share in a file
        with _staged(lead, target.parent, coder_id) as copy:
            return write_package(
                copy, target, coder_id=coder_id, settings=settings, gold_coders=gold_coders,
                gold_articles=gold_articles,
            )
    partial = target.with_name(f".{target.name}.partial")
    _remove(partial)
    try:
        _create(partial)
        with lead.connect() as conn:
            conn.exec_driver_sql("ATTACH DATABASE ? AS pkg", (str(partial),))
            for pragma in _BUILDING:
                conn.exec_driver_sql(f"PRAGMA pkg.{pragma}")
            conn.commit()  # ATTACH opens no transaction of SQLite's; end SQLAlchemy's
            try:
                with conn.begin():
                    counts = _fill(conn, coder_id, settings, gold_coders, gold_articles)
                _give_back_free_pages(conn)
                # Every page, b-tree and record of the new file: the index-to-table part of a
                # full check is left to the merge, which checks every returned file in full.
                problems = [row[0] for row in conn.exec_driver_sql("PRAGMA pkg.quick_check") if row[0] != "ok"]
                if problems:
                    raise ProjectError(f"The package for {target.name} failed its integrity check ({problems[0]}).")
            finally:
                conn.rollback()
                conn.exec_driver_sql("DETACH DATABASE pkg")
        fsync_file(partial)  # built without syncs (see _BUILDING): on disk before its name
        os.replace(partial, target)
        fsync_folder(target.parent)
    except BaseException:
        _remove(partial)
        raise
    return counts


@contextmanager
def _staged(server: Engine, folder: Path, coder_id: str) -> Iterator[Engine]:
    """What a package for ``coder_id`` can hold of the project on a server, read in one
    transaction (a consistent snapshot while coders write) into a hidden project file
    beside the package, removed afterwards: the package is then written from it as from
    the lead's own file, by the same statements."""
    from app.store.server import copy_share

    staging = folder / f".loupe-staging-{uuid.uuid4().hex}.loupe"
    engine = None
    try:
        _create(staging)  # an empty project file, as a package starts
        engine = make_engine(staging, existing=True)
        with server.connect() as source, engine.begin() as copy:
            source.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            copy_share(source, copy, coder_id)
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        _remove(staging)


def _give_back_free_pages(conn: Connection) -> None:
    """Truncate the pages the build freed (FTS5 merges its segments): each step of an
    incremental vacuum moves one page, and a driver's call makes one step."""
    free = conn.exec_driver_sql("PRAGMA pkg.freelist_count").scalar_one()
    for _ in range(free):
        conn.exec_driver_sql("PRAGMA pkg.incremental_vacuum(1)")
    if conn.exec_driver_sql("PRAGMA pkg.freelist_count").scalar_one():
        raise ProjectError("The package could not be compacted; nothing was written.")


def _remove(partial: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)


#: The bytes of the empty file the migrations make, by head revision: the first package
#: a process writes runs them, the next ones start as a copy (the same bytes: nothing in
#: an empty file differs from one run of the migrations to the next).
_EMPTY: dict[str, bytes] = {}


def _create(partial: Path) -> None:
    """An empty file at the migrations' head (see :data:`_EMPTY`)."""
    empty = _EMPTY.get(migrate.HEAD)
    if empty is not None:
        with partial.open("xb") as out:
            out.write(empty)
        return
    _migrated(partial)
    _EMPTY[migrate.HEAD] = partial.read_bytes()


def _migrated(partial: Path) -> None:
    """An empty file made by the migrations, in rollback-journal mode while it is filled.

    One connection, without syncs (the file is synced before it gets its name) and with
    its journal in memory; incremental auto-vacuum is set before any table exists (and
    out of WAL mode, where it cannot change), so that the pages the build frees are
    given back without a VACUUM (:func:`_give_back_free_pages`).
    """
    engine = make_engine(partial)
    try:
        with engine.connect() as conn:
            for pragma in ("journal_mode=DELETE", "auto_vacuum=INCREMENTAL", "synchronous=OFF"):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA journal_mode=MEMORY")
            conn.commit()  # pragmas open no transaction of SQLite's; end SQLAlchemy's
            with conn.begin():
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                migrate.upgrade(conn)
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
            conn.commit()
    finally:
        engine.dispose()


def _fill(
    conn: Connection, coder_id: str, settings: dict[str, Any],
    gold_coders: Sequence[str], gold_articles: Sequence[str],
) -> dict[str, int]:
    # Every codebook version the project has used, with its maps: the coder's window shows
    # the codebook of the file's version, and a merge migrates along the same history.
    conn.exec_driver_sql(
        f"INSERT INTO pkg.codebook ({_columns('codebook')}) SELECT {_columns('codebook')} FROM main.codebook c "
        "WHERE c.id IN (SELECT codebook_id FROM main.codebook_history)"
    )
    conn.exec_driver_sql(
        f"INSERT INTO pkg.codebook_history ({_columns('codebook_history')}) "
        f"SELECT {_columns('codebook_history')} FROM main.codebook_history"
    )
    conn.exec_driver_sql(
        "INSERT INTO pkg.project (id, name, created_at, codebook_id, settings) "
        "SELECT id, name, created_at, codebook_id, ? FROM main.project",
        (json.dumps(settings, ensure_ascii=False),),
    )
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.pkg_article")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE pkg_article AS SELECT DISTINCT article_id AS id FROM main.assignment "
        "WHERE coder_id = ? AND assigned",
        (coder_id,),
    )
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.pkg_gold_coder")
    conn.exec_driver_sql("CREATE TEMP TABLE pkg_gold_coder (id TEXT PRIMARY KEY)")
    for gold_coder in gold_coders:
        if gold_coder != coder_id:
            conn.exec_driver_sql("INSERT OR IGNORE INTO temp.pkg_gold_coder VALUES (?)", (gold_coder,))
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.pkg_gold")
    conn.exec_driver_sql("CREATE TEMP TABLE pkg_gold (id TEXT PRIMARY KEY)")
    for article in gold_articles:
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO temp.pkg_gold SELECT id FROM temp.pkg_article WHERE id = ?", (article,)
        )
    params = {"coder": coder_id}
    for table, condition in _COPY.items():
        _copy(conn, table, condition, params)
    violations = conn.exec_driver_sql("PRAGMA pkg.foreign_key_check").all()
    if violations:
        raise ProjectError(f"The package would be inconsistent ({violations[0][0]} refers to a missing row).")
    counts = {
        "articles": _count(conn, "article"),
        "entities": _count(conn, "entity"),
        "annotations": _count(conn, "annotation", coder_id),
        "relations": _count(conn, "relation", coder_id),
        "answers": _count(conn, "document_code", coder_id),
    }
    for temporary in ("pkg_article", "pkg_gold", "pkg_gold_coder"):
        conn.exec_driver_sql(f"DROP TABLE temp.{temporary}")
    return counts


def index_if_missing(conn: Connection) -> None:
    """Build the search index of a file that has articles and no index: a package opened
    for work the first time. Packages are written without one (indexing the articles was
    a third of writing them); the coder's Loupe indexes its own articles once (0.3 s for
    10,000), when :meth:`app.store.project_store.ProjectStore.open` opens it for work."""
    missing = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM article) AND NOT EXISTS (SELECT 1 FROM article_fts_docsize)"
    ).scalar_one()
    if missing:
        rebuild_index(conn)


def _count(conn: Connection, table: str, coder_id: str | None = None) -> int:
    """Rows of ``table`` in the package, or with ``coder_id`` the coder's live ones."""
    if coder_id is None:
        return conn.exec_driver_sql(f"SELECT COUNT(*) FROM pkg.{table}").scalar_one()
    return conn.exec_driver_sql(
        f"SELECT COUNT(*) FROM pkg.{table} WHERE deleted_at IS NULL AND coder_id = ?", (coder_id,)
    ).scalar_one()
