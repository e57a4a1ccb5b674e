"""Coders' span annotations. Deletion is a tombstone so that merges propagate it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select, update

from app.core.records import Annotation
from app.store.schema import AnnotationRow


def _annotation(row: Any) -> Annotation:
    return Annotation(
        id=row.id, article_id=row.article_id, coder_id=row.coder_id, label=row.label,
        start=row.start, end=row.end, attributes=dict(row.attributes or {}), note=row.note,
        uncertain=bool(row.uncertain), revision=row.revision, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at,
    )


class AnnotationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert(AnnotationRow)

    def add(self, annotation: Annotation) -> None:
        """Insert and commit one annotation before returning."""
        with self._engine.begin() as conn:
            conn.execute(
                self._insert,
                dict(
                    id=annotation.id, article_id=annotation.article_id,
                    coder_id=annotation.coder_id, label=annotation.label,
                    start=annotation.start, end=annotation.end,
                    attributes=annotation.attributes, note=annotation.note,
                    uncertain=annotation.uncertain, created_at=annotation.created_at,
                    updated_at=annotation.updated_at, revision=annotation.revision,
                    deleted_at=annotation.deleted_at,
                ),
            )

    def get(self, annotation_id: str) -> Annotation | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(AnnotationRow).where(AnnotationRow.id == annotation_id)
            ).one_or_none()
        return None if row is None else _annotation(row)

    def for_article(self, article_id: str, coder_id: str | None = None) -> list[Annotation]:
        query = select(AnnotationRow).where(
            AnnotationRow.article_id == article_id, AnnotationRow.deleted_at.is_(None)
        )
        if coder_id is not None:
            query = query.where(AnnotationRow.coder_id == coder_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(AnnotationRow.start, AnnotationRow.end)).all()
        return [_annotation(row) for row in rows]

    def set_deleted(self, annotation_id: str, deleted_at: str | None, updated_at: str) -> None:
        """Tombstone (or revive, with ``None``) an annotation as a new revision."""
        with self._engine.begin() as conn:
            conn.execute(
                update(AnnotationRow)
                .where(AnnotationRow.id == annotation_id)
                .values(
                    deleted_at=deleted_at, updated_at=updated_at,
                    revision=AnnotationRow.revision + 1,
                )
            )
