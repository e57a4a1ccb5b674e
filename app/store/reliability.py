"""Read-only queries behind the agreement report.

Everything is fetched per batch of articles (a few hundred ids per query), never per
article and coder, so a report over thousands of articles costs a handful of queries.
Only live rows are returned: tombstoned annotations, relations and answers are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import BigInteger, Engine, Text, cast, literal, select

from app.core.records import Annotation, Answer, Article, Relation
from app.store.annotations import _annotation, group_fragments
from app.store.articles import _article
from app.store.engine import driver_sql
from app.store.relations import _relation
from app.store.schema import (
    AnnotationRow,
    ArticleRow,
    AssignmentRow,
    DocumentCodeRow,
    RelationRow,
)

_CHUNK = 500
SpanRow = tuple[str, str, str, int]
#: Between the attributes' JSON text and the label in :meth:`ReliabilityQueries.span_batches`.
CODED_SEPARATOR = "\x1f"


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), _CHUNK):
        yield unique[i : i + _CHUNK]


class ReliabilityQueries:
    """What the agreement report reads: who finished what, and their live coding."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _live_rows(
        self, query: Any, model: Any, article_ids: Sequence[str], coder_ids: Sequence[str], *also: Any,
        plain: bool = False, as_read: bool = False,
    ) -> list[Any]:
        """The rows of ``query`` over the live rows of ``model`` of these coders on these
        articles (and ``also``), read in chunks of article ids; ``plain``: as tuples;
        ``as_read``: the driver's own tuples, for queries of text and integer columns only
        (which SQLAlchemy hands on unconverted)."""
        rows: list[Any] = []
        for batch in self._live_batches(query, model, article_ids, coder_ids, *also, plain=plain, as_read=as_read):
            rows.extend(batch)
        return rows

    def _live_batches(
        self, query: Any, model: Any, article_ids: Sequence[str], coder_ids: Sequence[str], *also: Any,
        plain: bool = False, as_read: bool = False,
    ) -> Iterator[list[Any]]:
        """:meth:`_live_rows` one chunk of ``article_ids`` at a time, in their order."""
        coders = list(coder_ids)
        with self._engine.connect() as conn:
            for chunk in _chunks(article_ids):
                result = conn.execute(query.where(
                    model.article_id.in_(chunk), model.coder_id.in_(coders), model.deleted_at.is_(None), *also,
                ))
                # Plain tuples, one chunk's rows at a time: at 1,000,000 spans a list of
                # SQLAlchemy rows (then copied by the caller) doubled the report's memory.
                # The driver's fetchall reads them in a third less time than SQLAlchemy's
                # row by row iteration (1,000,000 spans: 2.6 s instead of 3.6-4.0 s).
                if as_read:
                    yield list(result.cursor.fetchall())  # a list already: copied for the type only
                else:
                    yield list(map(tuple, result) if plain else result)

    def done_coders_by_article(self, article_ids: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
        """Article id -> ids of the coders whose status on it is "done" (one query; of
        these articles only when given, one query per chunk)."""
        query = select(AssignmentRow.article_id, AssignmentRow.coder_id).where(
            AssignmentRow.status == "done"
        )
        found: dict[str, list[str]] = defaultdict(list)
        with self._engine.connect() as conn:
            if article_ids is None:
                queries = [query.order_by(AssignmentRow.id)]
            else:
                queries = [
                    query.where(AssignmentRow.article_id.in_(chunk)).order_by(AssignmentRow.id)
                    for chunk in _chunks(article_ids)
                ]
            for each in queries:
                # The driver's own tuples: 200,000 assignments in a third of the time.
                for article_id, coder_id in conn.execute(each).cursor.fetchall():
                    found[article_id].append(coder_id)
        return {article_id: tuple(coders) for article_id, coders in found.items()}

    def articles(self, article_ids: Sequence[str]) -> list[Article]:
        """The articles with these ids, in import order."""
        found: list[Article] = []
        with self._engine.connect() as conn:
            for chunk in _chunks(article_ids):
                found.extend(_article(row) for row in conn.execute(select(ArticleRow).where(ArticleRow.id.in_(chunk))))
        return sorted(found, key=lambda a: a.position)

    def span_batches(
        self, article_ids: Sequence[str], coder_ids: Sequence[str], separator: str
    ) -> Iterator[list[SpanRow]]:
        """Live span annotations of these coders on these articles, as plain rows
        ``(id, owner, coded, place)``: ``owner`` is the article id, ``separator`` and
        the coder id; ``coded`` the attributes' JSON text, the character 0x1F and the
        label (JSON text holds no control character, so the first 0x1F splits it);
        ``place`` is ``start * 2**32 + end``. Four values per row instead of seven: a
        report reads 1,000,000 rows, and the driver's cost is per value (2.3 -> 1.6 s).
        The caller splits each distinct value once. One list per chunk of articles, the
        chunks in the order of their ids, each chunk's rows in the order read (the
        caller sorts them), so that the caller never holds every row at once."""
        query = select(
            AnnotationRow.id,
            AnnotationRow.article_id + literal(separator) + AnnotationRow.coder_id,
            cast(AnnotationRow.attributes, Text) + literal(CODED_SEPARATOR) + AnnotationRow.label,
            AnnotationRow.start * literal(2**32, BigInteger) + AnnotationRow.end,
        )
        yield from self._live_batches(query, AnnotationRow, sorted(set(article_ids)), coder_ids, as_read=True)

    def fragments(self, article_ids: Sequence[str], coder_ids: Sequence[str]) -> dict[str, Any]:
        """annotation id -> fragments of the live discontinuous spans of these coders on
        these articles (contiguous spans have none and are not listed)."""
        rows: list[tuple[str, int, int]] = []
        coders = list(coder_ids)
        with self._engine.connect() as conn:
            # Most projects have no discontinuous span: then skip the join, which probes
            # the fragments once per annotation (1,000,000 spans: 0.4 s).
            if driver_sql(conn, "SELECT 1 FROM annotation_fragment LIMIT 1").first() is None:
                return {}
            for chunk in _chunks(article_ids):
                rows += driver_sql(conn,
                    'SELECT f.annotation_id, f.start, f."end" FROM annotation a CROSS JOIN annotation_fragment f '
                    f"WHERE a.article_id IN ({', '.join('?' * len(chunk))}) "
                    f"AND a.coder_id IN ({', '.join('?' * len(coders))}) "
                    "AND a.deleted_at IS NULL AND f.annotation_id = a.id",
                    (*chunk, *coders),
                ).tuples().all()
        return group_fragments(rows)

    def relation_rows(
        self, article_ids: Sequence[str], coder_ids: Sequence[str]
    ) -> list[tuple[str, str, str, str, str]]:
        """Live relations of these coders on these articles whose two ends are live, as
        rows ``(article_id, coder_id, label, source_id, target_id)`` in creation order."""
        source = AnnotationRow.__table__.alias("source")
        target = AnnotationRow.__table__.alias("target")
        query = (
            select(
                RelationRow.article_id, RelationRow.coder_id, RelationRow.label,
                RelationRow.source_id, RelationRow.target_id, RelationRow.created_at,
                RelationRow.id,
            )
            .join(source, source.c.id == RelationRow.source_id)
            .join(target, target.c.id == RelationRow.target_id)
        )
        rows = self._live_rows(
            query, RelationRow, article_ids, coder_ids, source.c.deleted_at.is_(None), target.c.deleted_at.is_(None),
            plain=True,
        )
        rows.sort(key=lambda r: (r[0], r[1], r[5], r[6]))
        return [tuple(r[:5]) for r in rows]

    def annotations(
        self, article_ids: Sequence[str], coder_ids: Sequence[str]
    ) -> list[Annotation]:
        """Live span annotations of these coders on these articles, by start and end."""
        rows = self._live_rows(select(AnnotationRow), AnnotationRow, article_ids, coder_ids)
        found = [_annotation(row) for row in rows]
        return sorted(found, key=lambda a: (a.article_id, a.coder_id, a.start, a.end, a.id))

    def relations(self, article_ids: Sequence[str], coder_ids: Sequence[str]) -> list[Relation]:
        """Live relations of these coders on these articles whose two ends are live."""
        source = AnnotationRow.__table__.alias("source")
        target = AnnotationRow.__table__.alias("target")
        query = (
            select(RelationRow)
            .join(source, source.c.id == RelationRow.source_id)
            .join(target, target.c.id == RelationRow.target_id)
        )
        rows = self._live_rows(
            query, RelationRow, article_ids, coder_ids, source.c.deleted_at.is_(None), target.c.deleted_at.is_(None),
        )
        found = [_relation(row) for row in rows]
        return sorted(found, key=lambda r: (r.article_id, r.coder_id, r.created_at, r.id))

    def answer_batches(
        self, article_ids: Sequence[str], coder_ids: Sequence[str]
    ) -> Iterator[list[tuple[str, str, str, str | None]]]:
        """Live answers of these coders on these articles as plain rows ``(article_id,
        coder_id, question, value)``, the value as its JSON text (the caller parses
        each distinct text once: a report reads 400,000 of them). One list per chunk of
        articles, the chunks in the order of their ids, each chunk's rows in the order
        read (the caller sorts them)."""
        query = select(
            DocumentCodeRow.article_id, DocumentCodeRow.coder_id, DocumentCodeRow.question,
            cast(DocumentCodeRow.value, Text),
        )
        yield from self._live_batches(query, DocumentCodeRow, sorted(set(article_ids)), coder_ids, as_read=True)

    def answers(self, article_ids: Sequence[str], coder_ids: Sequence[str]) -> list[Answer]:
        """Live answers to article questions of these coders on these articles."""
        rows = self._live_rows(select(DocumentCodeRow), DocumentCodeRow, article_ids, coder_ids)
        return [
            Answer(r.article_id, r.coder_id, r.question, r.value, r.updated_at)
            for r in sorted(rows, key=lambda r: (r.article_id, r.coder_id, r.question))
        ]
