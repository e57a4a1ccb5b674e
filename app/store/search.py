"""Full-text search over titles and texts (SQLite FTS5, the ``article_fts`` table; on
PostgreSQL :mod:`app.store.search_server`, with the same query language and rows).

The index's content is the article table (migration 0006), so it holds no second copy of
the texts; :func:`index_articles` adds the rows of newly stored articles inside the
transaction that stores them. A query is FTS5's own syntax (words, ``"phrases"``,
``prefix*``, ``AND``/``OR``/``NOT``, ``NEAR``, ``title:``); the matched words are found
by FTS5's ``highlight()``, so the positions shown are exactly what the index matched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.core.errors import LoupeError

#: Marks around a matched word in highlight()'s output: characters of Unicode's
#: noncharacter range, which no imported text keeps (a text holding one is searched
#: without positions rather than with wrong ones).
OPEN, CLOSE = "\ufdd0", "\ufdd1"


@dataclass(frozen=True, slots=True)
class Filters:
    """Which articles a search looks in."""

    #: Only these articles' coder may see (None: every article, as the lead).
    coder_id: str | None = None
    #: The coder sees only assigned articles (a project with assignments).
    blinded: bool = False
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    #: The coder's status on the article ("todo", "in_progress", "done").
    status: str | None = None


@dataclass(frozen=True, slots=True)
class MatchedArticle:
    id: str
    position: int
    title: str
    text: str
    #: (start, end) in code points of every matched word or phrase in the text.
    matches: tuple[tuple[int, int], ...]
    #: The title matched too (or alone).
    in_title: bool


def index_articles(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Add stored articles (dicts with id, position, title, text) to the search index."""
    if conn.dialect.name == "postgresql":
        from app.store.search_server import index_server_articles

        index_server_articles(conn, [(r["id"], r["title"], r["text"]) for r in rows])
        return
    conn.execute(
        text("INSERT INTO article_fts (rowid, title, text) VALUES (:position, :title, :text)"),
        [{"position": r["position"], "title": r["title"], "text": r["text"]} for r in rows],
    )


