"""A coder's article list read in pieces: the order, then the rows that are shown.

A project may hold 100,000 articles; the window must not read them all to show twenty.
:meth:`ListingQueries.order` returns only the ids (and statuses) of the coder's articles
in the asked order and filter, sorted and filtered by SQLite; :meth:`rows` reads the
columns of the few rows a view draws. Which articles a coder sees follows
:meth:`app.store.assignments.AssignmentRepository.listing`: every article in a project
without assignments, else only those assigned to the coder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.core.records import ArticleListing
from app.store.assignments import has_assignments
from app.store.engine import sqlite_connection

#: Sortable columns and their SQL keys (ties broken by position, the import order).
SORT_KEYS = {
    "position": "a.position",
    "title": "a.title COLLATE NOCASE",
    "source": "coalesce(a.source, '') COLLATE NOCASE",
    "published": "coalesce(a.published, '')",
    "language": "coalesce(a.language, '') COLLATE NOCASE",
    "status": "CASE coalesce(s.status, 'todo') WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END",
}
_ROW_CHUNK = 500
_NOCASE = " COLLATE NOCASE"


def sort_key(name: str, keys: dict[str, str], sqlite: bool) -> str:
    """The SQL of sort key ``name`` for the dialect: PostgreSQL has no NOCASE collation,
    so a case-insensitive key is sorted by lower() there."""
    sql = keys[name]
    return sql if sqlite or not sql.endswith(_NOCASE) else f"lower({sql[: -len(_NOCASE)]})"


@dataclass(frozen=True, slots=True)
class ListingSummary:
    """What the list's footer and column choice need, counted by SQLite."""

    total: int
    done: int
    with_source: bool
    with_date: bool
    languages: int


