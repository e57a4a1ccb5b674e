"""Merging returned project files into the lead's project (backups: :mod:`app.store.backups`).

A returned file is opened read-only through its own engine (``immutable`` when no
other program has it open, so not even a lock file appears beside it). Rows are
matched by UUID (assignments by article and coder) and the newer one wins: higher
revision, then later ``updated_at``; equal versions change nothing, which makes a
merge idempotent and lets files arrive in any order. This module reads the returned
files and the project's versions of their rows; :mod:`app.store.merge_writes` writes,
in ONE transaction for all files, the rows of the coder each file is a package for
that :mod:`app.services.merge_checks` found newer and valid. The columns that travel
are the models' own (:data:`VERSIONED`, :data:`STATUS_COLUMNS`), so a column added to a
model is merged too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError

from app.core.errors import ProjectError
from app.core.records import Coder
from app.core.team import PACKAGE_FOR
from app.store import migrate, raw_rows
from app.store.engine import make_readonly_engine, sqlite_connection
from app.store.fingerprint import schema_problem
from app.store.schema import AnnotationRow, AssignmentRow, Base, DocumentCodeRow, RelationRow


def _columns_of(model: type[Base]) -> tuple[str, ...]:
    names = tuple(column.name for column in model.__table__.columns)
    assert names[0] == "id", model  # rows travel and are keyed with their id first
    return names


#: kind -> (table, columns in the order rows travel): every column of the model, so a
#: column added to a model travels without a change here (the id first: upserts key on it).
VERSIONED: dict[str, tuple[str, tuple[str, ...]]] = {
    "annotation": ("annotation", _columns_of(AnnotationRow)),
    "relation": ("relation", _columns_of(RelationRow)),
    "answer": ("document_code", _columns_of(DocumentCodeRow)),
}
#: Columns of ``assignment`` that stay the lead's: the row number (local to each file)
#: and whether the lead assigned the article (a coder's file cannot assign itself work).
STATUS_KEPT = ("id", "assigned")
#: Columns of ``assignment`` that travel: matched by (article_id, coder_id), the rest updated.
STATUS_COLUMNS = tuple(c for c in _columns_of(AssignmentRow) if c != "id")
STATUS_UPDATED = tuple(c for c in STATUS_COLUMNS if c not in STATUS_KEPT + ("article_id", "coder_id"))
_STATUS_KEY = (STATUS_COLUMNS.index("article_id"), STATUS_COLUMNS.index("coder_id"))
#: Ids per lookup, under SQLite's limit of bound parameters.
CHUNK = 900
#: Columns of ``annotation_fragment``: fragments travel with their annotation.
FRAGMENT_COLUMNS = ("annotation_id", "start", "end")
_BEFORE_FRAGMENTS = frozenset({"0001", "0002", "0003", "0004"})


def quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class ForeignProject:
    """Another project file (a coder's package or any copy), opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._fragments: list[tuple[Any, ...]] | None = None
        self._sha256: str | None = None
        self._ahead: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self._engine = make_readonly_engine(path)
        try:
            with self._engine.connect() as conn:
                revision = migrate.current_revision(conn)
                if revision is None:
                    raise ProjectError(f"{self.name} is not a Loupe project (it has no Loupe tables).")
                if revision not in migrate.KNOWN_REVISIONS:
                    raise ProjectError(
                        f"{self.name} was written by a newer version of Loupe; update Loupe to merge it."
                    )
                self.revision = revision
                problem = schema_problem(conn, revision)
                if problem is not None:
                    raise ProjectError(f"{self.name} cannot be merged: its database {problem}.")
                rows = conn.exec_driver_sql(
                    "SELECT p.id, p.name, p.settings, c.sha256, c.name, c.version FROM project p "
                    "JOIN codebook c ON c.id = p.codebook_id"
                ).all()
        except DatabaseError as exc:
            self._engine.dispose()
            raise ProjectError(f"{self.name} cannot be read as a Loupe project ({exc.orig}).") from exc
        except ProjectError:
            self._engine.dispose()
            raise
        if len(rows) != 1:
            self._engine.dispose()
            raise ProjectError(f"{self.name} is not a Loupe project (its project record is missing).")
        self.project_id, self.project_name, settings, self.codebook_sha, cb_name, cb_version = rows[0]
        self.codebook_label = f"{cb_name} {cb_version}"
        self.package_for: str | None = (json.loads(settings or "{}") or {}).get(PACKAGE_FOR)

    def coders(self) -> list[Coder]:
        with self._engine.connect() as conn:
            return [Coder(*row) for row in conn.exec_driver_sql("SELECT id, name, role FROM coder").all()]

    def articles(self) -> Iterator[tuple[str, str, str, str]]:
        """(id, title, stored text hash, text) of every article, one at a time."""
        with self._engine.connect() as conn:
            yield from conn.exec_driver_sql("SELECT id, title, text_sha256, text FROM article").tuples()

    def rows(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """Every row of ``table`` (``columns``), as read ahead (once) or read now."""
        ahead = self._ahead.pop((table, tuple(columns)), None)
        if ahead is not None:
            return ahead
        # The driver's own cursor: tens of thousands of plain tuples, no result objects.
        with self._engine.connect() as conn:
            return sqlite_connection(conn).execute(f"SELECT {quoted(columns)} FROM {table}").fetchall()

    def read_ahead(self) -> None:
        """Read the rows the merge checks (:data:`VERSIONED`, statuses, fragments) now, on
        the caller's thread, for :meth:`rows` to hand over once each."""
        ahead = {(table, columns): self.rows(table, columns) for table, columns in VERSIONED.values()}
        ahead["assignment", STATUS_COLUMNS] = self.rows("assignment", STATUS_COLUMNS)
        self.fragment_rows()
        self._ahead = ahead

    def fragment_rows(self) -> list[tuple[Any, ...]]:
        """(annotation id, start, end) of every fragment, by annotation and start; none
        in a file older than schema 0005, which had no discontinuous spans."""
        if self.revision in _BEFORE_FRAGMENTS:
            return []
        if self._fragments is None:  # read by the checks and again by the merge: once
            with self._engine.connect() as conn:
                self._fragments = sqlite_connection(conn).execute(
                    f"SELECT {quoted(FRAGMENT_COLUMNS)} FROM annotation_fragment ORDER BY annotation_id, start"
                ).fetchall()
        return self._fragments

    def coder_rows(self) -> list[tuple[Any, ...]]:
        return self.rows("coder", ("id", "name", "role", "created_at"))

    def sha256(self) -> str:
        """The file's sha256 (read once: the file is not changed while it is open)."""
        if self._sha256 is None:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            self._sha256 = digest.hexdigest()
        return self._sha256

    def close(self) -> None:
        self._engine.dispose()


def project_identity(engine: Engine) -> tuple[str, str]:
    """(project id, codebook sha256) of an open project."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT p.id, c.sha256 FROM project p JOIN codebook c ON c.id = p.codebook_id"
        ).one()
    return row[0], row[1]


def article_hashes(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, text_sha256 FROM article").tuples().all())


def _rows_where_in(
    conn: Connection, select: str, column: str, values: Sequence[Any], order: str = "", *, also: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """``select`` (a ``SELECT ... FROM table``, or ``... WHERE <condition> AND`` with its
    parameters in ``also``) for the rows whose ``column`` is one of ``values``, in chunks
    under SQLite's parameter limit, as plain tuples through the driver's cursor (the
    same types a foreign file's rows have)."""
    found: list[tuple[Any, ...]] = []
    where = "" if also else " WHERE"
    for i in range(0, len(values), CHUNK):
        chunk = list(values[i : i + CHUNK])
        found += raw_rows.read(conn, f"{select}{where} {column} IN ({', '.join('?' * len(chunk))}) {order}", [*also, *chunk])
    return found


def lead_fragments(conn: Connection, annotation_ids: Sequence[str]) -> dict[str, tuple[tuple[Any, Any], ...]]:
    """annotation id -> the project's fragments of it (sorted), for the ids that have any."""
    found: dict[str, list[tuple[Any, Any]]] = {}
    rows = _rows_where_in(
        conn, f"SELECT {quoted(FRAGMENT_COLUMNS)} FROM annotation_fragment", "annotation_id",
        annotation_ids, "ORDER BY annotation_id, start",
    )
    for annotation_id, first, last in rows:
        found.setdefault(annotation_id, []).append((first, last))
    return {key: tuple(value) for key, value in found.items()}


def lead_rows(conn: Connection, table: str, columns: Sequence[str], ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """The project's rows of ``table`` (``columns``, the id first) whose id is in ``ids``."""
    return _rows_where_in(conn, f"SELECT {raw_rows.columns_sql(conn, table, columns)} FROM {table}", "id", ids)


def lead_rows_of(
    conn: Connection, table: str, columns: Sequence[str], coder_id: str, article_ids: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The project's rows of ``table`` (``columns``, the id first) of one coder on some
    articles, through the (article, coder) index: a range per article, not a probe per id."""
    return _rows_where_in(
        conn, f"SELECT {raw_rows.columns_sql(conn, table, columns)} FROM {table} WHERE coder_id = ? AND", "article_id",
        article_ids,
        also=(coder_id,),
    )


def lead_statuses(conn: Connection, coder_ids: Sequence[str]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(article id, coder id) -> the project's assignment row (:data:`STATUS_COLUMNS`)
    of each coder of ``coder_ids``."""
    selected = raw_rows.columns_sql(conn, "assignment", STATUS_COLUMNS)
    rows = _rows_where_in(conn, f"SELECT {selected} FROM assignment", "coder_id", coder_ids)
    return {(row[_STATUS_KEY[0]], row[_STATUS_KEY[1]]): row for row in rows}


def project_created_at(conn: Connection) -> str:
    return conn.exec_driver_sql("SELECT created_at FROM project").scalar_one()
