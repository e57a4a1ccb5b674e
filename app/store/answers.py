"""Answers to article-level questions (the ``document_code`` table)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, insert, select, update

from app.core.records import Answer
from app.store.codebook_versions import stamp
from app.store.schema import DocumentCodeRow


class AnswerRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def for_article(self, article_id: str, coder_id: str) -> dict[str, Answer]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(DocumentCodeRow).where(
                    DocumentCodeRow.article_id == article_id,
                    DocumentCodeRow.coder_id == coder_id,
                    DocumentCodeRow.deleted_at.is_(None),
                )
            ).all()
        return {
            r.question: Answer(r.article_id, r.coder_id, r.question, r.value, r.updated_at)
            for r in rows
        }

    def set(self, article_id: str, coder_id: str, question: str, value: Any, now: str) -> None:
        """Store an answer (``None`` tombstones it), as a new revision of the one row."""
        with self._engine.begin() as conn:
            row_id = conn.execute(
                select(DocumentCodeRow.id).where(
                    DocumentCodeRow.article_id == article_id,
                    DocumentCodeRow.coder_id == coder_id,
                    DocumentCodeRow.question == question,
                )
            ).scalar_one_or_none()
            deleted_at = now if value is None else None
            if row_id is None:
                if value is None:
                    return
                conn.execute(
                    insert(DocumentCodeRow).values(
                        id=str(uuid.uuid4()), article_id=article_id, coder_id=coder_id,
                        question=question, value=value, created_at=now, updated_at=now,
                        revision=1, deleted_at=None, **stamp(),
                    )
                )
            else:
                conn.execute(
                    update(DocumentCodeRow)
                    .where(DocumentCodeRow.id == row_id)
                    .values(
                        value=value, updated_at=now, deleted_at=deleted_at,
                        revision=DocumentCodeRow.revision + 1, **stamp(),
                    )
                )
