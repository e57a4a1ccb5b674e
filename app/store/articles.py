"""Articles and their machine entities."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from app.core.articles import ImportedArticle
from app.core.errors import ProjectError
from app.core.records import Article, Entity, utc_now
from app.store.schema import AnnotationRow, ArticleRow, CoderRow, EntityRow

#: (start, end, label) in code points.
SpanTuple = tuple[int, int, str]
_CHUNK = 500


def _article(row: Any) -> Article:
    return Article(
        id=row.id, title=row.title, text=row.text, text_sha256=row.text_sha256,
        position=row.position, external_id=row.external_id, source=row.source, url=row.url,
        published=row.published, language=row.language, metadata=dict(row._mapping["metadata"] or {}),
        origin=row.origin,
    )


def _coder_id(conn: Any, name: str, now: str) -> str:
    found = conn.execute(select(CoderRow.id).where(CoderRow.name == name)).scalar_one_or_none()
    if found is not None:
        return found
    coder_id = str(uuid.uuid4())
    conn.execute(insert(CoderRow).values(id=coder_id, name=name, role="coder", created_at=now))
    return coder_id


class ArticleRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def existing_hashes(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(hashes))
        found: set[str] = set()
        with self._engine.connect() as conn:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                found.update(
                    conn.execute(
                        select(ArticleRow.text_sha256).where(ArticleRow.text_sha256.in_(chunk))
                    ).scalars()
                )
        return found

    def add_batch(
        self,
        batch: Sequence[tuple[ImportedArticle, Sequence[SpanTuple]]],
        *,
        model: str | None,
        span_coder: str | None = None,
    ) -> list[str]:
        """Store articles with their entities (and imported spans) in ONE transaction.

        Imported spans become annotations of the coder named ``span_coder``, who is
        created in the same transaction if new. Either the whole batch is in the file
        afterwards or none of it is.
        """
        now = utc_now()
        ids = [str(uuid.uuid4()) for _ in batch]
        article_rows, entity_rows, annotation_rows = [], [], []
        with self._engine.begin() as conn:
            span_coder_id = None if span_coder is None else _coder_id(conn, span_coder, now)
            position = conn.execute(select(func.coalesce(func.max(ArticleRow.position), 0))).scalar_one()
            for article_id, (item, entities) in zip(ids, batch, strict=True):
                position += 1
                article_rows.append(
                    dict(
                        id=article_id, external_id=item.external_id, title=item.title,
                        source=item.source, url=item.url, published=item.published,
                        text=item.text, text_sha256=item.sha256, language=item.language,
                        metadata=item.metadata, origin=item.origin, position=position,
                        imported_at=now,
                    )
                )
                entity_rows.extend(
                    dict(article_id=article_id, start=s, end=e, label=label, model=model or "")
                    for s, e, label in entities
                )
                if item.spans and span_coder_id is None:
                    raise ProjectError(f"{item.origin}: spans were given but no coder to own them.")
                annotation_rows.extend(
                    dict(
                        id=str(uuid.uuid4()), article_id=article_id, coder_id=span_coder_id,
                        label=span.label, start=span.start, end=span.end, attributes={},
                        note="", uncertain=False, created_at=now, updated_at=now, revision=1,
                    )
                    for span in item.spans
                )
            if article_rows:
                conn.execute(insert(ArticleRow), article_rows)
            if entity_rows:
                conn.execute(insert(EntityRow), entity_rows)
            if annotation_rows:
                conn.execute(insert(AnnotationRow), annotation_rows)
        return ids

    def iter_texts(self, article_ids: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
        query = select(ArticleRow.id, ArticleRow.text).order_by(ArticleRow.position)
        if article_ids is not None:
            query = query.where(ArticleRow.id.in_(list(article_ids)))
        with self._engine.connect() as conn:
            yield from conn.execute(query).tuples()

    def replace_entities(self, entities: dict[str, Sequence[SpanTuple]], *, model: str) -> int:
        """Replace the machine entities of the given articles, in one transaction."""
        rows = [
            dict(article_id=article_id, start=s, end=e, label=label, model=model)
            for article_id, spans in entities.items()
            for s, e, label in spans
        ]
        ids = list(entities)
        with self._engine.begin() as conn:
            for i in range(0, len(ids), _CHUNK):
                conn.execute(delete(EntityRow).where(EntityRow.article_id.in_(ids[i : i + _CHUNK])))
            if rows:
                conn.execute(insert(EntityRow), rows)
        return len(rows)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(ArticleRow)).scalar_one()

    def list(self) -> list[Article]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(ArticleRow).order_by(ArticleRow.position)).all()
        return [_article(row) for row in rows]

    def get(self, article_id: str) -> Article:
        with self._engine.connect() as conn:
            row = conn.execute(select(ArticleRow).where(ArticleRow.id == article_id)).one_or_none()
        if row is None:
            raise ProjectError(f"There is no article with id {article_id} in this project.")
        return _article(row)

    def text_length(self, article_id: str) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.length(ArticleRow.text)).where(ArticleRow.id == article_id)
            ).scalar_one_or_none()

    def entities(self, article_id: str) -> list[Entity]:
        # Plain column tuples: this runs every time an article opens, for thousands of rows.
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(EntityRow.start, EntityRow.end, EntityRow.label, EntityRow.model)
                .where(EntityRow.article_id == article_id)
                .order_by(EntityRow.start, EntityRow.end)
            ).tuples().all()
        return [Entity(article_id, start, end, label, model) for start, end, label, model in rows]
