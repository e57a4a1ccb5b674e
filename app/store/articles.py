"""Articles and their machine entities.

Positions (the import order shown in lists) are numbered inside the write transaction,
which on SQLite starts with ``BEGIN IMMEDIATE``: the read of the highest position, the
check for texts already stored and the inserts are one unit under SQLite's single
writer, so two processes importing into one project at once get distinct positions,
and a text that the other process stored meanwhile is reported as a duplicate instead
of breaking the batch on the unique text hash.
"""

from __future__ import annotations

import builtins
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core.articles import ImportedArticle
from app.core.errors import ProjectError
from app.core.records import Article, Entity, utc_now
from app.store.engine import sqlite_connection
from app.store.schema import AnnotationRow, ArticleRow, CoderRow, EntityRow
from app.store.search import index_articles

#: (start, end, label) in code points.
SpanTuple = tuple[int, int, str]
_CHUNK = 500
#: Rows per INSERT statement: a long article can bring hundreds of thousands of
#: entities, and building all their parameter rows at once would cost far more memory.
_INSERT_ROWS = 5_000

log = logging.getLogger(__name__)


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


def _lock_for_writing(conn: Connection) -> None:
    """Take the write lock before the first read of the transaction."""
    if conn.dialect.name == "sqlite":
        if not sqlite_connection(conn).in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE article IN SHARE ROW EXCLUSIVE MODE")


def _present_hashes(conn: Connection, hashes: Sequence[str]) -> set[str]:
    wanted = list(dict.fromkeys(hashes))
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        found.update(
            conn.execute(
                select(ArticleRow.text_sha256).where(ArticleRow.text_sha256.in_(wanted[i : i + _CHUNK]))
            ).scalars()
        )
    return found


def _insert_in_parts(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    part: list[dict[str, Any]] = []
    for row in rows:
        part.append(row)
        if len(part) == _INSERT_ROWS:
            conn.execute(insert(table), part)
            part = []
    if part:
        conn.execute(insert(table), part)


class ArticleRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def existing_hashes(self, hashes: Iterable[str]) -> set[str]:
        with self._engine.connect() as conn:
            return _present_hashes(conn, list(hashes))

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
        afterwards or none of it is. A text already in the project is refused
        (:class:`ProjectError`); :meth:`add_new` skips it instead.
        """
        ids = self._add(batch, model=model, span_coder=span_coder, skip_existing=False)
        return [article_id for article_id in ids if article_id is not None]

    def add_new(
        self,
        batch: Sequence[tuple[ImportedArticle, Sequence[SpanTuple]]],
        *,
        model: str | None,
        span_coder: str | None = None,
    ) -> list[str | None]:
        """Like :meth:`add_batch`, but an article whose text is already in the project
        (stored by another process since the caller looked) is skipped: its id is None.

        The check and the inserts are one transaction, so the result is exact.
        """
        return self._add(batch, model=model, span_coder=span_coder, skip_existing=True)

    def _add(
        self,
        batch: Sequence[tuple[ImportedArticle, Sequence[SpanTuple]]],
        *,
        model: str | None,
        span_coder: str | None,
        skip_existing: bool,
    ) -> list[str | None]:
        now = utc_now()
        try:
            with self._engine.begin() as conn:
                _lock_for_writing(conn)
                present = _present_hashes(conn, [item.sha256 for item, _ in batch]) if skip_existing else set()
                ids = [None if item.sha256 in present else str(uuid.uuid4()) for item, _ in batch]
                kept = [
                    (article_id, item, entities)
                    for article_id, (item, entities) in zip(ids, batch, strict=True)
                    if article_id is not None
                ]
                needs_coder = any(item.spans for _, item, _ in kept)
                span_coder_id = (
                    _coder_id(conn, span_coder, now) if span_coder is not None and needs_coder else None
                )
                if needs_coder and span_coder_id is None:
                    first = next(item for _, item, _ in kept if item.spans)
                    raise ProjectError(f"{first.origin}: spans were given but no coder to own them.")
                position = conn.execute(
                    select(func.coalesce(func.max(ArticleRow.position), 0))
                ).scalar_one()
                article_rows = []
                for article_id, item, _ in kept:
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
                for i in range(0, len(article_rows), _CHUNK):
                    conn.execute(insert(ArticleRow), article_rows[i : i + _CHUNK])
                    index_articles(conn, article_rows[i : i + _CHUNK])
                del article_rows
                _insert_in_parts(conn, EntityRow, (
                    dict(article_id=article_id, start=s, end=e, label=label, model=model or "")
                    for article_id, _, entities in kept
                    for s, e, label in entities
                ))
                _insert_in_parts(conn, AnnotationRow, (
                    dict(
                        id=str(uuid.uuid4()), article_id=article_id, coder_id=span_coder_id,
                        label=span.label, start=span.start, end=span.end, attributes={},
                        note="", uncertain=False, created_at=now, updated_at=now, revision=1,
                    )
                    for article_id, item, _ in kept
                    for span in item.spans
                ))
        except IntegrityError as exc:
            log.warning("Articles were not stored", exc_info=True)
            raise ProjectError(
                "The articles were not stored, because the project file refused one of them "
                "(a text already in the project); nothing of the batch was written."
            ) from exc
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            log.warning("Articles were not stored", exc_info=True)
            raise ProjectError(
                "The articles were not stored, because another program kept the project file "
                "busy; nothing of the batch was written, so try again in a moment."
            ) from exc
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

    def entities(self, article_id: str) -> builtins.list[Entity]:  # list: the method above
        # Plain column tuples: this runs every time an article opens, for thousands of rows.
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(EntityRow.start, EntityRow.end, EntityRow.label, EntityRow.model)
                .where(EntityRow.article_id == article_id)
                .order_by(EntityRow.start, EntityRow.end)
            ).tuples().all()
        return [Entity(article_id, start, end, label, model) for start, end, label, model in rows]