def _tuples(conn: Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """All rows as plain tuples: on SQLite through the driver's own cursor, which for
    100,000 rows takes a third less time than building SQLAlchemy rows."""
    if conn.dialect.name == "sqlite":
        return sqlite_connection(conn).execute(sql, params).fetchall()
    return [tuple(row) for row in conn.execute(text(sql), params)]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def title_or_source_contains(sqlite: bool) -> str:
    """The condition "the title or source of ``a`` contains :needle" (a :func:`_like`
    pattern), ignoring the case of ASCII letters: SQLite's LIKE does, PostgreSQL's LIKE
    compares case and its ILIKE does not."""
    like = "LIKE" if sqlite else "ILIKE"
    return f"(a.title {like} :needle ESCAPE '\\' OR a.source {like} :needle ESCAPE '\\')"


class ListingQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        sqlite = engine.dialect.name == "sqlite"
        #: The covering index by id (migration 0006): SQLite's planner otherwise looks up
        #: the article row itself, whose page holds the whole text.
        self._by_id = "article a INDEXED BY ix_article_listing" if sqlite else "article a"

    def order(
        self,
        coder_id: str,
        *,
        sort: str = "position",
        descending: bool = False,
        status: str | None = None,
        needle: str = "",
        first: Sequence[str] = (),
    ) -> list[tuple[str, str]]:
        """(id, status) of the coder's articles: sorted by ``sort`` (a key of
        :data:`SORT_KEYS`), with ``first`` (ids) ahead in their own order when sorting by
        position; only those with ``status`` and whose title or source contains ``needle``
        (case-insensitive for ASCII letters) when given.

        With assignments the coder's rows drive the query (one index probe per article
        of theirs); without, the article index is read alone and the coder's few status
        rows are joined here, because probing the assignments for each of 100,000
        articles would cost more than the whole sort.
        """
        params: dict[str, Any] = {"coder": coder_id}
        where = []
        if needle:
            where.append(title_or_source_contains(self._engine.dialect.name == "sqlite"))
            params["needle"] = _like(needle)
        keys = []
        if sort == "position" and first:
            cases = " ".join(f"WHEN :f{i} THEN {i}" for i in range(len(first)))
            keys.append(f"CASE a.id {cases} ELSE {len(first)} END")
            params.update({f"f{i}": article_id for i, article_id in enumerate(first)})
        with self._engine.connect() as conn:
            if has_assignments(conn):
                if status is not None:
                    where.append("s.status = :status")
                    params["status"] = status
                keys += [sort_key(sort, SORT_KEYS, conn.dialect.name == "sqlite"), "a.position"]
                sql = (
                    f"SELECT a.id, s.status FROM assignment s JOIN {self._by_id} ON a.id = s.article_id "
                    "WHERE s.coder_id = :coder" + "".join(f" AND {w}" for w in where)
                    + f" ORDER BY {', '.join(keys)}"
                )
                result = _tuples(conn, sql, params)
            else:
                result = self._unassigned(conn, params, where, keys, sort, status)
        if descending:
            result.reverse()
        return result

    @staticmethod
    def _unassigned(
        conn: Any, params: dict[str, Any], where: list[str], keys: list[str], sort: str, status: str | None
    ) -> list[tuple[str, str]]:
        started = "SELECT article_id FROM assignment WHERE coder_id = :coder AND status"
        if status == "todo":
            where.append(f"a.id NOT IN ({started} != 'todo')")
        elif status is not None:
            where.append(f"a.id IN ({started} = :status)")
            params["status"] = status
        if sort == "status":
            keys.append(
                f"CASE WHEN a.id IN ({started} = 'done') THEN 2 "
                f"WHEN a.id IN ({started} = 'in_progress') THEN 1 ELSE 0 END"
            )
        else:
            keys.append(sort_key(sort, SORT_KEYS, conn.dialect.name == "sqlite"))
        keys.append("a.position")
        sql = (
            "SELECT a.id FROM article a" + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY {', '.join(keys)}"
        )
        statuses = dict(_tuples(conn, "SELECT article_id, status FROM assignment WHERE coder_id = :coder", params))
        return [(row[0], statuses.get(row[0], "todo")) for row in _tuples(conn, sql, params)]

    def rows(self, coder_id: str, article_ids: Sequence[str]) -> dict[str, ArticleListing]:
        """The list rows of ``article_ids``, by id (their status is the coder's)."""
        found: dict[str, ArticleListing] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(article_ids), _ROW_CHUNK):
                part = list(article_ids[i : i + _ROW_CHUNK])
                marks = ", ".join(f":i{j}" for j in range(len(part)))
                params: dict[str, Any] = {"coder": coder_id, **{f"i{j}": v for j, v in enumerate(part)}}
                sql = (
                    "SELECT a.id, a.position, a.title, a.source, a.published, "
                    f"coalesce(s.status, 'todo'), a.language FROM {self._by_id} "
                    "LEFT JOIN assignment s ON s.article_id = a.id AND s.coder_id = :coder "
                    f"WHERE a.id IN ({marks})"
                )
                for row in conn.execute(text(sql), params):
                    found[row[0]] = ArticleListing(*row)
        return found

    def summary(self, coder_id: str) -> ListingSummary:
        """Counts over the coder's articles (all of them, whatever a filter shows)."""
        with self._engine.connect() as conn:
            params = {"coder": coder_id}
            done = conn.execute(
                text("SELECT count(*) FROM assignment WHERE coder_id = :coder AND status = 'done'"), params
            ).scalar_one()
            if has_assignments(conn):
                source = f"FROM assignment s JOIN {self._by_id} ON a.id = s.article_id WHERE s.coder_id = :coder"
            else:
                source = "FROM article a"
            total, with_source, with_date, languages = conn.execute(text(
                "SELECT count(*), coalesce(max(CASE WHEN coalesce(a.source, '') != '' THEN 1 ELSE 0 END), 0), "
                "coalesce(max(CASE WHEN coalesce(a.published, '') != '' THEN 1 ELSE 0 END), 0), "
                f"count(DISTINCT coalesce(a.language, '')) {source}"
            ), params).one()
        return ListingSummary(total, done, bool(with_source), bool(with_date), languages)
