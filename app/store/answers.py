"""Answers to article-level questions (the ``document_code`` table)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from app.core.records import Answer
from app.store.assignments import start_coding
from app.store.codebook_versions import stamp
from app.store.locking import lock_key, locking, write_lock
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

    def set(self, article_id: str, coder_id: str, question: str, value: Any, now: str) -> Any:
        """Store an answer (``None`` tombstones it) as a new revision of the one row, and
        commit; returns the answer it replaced (``None`` if there was none)."""
        with self._engine.begin() as conn:
            return write_answer(conn, article_id, coder_id, question, value, now)

    def answer(self, article_id: str, coder_id: str, question: str, value: Any, now: str) -> tuple[Any, bool]:
        """A coder's answer in the window: :meth:`set`, and the coder's status set from to
        do to in progress, in ONE transaction. Returns (the answer replaced, whether the
        status changed)."""
        with self._engine.begin() as conn:
            previous = write_answer(conn, article_id, coder_id, question, value, now)
            return previous, start_coding(conn, article_id, coder_id, now)


def write_answer(conn: Connection, article_id: str, coder_id: str, question: str, value: Any, now: str) -> Any:
    """:meth:`AnswerRepository.set` on ``conn``'s transaction. The row is read locked; one
    that does not exist yet is looked for again under a lock on (article, coder,
    question), so two windows of one coder answering at once write one row, each answer
    a revision of it, the later one last."""
    write_lock(conn)
    query = select(DocumentCodeRow.id, DocumentCodeRow.value, DocumentCodeRow.deleted_at).where(
        DocumentCodeRow.article_id == article_id,
        DocumentCodeRow.coder_id == coder_id,
        DocumentCodeRow.question == question,
    )
    row = conn.execute(locking(conn, query)).first()
    if row is None:  # the first answer: take turns with a window giving it too, and look again
        lock_key(conn, "answer", article_id, coder_id, question)
        row = conn.execute(locking(conn, query)).first()
    if row is None:
        if value is not None:
            conn.execute(
                insert(DocumentCodeRow).values(
                    id=str(uuid.uuid4()), article_id=article_id, coder_id=coder_id,
                    question=question, value=value, created_at=now, updated_at=now,
                    revision=1, deleted_at=None, **stamp(),
                )
            )
        return None
    conn.execute(
        update(DocumentCodeRow)
        .where(DocumentCodeRow.id == row.id)
        .values(
            value=value, updated_at=now, deleted_at=now if value is None else None,
            revision=DocumentCodeRow.revision + 1, **stamp(),
        )
    )
    return None if row.deleted_at is not None else row.value
