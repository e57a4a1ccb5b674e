"""Full-text search on PostgreSQL, with the same query language and rows as a project file.

A project file's search is SQLite's FTS5 (:mod:`app.store.search`). On PostgreSQL every
article has a row in ``article_search`` (migration 0009): its words as FTS5's tokeniser
reads them (``unicode61 remove_diacritics 2``: Unicode letters and digits, case and
diacritics folded; so Latin, Cyrillic and Arabic alike), found by running that tokeniser
itself in an in-memory SQLite database, written as a ``tsvector`` (PostgreSQL's
``simple`` configuration keeps a word as given) with the title's words weighted A and
the text's B, under a GIN index.

A query (FTS5's syntax: words, ``"phrases"``, ``prefix*``, ``AND``/``OR``/``NOT``,
``NEAR``, ``title:``) becomes a ``tsquery`` that every matching article satisfies (a
phrase asks for its words; ``a NOT b`` asks for ``a`` without ``b`` when ``b`` is exact,
else for ``a``); the few articles it finds are then matched by FTS5 itself in memory,
whose ``highlight()`` gives the positions: the keyword-in-context rows are exactly a
project file's. A query of words, prefixes, columns, ``AND``, ``OR`` and ``NOT`` alone is
exact in the ``tsquery``, and is counted there.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from app.store.schema import ARTICLE_FTS
from app.store.search import (
    CLOSE,
    OPEN,
    Filters,
    MatchedArticle,
    SearchQueries,
    filter_terms,
    marked_spans,
    unreadable,
)

#: The in-memory index: the project file's FTS5 table, holding its own copy of the rows.
_MEMORY = ARTICLE_FTS.replace("content='article', content_rowid='position', ", "")
#: A tsvector position is at most this (PostgreSQL's limit).
_MAX_POSITION = 16_383
#: A lexeme is at most 2 KiB in a tsvector; a longer word is not indexed.
_MAX_LEXEME_BYTES = 2_000
#: Articles read from the server per round while matching.
_ROUND = 200
#: Articles indexed per statement.
_BATCH = 500
_TOKEN = re.compile(r'"(?:[^"]|"")*"\*?|[()]|[^\s()"]+')
_COLUMN = re.compile(r"^(title|text):(.*)$")
_WEIGHT = {"title": "A", "text": "B"}


def _memory() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(_MEMORY)
    db.execute("CREATE VIRTUAL TABLE article_words USING fts5vocab(article_fts, 'instance')")
    return db


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def documents(rows: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(article id, tsvector text) of (id, title, text) rows: each word with its first
    place in the title (weight A) and in the text (weight B)."""
    with closing(_memory()) as db:
        db.executemany(
            "INSERT INTO article_fts (rowid, title, text) VALUES (?, ?, ?)",
            [(number, title, body) for number, (_id, title, body) in enumerate(rows)],
        )
        first: list[dict[str, dict[str, int]]] = [{} for _ in rows]
        for word, number, column, offset in db.execute(
            "SELECT term, doc, col, min(offset) FROM article_words GROUP BY term, doc, col"
        ):
            first[number].setdefault(word, {})[column] = offset
    found = []
    for (article_id, _title, _text), words in zip(rows, first, strict=True):
        entries = []
        for word, places in words.items():
            if len(word.encode("utf-8")) > _MAX_LEXEME_BYTES:
                continue
            positions = []
            if "title" in places:
                positions.append(f"{min(places['title'] + 1, _MAX_POSITION)}A")
            if "text" in places:
                positions.append(f"{min(places['text'] + 2 + _MAX_POSITION // 2, _MAX_POSITION)}B")
            entries.append(f"{_lexeme(word)}:{','.join(positions)}")
        found.append((article_id, " ".join(entries)))
    return found


