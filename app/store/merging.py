"""Merging returned project files into the lead's project (backups: :mod:`app.store.backups`).

A returned file is opened read-only through its own engine (``immutable`` when no
other program has it open, so not even a lock file appears beside it). Rows are
matched by UUID (assignments by article and coder) and the newer one wins: higher
revision, then later ``updated_at``; equal versions change nothing, which makes a
merge idempotent and lets files arrive in any order. Writes are bulk upserts
(``executemany``) whose ``WHERE`` repeats the rule, inside ONE transaction for all
files: a failure anywhere leaves the lead's file as it was. Only the rows of the coder
a file is a package for are written, after :mod:`app.services.merge_checks` has checked
every row of the file; the columns that travel are the models' own (:data:`VERSIONED`,
:data:`STATUS_COLUMNS`), so a column added to a model is merged too.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError

from app.core.errors import LoupeError, ProjectError
from app.core.records import Coder, utc_now
from app.core.team import PACKAGE_FOR, FileMerge
from app.store import migrate
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
_CHUNK = 900
#: Columns of ``annotation_fragment``: fragments travel with their annotation.
FRAGMENT_COLUMNS = ("annotation_id", "start", "end")
_BEFORE_FRAGMENTS = frozenset({"0001", "0002", "0003", "0004"})
#: Page cache during a merge, in KiB (SQLite's default is 2 MiB); only what is used is taken.
_CACHE_KIB = 256 * 1024
_DEFAULT_CACHE = -2000


def _columns(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _upsert(table: str, columns: Sequence[str]) -> str:
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns[1:])
    return (
        f"INSERT INTO {table} ({_columns(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates} "
        f"WHERE (excluded.revision, excluded.updated_at) > ({table}.revision, {table}.updated_at)"
    )


_STATUS_UPSERT = (
    f"INSERT INTO assignment ({_columns(STATUS_COLUMNS)}) VALUES ({', '.join('?' * len(STATUS_COLUMNS))}) "
    "ON CONFLICT (article_id, coder_id) DO UPDATE SET "
    + ", ".join(f'"{c}" = excluded."{c}"' for c in STATUS_UPDATED)
    + " WHERE excluded.updated_at > assignment.updated_at"
)
#: The live answers of one coder (the first parameter) on some articles (the IN list that
#: follows) that share their question with another live answer of the coder: read through
#: the (article, coder) index, so a merge reads what the file touched, not the whole table.
_DUPLICATE_ANSWERS = """
SELECT d.id, d.article_id, d.coder_id, d.question, d.updated_at, d.revision FROM document_code d
WHERE d.deleted_at IS NULL AND d.coder_id = ? AND d.article_id IN ({}) AND EXISTS (
    SELECT 1 FROM document_code o WHERE o.deleted_at IS NULL AND o.article_id = d.article_id
    AND o.coder_id = d.coder_id AND o.question = d.question AND o.id != d.id)
"""


class ForeignProject:
    """Another project file (a coder's package or any copy), opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._fragments: list[tuple[Any, ...]] | None = None
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
        # The driver's own cursor: tens of thousands of plain tuples, no result objects.
        with self._engine.connect() as conn:
            return sqlite_connection(conn).execute(f"SELECT {_columns(columns)} FROM {table}").fetchall()

    def fragment_rows(self) -> list[tuple[Any, ...]]:
        """(annotation id, start, end) of every fragment, by annotation and start; none
        in a file older than schema 0005, which had no discontinuous spans."""
        if self.revision in _BEFORE_FRAGMENTS:
            return []
        if self._fragments is None:  # read by the checks and again by the merge: once
            with self._engine.connect() as conn:
                self._fragments = sqlite_connection(conn).execute(
                    f"SELECT {_columns(FRAGMENT_COLUMNS)} FROM annotation_fragment ORDER BY annotation_id, start"
                ).fetchall()
        return self._fragments

    def coder_rows(self) -> list[tuple[Any, ...]]:
        return self.rows("coder", ("id", "name", "role", "created_at"))

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

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


def merge_into(
    engine: Engine,
    files: Sequence[ForeignProject],
    *,
    progress: Callable[[int, int, str], None],
    cancelled: Callable[[], bool],
) -> list[FileMerge]:
    """Merge every file into the project in ONE transaction; returns what each changed.

    Only the rows of the coder each file is a package for are read and written: the
    caller has checked them (:mod:`app.services.merge_checks`), and that every other row
    the file holds (the training gold) would change nothing.
    """
    results: list[FileMerge] = []
    with engine.begin() as conn:
        # Lookups and upserts by UUID land all over the tables: keep them in memory.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{_CACHE_KIB}")
        try:
            for index, foreign in enumerate(files):
                progress(index, len(files), f"Merging {foreign.name}")
                try:
                    result = _merge_one(conn, foreign, cancelled)
                except IntegrityError as exc:
                    raise ProjectError(
                        f"Nothing was merged: {foreign.name} holds rows that refer to missing ones "
                        f"({exc.orig})."
                    ) from exc
                if result.changed:  # a merge that changed nothing leaves no trace at all
                    _log(conn, foreign, result)
                results.append(result)
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size = {_DEFAULT_CACHE}")
        progress(len(files), len(files), "Merged")
    return results


def _log(conn: Connection, foreign: ForeignProject, result: FileMerge) -> None:
    summary = {"coders_added": result.coders_added, "counts": result.summary()}
    conn.exec_driver_sql(
        "INSERT INTO merge_log (id, merged_at, file_name, file_sha256, package_for, summary) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), utc_now(), foreign.name, foreign.sha256(), foreign.package_for,
         json.dumps(summary, ensure_ascii=False)),
    )