def rebuild_index(conn: Connection, schema: str = "main") -> None:
    """Index every article of ``schema`` again (a package after its articles are copied)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {schema}.article_fts (article_fts) VALUES ('rebuild')")
    elif conn.dialect.name == "postgresql":  # the articles not indexed yet
        from app.store.search_server import index_missing

        index_missing(conn)


def _spans(marked: str) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """The text without marks and the (start, end) of each marked stretch; None if the
    marks do not pair up."""
    first, *rest = marked.split(OPEN)
    if CLOSE in first:
        return None
    plain, spans, position = [first], [], len(first)
    for piece in rest:
        inner, closed, after = piece.partition(CLOSE)
        if not closed or CLOSE in after:
            return None
        spans.append((position, position + len(inner)))
        plain += [inner, after]
        position += len(inner) + len(after)
    return "".join(plain), tuple(spans)


#: The coder's row of an article (a probe of the unique (article, coder) index: an
#: ``a.id IN (...)`` list here would be used by SQLite's planner as an index constraint
#: and tried for every matching article, quadratic in the project's size).
_MINE = "SELECT 1 FROM assignment s WHERE s.article_id = a.id AND s.coder_id = :coder"


def _article_terms(filters: Filters, params: dict[str, Any]) -> list[str]:
    """Conditions on the article (``a``) itself."""
    where = []
    if filters.source:
        where.append("a.source = :source")
        params["source"] = filters.source
    if filters.date_from:
        where.append("a.published >= :date_from")
        params["date_from"] = filters.date_from
    if filters.date_to:  # a whole day: "2024-03-01" takes in "2024-03-01T18:00"
        where.append("a.published < :date_to")
        params["date_to"] = filters.date_to + "\uffff"
    if filters.coder_id is not None:
        params["coder"] = filters.coder_id
    if filters.status is not None:
        params["status"] = filters.status
    return where


def _where(filters: Filters, params: dict[str, Any]) -> str:
    """The conditions of a query driven by the index (``article_fts`` joined to ``a``)."""
    return " AND ".join(["article_fts MATCH :query", *filter_terms(filters, params)])


def filter_terms(filters: Filters, params: dict[str, Any]) -> list[str]:
    """The conditions of ``filters`` on an article ``a`` (any database)."""
    where = _article_terms(filters, params)
    if filters.coder_id is not None and filters.blinded:
        where.append(f"EXISTS ({_MINE})")
    if filters.status is not None and filters.coder_id is not None:
        if filters.status == "todo":
            where.append(f"NOT EXISTS ({_MINE} AND s.status != 'todo')")
        else:
            where.append(f"EXISTS ({_MINE} AND s.status = :status)")
    return where


class SearchQueries:
    def __new__(cls, engine: Engine) -> SearchQueries:
        if cls is SearchQueries and engine.dialect.name == "postgresql":
            from app.store.search_server import ServerSearch

            return super().__new__(ServerSearch)
        return super().__new__(cls)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def available(self) -> bool:
        return True

    def count(self, query: str, filters: Filters, *, cap: int | None = None) -> int:
        """How many articles match; with ``cap``, at most that many, counted only as far
        as that where a coder's blinding or a filter makes each match cost a lookup.

        A coder with assignments is counted from their own articles (each looked up in
        the set of matching positions); otherwise from the index's matches, each looked
        up in the article table only when a filter needs it.
        """
        params: dict[str, Any] = {"query": query}
        plain = filters.status is None and not (filters.source or filters.date_from or filters.date_to)
        if cap is not None and not (plain and not filters.blinded):
            params["cap"] = cap
            sql = (
                "SELECT count(*) FROM (SELECT 1 FROM article_fts CROSS JOIN article a "
                f"ON a.position = article_fts.rowid WHERE {_where(filters, params)} LIMIT :cap)"
            )
        elif filters.blinded and filters.coder_id is not None:
            terms = _article_terms(filters, params)
            if filters.status is not None:
                terms.append("s.status = :status")
            sql = (
                "SELECT count(*) FROM assignment s JOIN article a INDEXED BY ix_article_listing "
                "ON a.id = s.article_id WHERE s.coder_id = :coder "
                # The unary + keeps SQLite from trying the list as an index constraint.
                "AND +a.position IN (SELECT rowid FROM article_fts WHERE article_fts MATCH :query)"
                + "".join(f" AND {term}" for term in terms)
            )
        elif plain:
            sql = "SELECT count(*) FROM article_fts WHERE article_fts MATCH :query"
        else:
            sql = (
                "SELECT count(*) FROM article_fts CROSS JOIN article a ON a.position = article_fts.rowid "
                f"WHERE {_where(filters, params)}"
            )
        with self._engine.connect() as conn:
            return int(_run(conn, sql, params).scalar_one())

    def sources(self, filters: Filters) -> list[str]:
        """The sources of the articles a search with ``filters`` may look in (only its
        coder and blinding count), sorted: the choices of the window's source filter."""
        params: dict[str, Any] = {}
        if filters.coder_id is not None and filters.blinded:
            # From the coder's assignments, each article looked up in the covering index
            # (30 ms for 50,000 of 100,000 articles; a probe per article took 170 ms).
            params["coder"] = filters.coder_id
            indexed = " INDEXED BY ix_article_listing" if self._engine.dialect.name == "sqlite" else ""
            rows = f"assignment s JOIN article a{indexed} ON a.id = s.article_id WHERE s.coder_id = :coder AND"
        else:
            rows = "article a WHERE"
        sql = f"SELECT DISTINCT a.source FROM {rows} a.source IS NOT NULL AND a.source != '' ORDER BY a.source"
        with self._engine.connect() as conn:
            return [source for (source,) in conn.execute(text(sql), params)]

    def articles(
        self, query: str, filters: Filters, *, after: int = 0, limit: int = 50
    ) -> list[MatchedArticle]:
        """The matching articles after position ``after``, in project order, at most
        ``limit`` of them, with the positions of their matches."""
        params: dict[str, Any] = {"query": query, "after": after, "limit": limit, "o": OPEN, "c": CLOSE}
        sql = (
            "SELECT a.id, a.position, a.title, a.text, "
            "highlight(article_fts, 0, :o, :c), highlight(article_fts, 1, :o, :c) "
            "FROM article_fts CROSS JOIN article a ON a.position = article_fts.rowid "
            f"WHERE {_where(filters, params)} AND article_fts.rowid > :after "
            "ORDER BY article_fts.rowid LIMIT :limit"
        )
        found: list[MatchedArticle] = []
        with self._engine.connect() as conn:
            for article_id, position, title, body, marked_title, marked_text in _run(conn, sql, params):
                spans = marked_spans(body, marked_text)
                title_spans = marked_spans(title, marked_title)
                found.append(MatchedArticle(article_id, position, title, body, spans, bool(title_spans)))
        return found


def marked_spans(original: str, marked: str | None) -> tuple[tuple[int, int], ...]:
    if not marked or OPEN in original or CLOSE in original:
        return ()
    result = _spans(marked)
    if result is None or result[0] != original:
        return ()
    return result[1]


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    try:
        return conn.execute(text(sql), params)
    except OperationalError as exc:
        refusal = unreadable(params["query"], str(exc.orig))
        if refusal is not None:
            raise refusal from exc
        raise


def unreadable(query: str, message: str) -> LoupeError | None:
    """The sentence for a query FTS5 could not read (None: another failure)."""
    if "fts5" in message or "no such column" in message:
        return LoupeError(
            f"The search \u201c{query}\u201d could not be read ({message.removeprefix('fts5: ')}); "
            "put words with punctuation in double quotes."
        )
    return None

