"""Read-only queries behind exports, and the look-ups an import of coded files needs.

Exports stream: articles come in chunks ordered by their import position, and each
query covers one chunk of article ids, so memory stays flat however many annotations a
project holds. Only live rows are returned: tombstones are never exported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, select, union

from app.core.records import Annotation, Answer, Article, Entity, Fragments, Relation
from app.store.annotations import _annotation, group_fragments
from app.store.articles import _article
from app.store.relations import _relation
from app.store.schema import (
    AnnotationFragmentRow,
    AnnotationRow,
    ArticleRow,
    AssignmentRow,
    CoderRow,
    DocumentCodeRow,
    EntityRow,
    RelationRow,
)

_IN_LIMIT = 500
_STREAM = 1000

Pair = tuple[str, str]


def _coder_filter(query: Any, column: Any, coder_ids: Sequence[str] | None) -> Any:
    return query if coder_ids is None else query.where(column.in_(list(coder_ids)))


class ExportQueries:
    """What exports read. Thread: use on the thread that opened the project."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def iter_articles(self, chunk: int = 100) -> Iterator[list[Article]]:
        """All articles in import order, ``chunk`` at a time (texts included)."""
        last = -1
        while True:
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(ArticleRow)
                    .where(ArticleRow.position > last)
                    .order_by(ArticleRow.position)
                    .limit(chunk)
                ).all()
            if not rows:
                return
            yield [_article(row) for row in rows]
            last = rows[-1].position

    def statuses(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> dict[Pair, str]:
        """(article id, coder id) -> status, for the pairs that have a status row."""
        query = select(AssignmentRow.article_id, AssignmentRow.coder_id, AssignmentRow.status).where(
            AssignmentRow.article_id.in_(list(article_ids))
        )
        query = _coder_filter(query, AssignmentRow.coder_id, coder_ids)
        with self._engine.connect() as conn:
            return {(a, c): status for a, c, status in conn.execute(query)}

    def seconds_spent(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> dict[Pair, float]:
        """(article id, coder id) -> seconds spent coding, for the pairs that have a status row."""
        query = select(AssignmentRow.article_id, AssignmentRow.coder_id, AssignmentRow.seconds_spent).where(
            AssignmentRow.article_id.in_(list(article_ids))
        )
        query = _coder_filter(query, AssignmentRow.coder_id, coder_ids)
        with self._engine.connect() as conn:
            return {(a, c): float(seconds or 0.0) for a, c, seconds in conn.execute(query)}

    def worked_pairs(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> set[Pair]:
        """(article id, coder id) pairs with a status row or any live coding."""
        ids = list(article_ids)
        parts = []
        for table, deleted_at in (
            (AssignmentRow, None),  # status rows have no deleted_at
            (AnnotationRow, AnnotationRow.deleted_at),
            (RelationRow, RelationRow.deleted_at),
            (DocumentCodeRow, DocumentCodeRow.deleted_at),
        ):
            part = select(table.article_id, table.coder_id).where(table.article_id.in_(ids))
            if deleted_at is not None:
                part = part.where(deleted_at.is_(None))
            parts.append(_coder_filter(part, table.coder_id, coder_ids))
        with self._engine.connect() as conn:
            return {(a, c) for a, c in conn.execute(union(*parts))}

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

    @staticmethod
    def _fragments(conn: Any, article_ids: Sequence[str]) -> dict[str, Any]:
        """annotation id -> fragments, of the live discontinuous annotations of the articles
        (CROSS JOIN: SQLite walks the articles' annotations and looks their fragments up)."""
        ids = list(article_ids)
        rows: list[tuple[str, int, int]] = []
        for i in range(0, len(ids), _IN_LIMIT):
            chunk = ids[i : i + _IN_LIMIT]
            rows += conn.exec_driver_sql(
                'SELECT f.annotation_id, f.start, f."end" FROM annotation a CROSS JOIN annotation_fragment f '
                f"WHERE a.article_id IN ({', '.join('?' * len(chunk))}) AND a.deleted_at IS NULL "
                "AND f.annotation_id = a.id",
                tuple(chunk),
            ).all()
        return group_fragments(rows)

    def relations(
        self, article_ids: Sequence[str], coder_ids: Sequence[str] | None
    ) -> list[tuple[Relation, Annotation, Annotation]]:
        """Live relations of the articles with their source and target annotations, in
        article order, then by coder name and the source's and target's start."""
        query = (
            select(RelationRow, ArticleRow.position, CoderRow.name.label("coder_name"))
            .join(ArticleRow, ArticleRow.id == RelationRow.article_id)
            .join(CoderRow, CoderRow.id == RelationRow.coder_id)
            .where(RelationRow.article_id.in_(list(article_ids)), RelationRow.deleted_at.is_(None))
        )
        query = _coder_filter(query, RelationRow.coder_id, coder_ids)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            ends: dict[str, Annotation] = {}
            wanted = list({i for r in rows for i in (r.source_id, r.target_id)})
            for i in range(0, len(wanted), _IN_LIMIT):
                chunk = wanted[i : i + _IN_LIMIT]
                # The ends come with their fragments: a discontinuous end is its fragments'
                # text, never the envelope's.
                fragments = group_fragments(
                    conn.execute(
                        select(
                            AnnotationFragmentRow.annotation_id, AnnotationFragmentRow.start,
                            AnnotationFragmentRow.end,
                        ).where(AnnotationFragmentRow.annotation_id.in_(chunk))
                    ).tuples()
                )
                for row in conn.execute(select(AnnotationRow).where(AnnotationRow.id.in_(chunk))):
                    ends[row.id] = _annotation(row, fragments.get(row.id, ()))
        found = [
            (r.position, r.coder_name, _relation(r), ends[r.source_id], ends[r.target_id])
            for r in rows
        ]
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
        query = select(DocumentCodeRow).where(
            DocumentCodeRow.article_id.in_(list(article_ids)), DocumentCodeRow.deleted_at.is_(None)
        )
        query = _coder_filter(query, DocumentCodeRow.coder_id, coder_ids)
        found: dict[Pair, dict[str, Answer]] = defaultdict(dict)
        with self._engine.connect() as conn:
            for r in conn.execute(query):
                found[(r.article_id, r.coder_id)][r.question] = Answer(
                    r.article_id, r.coder_id, r.question, r.value, r.updated_at
                )
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
            for i in range(0, len(wanted), _IN_LIMIT):
                rows = conn.execute(
                    select(ArticleRow).where(column.in_(wanted[i : i + _IN_LIMIT]))
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