def _merge_one(conn: Connection, foreign: ForeignProject, cancelled: Callable[[], bool]) -> FileMerge:
    result = FileMerge(foreign.name, foreign.package_for)
    (owner,) = conn.exec_driver_sql("SELECT id FROM coder WHERE name = ?", (foreign.package_for,)).one()
    name = foreign.package_for or ""
    for kind, (table, columns) in VERSIONED.items():
        if cancelled():
            raise LoupeError("The merge was cancelled; nothing was written.")
        at = {column: i for i, column in enumerate(columns)}
        coder, updated, revised, deleted = at["coder_id"], at["updated_at"], at["revision"], at["deleted_at"]
        incoming = [row for row in foreign.rows(table, columns) if row[coder] == owner]
        current = _versions(conn, table, sorted(row[0] for row in incoming))  # in index order
        winners = []
        for row in incoming:
            have = current.get(row[0])
            if have is not None and (row[revised], row[updated]) <= (have[0], have[1]):
                continue
            if row[deleted] is not None and (have is None or have[2] is None):
                action = "deleted"
            else:
                action = "added" if have is None else "updated"
            result.add(name, kind, action)
            winners.append(row)
        if winners:
            winners.sort()  # by id: each index page is written once, not again and again
            conn.exec_driver_sql(_upsert(table, columns), winners)
            if kind == "annotation":
                _replace_fragments(conn, foreign, winners, current)
            if kind == "answer":
                articles = sorted({row[at["article_id"]] for row in winners})
                _supersede_duplicate_answers(conn, result, owner, name, articles)
    _merge_statuses(conn, foreign, result, owner, name)
    return result


def _replace_fragments(
    conn: Connection, foreign: ForeignProject, winners: Sequence[tuple[Any, ...]], current: dict[str, Any],
) -> None:
    """The fragments of the annotations that won are the file's, as a whole: the
    project's fragments of those it held go, the file's come in (none for a contiguous one)."""
    replaced = [(row[0],) for row in winners if row[0] in current]
    if replaced:
        conn.exec_driver_sql("DELETE FROM annotation_fragment WHERE annotation_id = ?", replaced)
    won = {row[0] for row in winners}
    incoming = [row for row in foreign.fragment_rows() if row[0] in won]
    if incoming:
        conn.exec_driver_sql(
            f"INSERT INTO annotation_fragment ({_columns(FRAGMENT_COLUMNS)}) VALUES (?, ?, ?)", incoming
        )


def _rows_where_in(
    conn: Connection, select: str, column: str, values: Sequence[Any], order: str = ""
) -> list[tuple[Any, ...]]:
    """``select`` (a ``SELECT ... FROM table``) for the rows whose ``column`` is one of
    ``values``, in chunks under SQLite's parameter limit, as plain tuples through the
    driver's cursor (the same types a foreign file's rows have)."""
    found: list[tuple[Any, ...]] = []
    cursor = sqlite_connection(conn).cursor()
    try:
        for i in range(0, len(values), _CHUNK):
            chunk = list(values[i : i + _CHUNK])
            cursor.execute(f"{select} WHERE {column} IN ({', '.join('?' * len(chunk))}) {order}", chunk)
            found += cursor.fetchall()
    finally:
        cursor.close()
    return found


