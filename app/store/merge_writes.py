"""Writing the checked rows of returned files into the lead's project.

A merge is ONE transaction for all its files (:func:`merge_transaction`), begun with
``BEGIN IMMEDIATE`` before the first row is read: each file's rows are checked against
the project as it stands in that transaction (:mod:`app.services.merge_checks`), and
the rows that won are written from the same read (:class:`FilePlan`), so a file is read
once and nothing can change between its check and its write. A failure anywhere rolls
everything back. Rows new to the project are plain inserts; rows it holds are upserts
whose ``WHERE`` repeats the rule (higher revision, then later ``updated_at``), and every
write must change exactly the rows that were checked to win, or the merge is undone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from app.core.errors import LoupeError, ProjectError
from app.core.records import utc_now
from app.core.team import FileMerge
from app.store import raw_rows
from app.store.engine import driver_sql, sqlite_connection
from app.store.merging import (
    CHUNK,
    FRAGMENT_COLUMNS,
    STATUS_COLUMNS,
    STATUS_UPDATED,
    VERSIONED,
    ForeignProject,
    quoted,
)

Row = tuple[Any, ...]
#: Page cache during a merge, in KiB (SQLite's default is 2 MiB); only what is used is taken.
_CACHE_KIB = 256 * 1024
_DEFAULT_CACHE = -2000
#: The tables a merge writes, locked against other writers on a server for its length.
_MERGED = "annotation, annotation_fragment, relation, document_code, assignment, merge_log"


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({quoted(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _upsert(table: str, columns: Sequence[str]) -> str:
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns[1:])
    return (
        f"{_insert(table, columns)} ON CONFLICT (id) DO UPDATE SET {updates} "
        f"WHERE (excluded.revision, excluded.updated_at) > ({table}.revision, {table}.updated_at)"
    )


_STATUS_UPSERT = (
    f"{_insert('assignment', STATUS_COLUMNS)} ON CONFLICT (article_id, coder_id) DO UPDATE SET "
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


@dataclass
class Winners:
    """The rows of one kind a file brings that are newer than the project's and passed
    every check: those new to the project, those it holds, and the project's
    ``deleted_at`` of those it holds."""

    new: list[Row] = field(default_factory=list)
    old: list[Row] = field(default_factory=list)
    held: dict[str, str | None] = field(default_factory=dict)
    #: The articles on which the project holds rows of this kind of the file's coder
    #: (None: not known, any article may).
    articles: set[str] | None = None


@dataclass
class FilePlan:
    """What one checked file writes: its coder's winning rows of each kind of
    :data:`~app.store.merging.VERSIONED`, and statuses (:data:`STATUS_COLUMNS`, the
    ``assigned`` flag already the lead's) with how many of them are new to the project."""

    owner: str
    versioned: dict[str, Winners] = field(default_factory=lambda: {kind: Winners() for kind in VERSIONED})
    statuses: list[Row] = field(default_factory=list)
    new_statuses: int = 0


@contextmanager
def merge_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction, its lock taken before the first read; committed when the
    block ends, rolled back if it raises."""
    with engine.begin() as conn:
        if conn.dialect.name != "sqlite":  # a server: the coding tables' write lock, as SQLite's
            conn.exec_driver_sql(f"LOCK TABLE {_MERGED} IN SHARE ROW EXCLUSIVE MODE")
            yield conn
            return
        if not sqlite_connection(conn).in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        # Lookups and writes by UUID land all over the tables: keep them in memory.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{_CACHE_KIB}")
        try:
            yield conn
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size = {_DEFAULT_CACHE}")


class RefusedWrite(ProjectError):
    """The project refused a row of a file (a key it holds already, a missing row it
    refers to). The merge is undone with its transaction; until then, the rows the file
    wrote before that one stay, each as the file brings it (see :func:`merge_file`)."""


def merge_file(conn: Connection, foreign: ForeignProject, plan: FilePlan, cancelled: Callable[[], bool]) -> FileMerge:
    """Write what ``plan`` holds (checked rows of ``foreign``); returns what changed.

    No savepoint is taken around a file's writes in a project file (keeping the pages each
    file changes for a rollback to one made the writes a quarter slower): a refused row
    undoes the whole merge, and checking the file again by id, to name the row, finds the
    rows it wrote before the refused one as the project's own, in the same version (left
    alone). On a server a refused row aborts the transaction, which then answers no query:
    there the file's writes are in a savepoint, rolled back to for that check.
    """
    result = FileMerge(foreign.name, foreign.package_for)
    server = conn.dialect.name != "sqlite"
    if server:
        conn.exec_driver_sql("SAVEPOINT merge_file")
    try:
        _write_file(conn, foreign, plan, result, cancelled)
    except IntegrityError as exc:
        if server:
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT merge_file")
        raise RefusedWrite(
            f"Nothing was merged: {foreign.name} holds rows that the project refused ({exc.orig})."
        ) from exc
    if server:
        conn.exec_driver_sql("RELEASE SAVEPOINT merge_file")
    if result.changed:  # a merge that changed nothing leaves no trace at all
        _log(conn, foreign, result)
    return result


def _write_file(
    conn: Connection, foreign: ForeignProject, plan: FilePlan, result: FileMerge, cancelled: Callable[[], bool]
) -> None:
    name = foreign.package_for or ""
    for kind, (table, columns) in VERSIONED.items():
        if cancelled():
            raise LoupeError("The merge was cancelled; nothing was written.")
        winners = plan.versioned[kind]
        new, old, held = winners.new, winners.old, winners.held
        if not new and not old:
            continue
        deleted = columns.index("deleted_at")
        # By article, then id: the (article, coder) index, the widest, is written in order
        # (each of its pages once); by id alone the writes took 15 % longer at 100,000 articles.
        # (Two stable sorts, by id then by article: four times faster than one by pairs.)
        for rows in (new, old):
            rows.sort(key=itemgetter(0))
            rows.sort(key=itemgetter(columns.index("article_id")))
        tombstones = sum(1 for row in new if row[deleted] is not None)
        buried = sum(1 for row in old if row[deleted] is not None and held[row[0]] is None)
        for action, n in (("added", len(new) - tombstones), ("deleted", tombstones + buried),
                          ("updated", len(old) - buried)):
            if n:
                result.add(name, kind, action, n)
        _write(conn, foreign, _insert(table, columns), new)
        _write(conn, foreign, _upsert(table, columns), old)
        if kind == "annotation":
            _replace_fragments(conn, foreign, winners)
        if kind == "answer":
            _supersede_duplicate_answers(conn, result, plan.owner, name, _may_repeat(columns, winners))
    if plan.statuses:
        for action, n in (("added", plan.new_statuses), ("updated", len(plan.statuses) - plan.new_statuses)):
            if n:
                result.add(name, "status", action, n)
        _write(conn, foreign, _STATUS_UPSERT, plan.statuses)


def _write(conn: Connection, foreign: ForeignProject, statement: str, rows: Sequence[Row]) -> None:
    """Every row changes the project, as the checks found, or the merge is undone."""
    if not rows:
        return
    written = raw_rows.write(conn, statement, rows)
    if written != len(rows):
        raise ProjectError(
            f"Nothing was merged: {foreign.name} changed {written} rows where {len(rows)} were checked."
        )


def _replace_fragments(conn: Connection, foreign: ForeignProject, winners: Winners) -> None:
    """The fragments of the annotations that won are the file's, as a whole: the
    project's fragments of those it held go, the file's come in (none for a contiguous one)."""
    replaced = [(row[0],) for row in winners.old]
    if replaced:
        driver_sql(conn, "DELETE FROM annotation_fragment WHERE annotation_id = ?", replaced)
    fragments = foreign.fragment_rows()
    if not fragments:  # most files: contiguous spans only
        return
    won = {row[0] for rows in (winners.new, winners.old) for row in rows}
    incoming = [row for row in fragments if row[0] in won]
    if incoming:
        driver_sql(conn, f"INSERT INTO annotation_fragment ({quoted(FRAGMENT_COLUMNS)}) VALUES (?, ?, ?)", incoming)


def _may_repeat(columns: Sequence[str], winners: Winners) -> list[str]:
    """The articles where the file's answers may leave two live answers to one question:
    where the project held answers of the coder, or the file brings two."""
    article, question, deleted = (columns.index(c) for c in ("article_id", "question", "deleted_at"))
    rows = [*winners.new, *winners.old]
    held = winners.articles
    if held is None:
        return sorted({row[article] for row in rows})
    found = {row[article] for row in rows if row[article] in held}
    pairs = [(row[article], row[question]) for row in rows if row[deleted] is None and row[article] not in held]
    if len(set(pairs)) < len(pairs):  # the file brings two live answers to one question somewhere
        seen: set[tuple[Any, Any]] = set()
        for pair in pairs:
            if pair in seen:
                found.add(pair[0])
            seen.add(pair)
    return sorted(found)


def _supersede_duplicate_answers(
    conn: Connection, result: FileMerge, owner: str, name: str, article_ids: Sequence[str],
) -> None:
    """Keep one live answer per article, coder and question: the latest.

    Two answers can exist when a coder answered the same question in two packages
    coded side by side; the older one is tombstoned as a new revision. Only the articles
    whose answers the file just brought (``article_ids``) can hold a new pair.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for i in range(0, len(article_ids), CHUNK):
        chunk = list(article_ids[i : i + CHUNK])
        found = raw_rows.read(conn, _DUPLICATE_ANSWERS.format(", ".join("?" * len(chunk))), [owner, *chunk])
        for row_id, article_id, _coder_id, question, updated_at, _revision in found:
            groups.setdefault((article_id, question), []).append((updated_at, row_id))
    now = utc_now()
    stale = []
    for rows in groups.values():
        rows.sort()
        for _updated_at, row_id in rows[:-1]:
            stale.append((now, now, row_id))
            result.add(name, "answer", "deleted")
    if stale:
        driver_sql(
            conn, "UPDATE document_code SET deleted_at = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
            stale,
        )


def _log(conn: Connection, foreign: ForeignProject, result: FileMerge) -> None:
    summary = {"coders_added": result.coders_added, "counts": result.summary()}
    driver_sql(
        conn, "INSERT INTO merge_log (id, merged_at, file_name, file_sha256, package_for, summary) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), utc_now(), foreign.name, foreign.sha256(), foreign.package_for,
         json.dumps(summary, ensure_ascii=False)),
    )
