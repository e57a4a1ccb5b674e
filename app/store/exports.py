"""Read-only queries behind exports, and the look-ups an import of coded files needs.

Exports stream: articles come in chunks ordered by their import position, and each
query covers one chunk of article ids, so memory stays flat however many annotations a
project holds. Only live rows are returned: tombstones are never exported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select

from app.core.records import Annotation, Answer, Article, Entity, Fragments, Relation
from app.store.annotations import group_fragments
from app.store.articles import _article
from app.store.engine import driver_sql
from app.store.export_rows import IN_LIMIT, ExportRows, driver_rows, in_list, json_dict
from app.store.schema import (
    AnnotationFragmentRow,
    AnnotationRow,
    ArticleRow,
    CoderRow,
    DocumentCodeRow,
    EntityRow,
    RelationRow,
)

_STREAM = 1000

Pair = tuple[str, str]
_ARTICLES = (
    "SELECT id, title, text, text_sha256, position, external_id, source, url, published, language, metadata, "
    "origin FROM article WHERE position > ? ORDER BY position LIMIT ?"
)


def _coder_filter(query: Any, column: Any, coder_ids: Sequence[str] | None) -> Any:
    return query if coder_ids is None else query.where(column.in_(list(coder_ids)))


class ExportQueries(ExportRows):
    """What exports read. Thread: use on the thread that opened the project."""

    def iter_articles(self, chunk: int = 100) -> Iterator[list[Article]]:
        """All articles in import order, ``chunk`` at a time (texts included; plain SQL on
        the driver's cursor, as every sheet walks them)."""
        last = -1
        while True:
            rows = list(driver_rows(self._engine, _ARTICLES, (last, chunk)))
            if not rows:
                return
            yield [
                Article(i, title, text, sha, position, external, source, url, published, language,
                        json_dict(metadata), origin)
                for i, title, text, sha, position, external, source, url, published, language, metadata, origin
                in rows
            ]
            last = rows[-1][4]

    def statuses(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> dict[Pair, str]:
        """(article id, coder id) -> status, for the pairs that have a status row."""
        with self._engine.connect() as conn:
            return {(a, c): status for a, c, status in self._status_rows(conn, "status", article_ids, coder_ids)}

    def seconds_spent(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> dict[Pair, float]:
        """(article id, coder id) -> seconds spent coding, for the pairs that have a status row."""
        with self._engine.connect() as conn:
            rows = self._status_rows(conn, "seconds_spent", article_ids, coder_ids)
            return {(a, c): float(seconds or 0.0) for a, c, seconds in rows}

    @staticmethod
    def _status_rows(conn: Any, column: str, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> list:
        """(article id, coder id, ``column``) of the status rows of the articles: plain SQL
        through the driver, as this runs for every batch of every sheet."""
        ids, coders = in_list(article_ids), in_list(coder_ids)
        where = "" if coder_ids is None else f" AND coder_id IN ({coders})"
        return driver_sql(conn,
            f"SELECT article_id, coder_id, {column} FROM assignment WHERE article_id IN ({ids}){where}",
            (*article_ids, *(coder_ids or ())),
        ).all()

    def worked_pairs(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> set[Pair]:
        """(article id, coder id) pairs with a status row or any live coding (one UNION in
        plain SQL through the driver, as this runs for every batch of every sheet)."""
        ids, coders = in_list(article_ids), in_list(coder_ids)
        parts, params = [], []
        for table, live in (
            ("assignment", ""),  # status rows have no deleted_at
            ("annotation", " AND deleted_at IS NULL"),
            ("relation", " AND deleted_at IS NULL"),
            ("document_code", " AND deleted_at IS NULL"),
        ):
            where = "" if coder_ids is None else f" AND coder_id IN ({coders})"
            parts.append(f"SELECT article_id, coder_id FROM {table} WHERE article_id IN ({ids}){live}{where}")
            params += [*article_ids, *(coder_ids or ())]
        with self._engine.connect() as conn:
            return {(a, c) for a, c in driver_sql(conn, " UNION ".join(parts), tuple(params))}

    def annotations(
        self, article_ids: Sequence[str], coder_ids: Sequence[str] | None
    ) -> Iterator[Annotation]:
        """Live annotations of the articles, streamed in article order, then by coder
        name, start and end."""
        a = AnnotationRow
        query = (
            select(
                a.id, a.article_id, a.coder_id, a.label, a.start, a.end, a.attributes, a.note,
                a.uncertain, a.revision, a.created_at, a.updated_at, a.deleted_at,
            )
            .join(ArticleRow, ArticleRow.id == a.article_id)
            .join(CoderRow, CoderRow.id == a.coder_id)
            .where(a.article_id.in_(list(article_ids)), a.deleted_at.is_(None))
            .order_by(ArticleRow.position, CoderRow.name, a.start, a.end, a.label, a.id)
        )
        query = _coder_filter(query, a.coder_id, coder_ids)
        with self._engine.connect() as conn:
            fragments = self._fragments(conn, article_ids)
            result = conn.execution_options(yield_per=_STREAM).execute(query)
            for i, art, coder, label, start, end, attrs, note, unsure, rev, made, changed, gone in result.tuples():
                yield Annotation(
                    i, art, coder, label, start, end, attrs or {}, note, bool(unsure), rev, made, changed, gone,
                    fragments.get(i, ()),
                )

    def relations(
        self, article_ids: Sequence[str], coder_ids: Sequence[str] | None
    ) -> list[tuple[Relation, Annotation, Annotation]]:
        """Live relations of the articles with their source and target annotations, in
        article order, then by coder name and the source's and target's start (one
        query in plain SQL through the driver, the ends joined in; this runs for every
        batch of the Relations sheet)."""
        ends = ", ".join(
            f'{end}.{column}' for end in ("s", "t") for column in (
                "id", "article_id", "coder_id", "label", "start", '"end"', "attributes", "note", "uncertain",
                "revision", "created_at", "updated_at", "deleted_at",
            )
        )
        coders = "" if coder_ids is None else f" AND r.coder_id IN ({in_list(coder_ids)})"
        query = (
            "SELECT r.id, r.article_id, r.coder_id, r.label, r.source_id, r.target_id, r.attributes, "
            f"r.revision, r.created_at, r.updated_at, r.deleted_at, a.position, c.name, {ends} "
            "FROM relation r JOIN article a ON a.id = r.article_id JOIN coder c ON c.id = r.coder_id "
            "JOIN annotation s ON s.id = r.source_id JOIN annotation t ON t.id = r.target_id "
            f"WHERE r.article_id IN ({in_list(article_ids)}) AND r.deleted_at IS NULL{coders}"
        )
        with self._engine.connect() as conn:
            rows = driver_sql(conn, query, (*article_ids, *(coder_ids or ()))).all()
            wanted = list({i for r in rows for i in (r[4], r[5])})
            # The ends come with their fragments: a discontinuous end is its fragments'
            # text, never the envelope's.
            fragments: dict[str, Fragments] = {}
            for i in range(0, len(wanted), IN_LIMIT):
                chunk = wanted[i : i + IN_LIMIT]
                pieces = driver_sql(conn,
                    'SELECT annotation_id, start, "end" FROM annotation_fragment '
                    f"WHERE annotation_id IN ({in_list(chunk)})", tuple(chunk),
                )
                fragments.update(group_fragments((a, first, last) for a, first, last in pieces))

        def end(values: Sequence[Any]) -> Annotation:
            return Annotation(
                values[0], values[1], values[2], values[3], values[4], values[5], json_dict(values[6]), values[7],
                bool(values[8]), values[9], values[10], values[11], values[12], fragments.get(values[0], ()),
            )

        found = []
        for r in rows:
            relation = Relation(r[0], r[1], r[2], r[3], r[4], r[5], json_dict(r[6]), r[7], r[8], r[9], r[10])
            found.append((r[11], r[12], relation, end(r[13:26]), end(r[26:39])))
        found.sort(key=lambda f: (f[0], f[1], f[3].start, f[4].start, f[2].id))
        return [(relation, source, target) for _, _, relation, source, target in found]

    def has_relations(self, coder_ids: Sequence[str] | None) -> bool:
        """Whether these coders (``None``: anyone) have a live relation anywhere: a query
        that stops at the first row found, so a doccano export can choose its layout for the
        whole file before it writes a line (statuses and dates are not looked at: at worst
        the file is in the relation layout with no relation in it)."""
        query = select(RelationRow.id).where(RelationRow.deleted_at.is_(None))
        query = _coder_filter(query, RelationRow.coder_id, coder_ids).limit(1)
        with self._engine.connect() as conn:
            return conn.execute(query).first() is not None

    def has_answers(self, coder_ids: Sequence[str] | None, questions: Sequence[str]) -> bool:
        """Whether these coders (``None``: anyone) have a live answer to one of
        ``questions`` anywhere; stops at the first row, as :meth:`has_relations` does."""
        if not questions:
            return False
        d = DocumentCodeRow
        query = select(d.id).where(d.deleted_at.is_(None), d.question.in_(list(questions)))
        query = _coder_filter(query, d.coder_id, coder_ids).limit(1)
        with self._engine.connect() as conn:
            return conn.execute(query).first() is not None

    def answers(
        self, article_ids: Sequence[str], coder_ids: Sequence[str] | None
    ) -> dict[Pair, dict[str, Answer]]:
        """(article id, coder id) -> question -> live answer (by question), of the articles (plain SQL on
        the driver's cursor: this runs for every batch of the answer sheets)."""
        coders = "" if coder_ids is None else f" AND coder_id IN ({in_list(coder_ids)})"
        query = (
            "SELECT article_id, coder_id, question, value, updated_at FROM document_code "
            f"WHERE article_id IN ({in_list(article_ids)}) AND deleted_at IS NULL{coders} "
            "ORDER BY question"  # the same on every database (a table's own order is not)
        )
        found: dict[Pair, dict[str, Answer]] = defaultdict(dict)
        for article, coder, question, value, updated in driver_rows(
            self._engine, query, (*article_ids, *(coder_ids or ()))
        ):
            decoded = None if value is None else json.loads(value) if isinstance(value, str) else value
            found[(article, coder)][question] = Answer(article, coder, question, decoded, updated)
        return dict(found)

    def entities(self, article_ids: Sequence[str]) -> Iterator[Entity]:
        query = (
            select(EntityRow)
            .join(ArticleRow, ArticleRow.id == EntityRow.article_id)
            .where(EntityRow.article_id.in_(list(article_ids)))
            .order_by(ArticleRow.position, EntityRow.start, EntityRow.end, EntityRow.label)
        )
        with self._engine.connect() as conn:
            for r in conn.execution_options(yield_per=_STREAM).execute(query):
                yield Entity(r.article_id, r.start, r.end, r.label, r.model)

    # -- look-ups for imports of coded files --------------------------------------
    def articles_by_hash(self, hashes: Iterable[str]) -> dict[str, Article]:
        return self._articles_where(ArticleRow.text_sha256, hashes, "text_sha256")

    def articles_by_external_id(self, names: Iterable[str]) -> dict[str, Article]:
        return self._articles_where(ArticleRow.external_id, names, "external_id")

    def articles_by_id(self, ids: Iterable[str]) -> dict[str, Article]:
        return self._articles_where(ArticleRow.id, ids, "id")

    def _articles_where(self, column: Any, values: Iterable[str], key: str) -> dict[str, Article]:
        wanted = list(dict.fromkeys(v for v in values if v))
        found: dict[str, Article] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(wanted), IN_LIMIT):
                rows = conn.execute(
                    select(ArticleRow).where(column.in_(wanted[i : i + IN_LIMIT]))
                ).all()
                for row in rows:
                    article = _article(row)
                    found.setdefault(getattr(article, key), article)
        return found

    def span_ids(self, article_id: str, coder_id: str) -> dict[tuple[str, int, int, Fragments], str]:
        """(label, start, end, fragments) -> id of the coder's live annotations on the
        article; fragments are ``()`` for a contiguous span, so a discontinuous span is
        known by its fragment set, not only by its envelope."""
        query = select(AnnotationRow.label, AnnotationRow.start, AnnotationRow.end, AnnotationRow.id).where(
            AnnotationRow.article_id == article_id,
            AnnotationRow.coder_id == coder_id,
            AnnotationRow.deleted_at.is_(None),
        )
        pieces = (
            select(AnnotationFragmentRow.annotation_id, AnnotationFragmentRow.start, AnnotationFragmentRow.end)
            .join(AnnotationRow, AnnotationRow.id == AnnotationFragmentRow.annotation_id)
            .where(
                AnnotationRow.article_id == article_id, AnnotationRow.coder_id == coder_id,
                AnnotationRow.deleted_at.is_(None),
            )
        )
        with self._engine.connect() as conn:
            fragments = group_fragments(conn.execute(pieces).tuples())
            return {
                (label, start, end, fragments.get(i, ())): i for label, start, end, i in conn.execute(query)
            }