def index_server_articles(conn: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """Index stored articles, (id, title, text) each."""
    for i in range(0, len(rows), _BATCH):
        conn.execute(
            text("INSERT INTO article_search (article_id, document) VALUES (:id, CAST(:document AS tsvector))"),
            [{"id": article_id, "document": document} for article_id, document in documents(rows[i : i + _BATCH])],
        )


def index_missing(conn: Connection) -> int:
    """Index every article that has no search row yet (after a publish or a migration)."""
    done = 0
    while True:
        rows = conn.execute(
            text(
                "SELECT a.id, a.title, a.text FROM article a WHERE NOT EXISTS "
                "(SELECT 1 FROM article_search x WHERE x.article_id = a.id) ORDER BY a.position LIMIT :n"
            ),
            {"n": _BATCH},
        ).tuples().all()
        if not rows:
            return done
        index_server_articles(conn, [tuple(row) for row in rows])
        done += len(rows)


@dataclass(frozen=True)
class _Plan:
    """A query (or a part of one) as a tsquery (None: no condition) that every matching
    article satisfies, and whether the tsquery matches exactly those articles (words,
    prefixes, columns, AND, OR, and NOT of such; not a phrase of several words, NEAR or
    ``^``, which the tsquery can only approach)."""

    tsquery: str | None
    exact: bool


_EVERYTHING = _Plan(None, False)


class _Parser:
    """FTS5's grammar as far as the plan needs it; NOT binds closest, then AND, then OR."""

    def __init__(self, query: str, db: sqlite3.Connection) -> None:
        self.tokens = _TOKEN.findall(query)
        self.at = 0
        self.db = db

    def plan(self) -> _Plan:
        try:
            found = self._or()
            if self.at != len(self.tokens):
                raise ValueError("left over")
        except (ValueError, IndexError):
            return _EVERYTHING  # FTS5 decides alone (and names a syntax error)
        return found

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _or(self) -> _Plan:
        parts = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        if any(p.tsquery is None for p in parts):
            return _EVERYTHING
        return _Plan("(" + " | ".join(str(p.tsquery) for p in parts) + ")", all(p.exact for p in parts))

    def _and(self) -> _Plan:
        parts = [self._not()]
        while self._peek() not in (None, "OR", ")"):
            if self._peek() == "AND":
                self.at += 1
            parts.append(self._not())
        return _all(parts)

    def _not(self) -> _Plan:
        kept = self._primary()
        while self._peek() == "NOT":
            self.at += 1
            dropped = self._primary()
            if dropped.exact and dropped.tsquery is not None:  # exactly "and not those"
                kept = _all([kept, _Plan(f"!{dropped.tsquery}", True)])
            else:  # the tsquery can only keep the left side
                kept = _Plan(kept.tsquery, False)
        return kept

    def _primary(self) -> _Plan:
        token = self.tokens[self.at]
        self.at += 1
        if token == "(":
            inner = self._or()
            if self._peek() != ")":
                raise ValueError("no closing bracket")
            self.at += 1
            return inner
        if token == "NEAR" and self._peek() == "(":
            self.at += 1
            words = []
            while self._peek() not in (None, ")"):
                word = self.tokens[self.at].rstrip(",")
                self.at += 1
                if word and not word.isdigit():
                    words.append(self._phrase(word, None))
            self.at += 1
            return _Plan(_all(words).tsquery, False)
        column = None
        named = _COLUMN.match(token)
        if named:
            column, token = named.group(1), named.group(2)
            if not token:
                token = self.tokens[self.at]
                self.at += 1
        if token in ("AND", "OR", "NOT", ")"):
            raise ValueError("an operator where a word belongs")
        return self._phrase(token, column)

    def _phrase(self, token: str, column: str | None) -> _Plan:
        caret = token.startswith("^")
        if caret:
            token = token[1:]
        prefix = token.endswith("*")
        if prefix:
            token = token[:-1]
        if token.startswith('"'):
            token = token[1:-1].replace('""', '"')
        words = _words(self.db, token)
        weight = _WEIGHT[column] if column else ""
        last = len(words) - 1
        marks = ["*" + weight if prefix and i == last else weight for i in range(len(words))]
        found = _all([_Plan(_lexeme(word) + (":" + mark if mark else ""), True) for word, mark in zip(words, marks, strict=True)])
        return _Plan(found.tsquery, found.exact and len(words) == 1 and not caret)


def _all(parts: Sequence[_Plan]) -> _Plan:
    """Every one of ``parts`` (a part without condition asks for nothing)."""
    kept = [p.tsquery for p in parts if p.tsquery is not None]
    exact = all(p.exact for p in parts)
    if not kept:
        return _Plan(None, False)
    return _Plan(kept[0] if len(kept) == 1 else "(" + " & ".join(kept) + ")", exact)


def _words(db: sqlite3.Connection, phrase: str) -> list[str]:
    """The words of ``phrase`` as the index's tokeniser reads them, in order."""
    db.execute("DELETE FROM article_fts")
    db.execute("INSERT INTO article_fts (rowid, title, text) VALUES (1, ?, '')", (phrase,))
    words = [w for (w,) in db.execute("SELECT term FROM article_words WHERE col = 'title' ORDER BY offset")]
    db.execute("DELETE FROM article_fts")
    return words


class ServerSearch(SearchQueries):
    """:class:`~app.store.search.SearchQueries` on PostgreSQL (made by it for a server's engine)."""

    def count(self, query: str, filters: Filters, *, cap: int | None = None) -> int:
        plan = self._plan(query)
        if plan.exact:
            params: dict[str, Any] = {}
            sql = f"SELECT count(*) FROM (SELECT 1 {self._from(plan, filters, params)}"
            if cap is not None:
                sql += " LIMIT :cap"
                params["cap"] = cap
            with self._engine.connect() as conn:
                return int(conn.execute(text(sql + ") AS found"), params).scalar_one())
        counted = 0
        for _article in self._matching(query, plan, filters, 0, _ROUND):
            counted += 1
            if cap is not None and counted >= cap:
                break
        return counted

    def articles(self, query: str, filters: Filters, *, after: int = 0, limit: int = 50) -> list[MatchedArticle]:
        found: list[MatchedArticle] = []
        plan = self._plan(query)
        # The tsquery alone decides: every article read matches, so read no more than asked.
        for article in self._matching(query, plan, filters, after, limit if plan.exact else max(limit, _ROUND)):
            found.append(article)
            if len(found) >= limit:
                break
        return found

    def _plan(self, query: str) -> _Plan:
        with closing(_memory()) as db:
            try:  # a query FTS5 cannot read is refused before the server is asked
                db.execute("SELECT 1 FROM article_fts WHERE article_fts MATCH ?", (query,)).fetchall()
            except sqlite3.OperationalError as exc:
                refusal = unreadable(query, str(exc))
                if refusal is not None:
                    raise refusal from exc
                raise
            return _Parser(query, db).plan()

    def _from(self, plan: _Plan, filters: Filters, params: dict[str, Any]) -> str:
        """``FROM ... WHERE ...`` of the articles the tsquery and ``filters`` let through."""
        where = filter_terms(filters, params)
        if plan.tsquery is None:
            return "FROM article a WHERE " + " AND ".join(where or ["TRUE"])
        params["tsquery"] = plan.tsquery
        return (
            "FROM article_search x JOIN article a ON a.id = x.article_id "
            "WHERE " + " AND ".join(["x.document @@ CAST(:tsquery AS tsquery)", *where])
        )

    def _matching(
        self, query: str, plan: _Plan, filters: Filters, after: int, size: int
    ) -> Iterator[MatchedArticle]:
        """The matching articles after position ``after``, in order, read ``size`` at a time."""
        with closing(_memory()) as db:
            while True:
                params: dict[str, Any] = {"after": after, "n": size}
                sql = (
                    f"SELECT a.id, a.position, a.title, a.text {self._from(plan, filters, params)} "
                    "AND a.position > :after ORDER BY a.position LIMIT :n"
                )
                with self._engine.connect() as conn:
                    rows = conn.execute(text(sql), params).tuples().all()
                yield from _matched(db, query, rows)
                if len(rows) < size:
                    return
                after = rows[-1][1]


def _matched(db: sqlite3.Connection, query: str, rows: Sequence[Any]) -> Iterator[MatchedArticle]:
    """Those of ``rows`` (id, position, title, text) that FTS5 matches, with its highlights."""
    if not rows:
        return
    by_position = {row[1]: row for row in rows}
    db.execute("DELETE FROM article_fts")
    db.executemany(
        "INSERT INTO article_fts (rowid, title, text) VALUES (?, ?, ?)", [(r[1], r[2], r[3]) for r in rows]
    )
    for position, marked_title, marked_text in db.execute(
        "SELECT rowid, highlight(article_fts, 0, ?, ?), highlight(article_fts, 1, ?, ?) FROM article_fts "
        "WHERE article_fts MATCH ? ORDER BY rowid",
        (OPEN, CLOSE, OPEN, CLOSE, query),
    ).fetchall():
        article_id, _position, title, body = by_position[position]
        spans = marked_spans(body, marked_text)
        yield MatchedArticle(article_id, position, title, body, spans, bool(marked_spans(title, marked_title)))