def lead_fragments(conn: Connection, annotation_ids: Sequence[str]) -> dict[str, tuple[tuple[Any, Any], ...]]:
    """annotation id -> the project's fragments of it (sorted), for the ids that have any."""
    found: dict[str, list[tuple[Any, Any]]] = {}
    rows = _rows_where_in(
        conn, f"SELECT {_columns(FRAGMENT_COLUMNS)} FROM annotation_fragment", "annotation_id",
        annotation_ids, "ORDER BY annotation_id, start",
    )
    for annotation_id, first, last in rows:
        found.setdefault(annotation_id, []).append((first, last))
    return {key: tuple(value) for key, value in found.items()}


def _versions(conn: Connection, table: str, ids: list[str]) -> dict[str, tuple[int, str, str | None]]:
    return {
        row[0]: (row[1], row[2], row[3])
        for row in lead_rows(conn, table, ("id", "revision", "updated_at", "deleted_at"), ids)
    }


def lead_rows(conn: Connection, table: str, columns: Sequence[str], ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """The project's rows of ``table`` (``columns``, the id first) whose id is in ``ids``."""
    return _rows_where_in(conn, f"SELECT {_columns(columns)} FROM {table}", "id", ids)


def lead_statuses(conn: Connection, coder_ids: Sequence[str]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(article id, coder id) -> the project's assignment row (:data:`STATUS_COLUMNS`)
    of each coder of ``coder_ids``."""
    rows = _rows_where_in(conn, f"SELECT {_columns(STATUS_COLUMNS)} FROM assignment", "coder_id", coder_ids)
    return {(row[_STATUS_KEY[0]], row[_STATUS_KEY[1]]): row for row in rows}


def project_created_at(conn: Connection) -> str:
    return conn.exec_driver_sql("SELECT created_at FROM project").scalar_one()


def _supersede_duplicate_answers(
    conn: Connection, result: FileMerge, owner: str, name: str, article_ids: Sequence[str],
) -> None:
    """Keep one live answer per article, coder and question: the latest.

    Two answers can exist when a coder answered the same question in two packages
    coded side by side; the older one is tombstoned as a new revision. Only the articles
    whose answers the file just brought (``article_ids``) can hold a new pair.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    cursor = sqlite_connection(conn).cursor()
    try:
        for i in range(0, len(article_ids), _CHUNK):
            chunk = list(article_ids[i : i + _CHUNK])
            cursor.execute(_DUPLICATE_ANSWERS.format(", ".join("?" * len(chunk))), [owner, *chunk])
            for row_id, article_id, _coder_id, question, updated_at, _revision in cursor.fetchall():
                groups.setdefault((article_id, question), []).append((updated_at, row_id))
    finally:
        cursor.close()
    now = utc_now()
    stale = []
    for rows in groups.values():
        rows.sort()
        for _updated_at, row_id in rows[:-1]:
            stale.append((now, now, row_id))
            result.add(name, "answer", "deleted")
    if stale:
        conn.exec_driver_sql(
            "UPDATE document_code SET deleted_at = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
            stale,
        )


def _merge_statuses(conn: Connection, foreign: ForeignProject, result: FileMerge, owner: str, name: str) -> None:
    """Statuses and time spent, matched by article and coder; later ``updated_at`` wins.

    An article the lead no longer assigns to the coder comes back only with work on it,
    and not as assigned: only the lead assigns (:data:`STATUS_KEPT`).
    """
    at = {column: i for i, column in enumerate(STATUS_COLUMNS)}
    coder, status, seconds, updated = at["coder_id"], at["status"], at["seconds_spent"], at["updated_at"]
    assigned = at["assigned"]
    current = lead_statuses(conn, [owner])
    winners = []
    for row in foreign.rows("assignment", STATUS_COLUMNS):
        if row[coder] != owner:
            continue
        have = current.get((row[_STATUS_KEY[0]], row[_STATUS_KEY[1]]))
        if have is None and row[status] == "todo" and not row[seconds]:
            continue
        if have is not None and row[updated] <= have[updated]:
            continue
        result.add(name, "status", "added" if have is None else "updated")
        if have is None:  # the lead took the article back: the work returns, unassigned
            row = row[:assigned] + (False,) + row[assigned + 1 :]
        winners.append(row)
    if winners:
        conn.exec_driver_sql(_STATUS_UPSERT, winners)
