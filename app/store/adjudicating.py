"""The adjudicator's decisions, each written in ONE transaction, and the rejections table.

A decision (accept a coder's version, reject a group, accept the agreements of an
article or of every article) changes several rows: the gold's annotations, relations
and answers, the adjudicator's status and the rejection records. :meth:`GoldRepository.decide`
gives the service one :class:`GoldWrites` on one transaction for all of them; on SQLite
it starts with ``BEGIN IMMEDIATE``, so no other writer slips in between the decision's
reads and its writes. Either every row of the decision is in the file afterwards or,
if any statement fails, none is.

A rejection ("the gold holds none of this group") is a row of its own, keyed by
adjudicator, article and group key, so that two windows rejecting at once each insert
their own row instead of rewriting one shared JSON value (where one of the two was lost).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.errors import ProjectError
from app.core.records import Annotation, Relation
from app.store.annotations import _live, fragment_rows
from app.store.answers import write_answer
from app.store.assignments import start_coding
from app.store.codebook_versions import stamp
from app.store.failures import describe_database_error
from app.store.locking import conflict_insert, lock_key
from app.store.relations import _relation
from app.store.schema import (
    AnnotationFragmentRow,
    AnnotationRow,
    DocumentCodeRow,
    RejectionRow,
    RelationRow,
)

log = logging.getLogger(__name__)


class DecisionNotSaved(ProjectError):
    """The database refused a statement of a decision; the whole decision was rolled back."""


class GoldWrites:
    """Reads and writes of one decision, all on its transaction's connection.

    Reads see the decision's own earlier writes (a relation accepted together with the
    spans at its ends finds them). Only valid inside :meth:`GoldRepository.decide`.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reads -------------------------------------------------------------------------
    def annotation(self, annotation_id: str) -> Annotation | None:
        """The annotation, its row locked until the decision ends (so that what the
        decision checks of it still holds when it writes)."""
        return _live(self._conn, annotation_id, live=False)

    def relation(self, relation_id: str) -> Relation | None:
        row = self._conn.execute(select(RelationRow).where(RelationRow.id == relation_id)).one_or_none()
        return None if row is None else _relation(row)

    def answer(self, article_id: str, coder_id: str, question: str) -> Any:
        """The coder's live answer to the question, or None."""
        return self._conn.execute(
            select(DocumentCodeRow.value).where(
                DocumentCodeRow.article_id == article_id, DocumentCodeRow.coder_id == coder_id,
                DocumentCodeRow.question == question, DocumentCodeRow.deleted_at.is_(None),
            )
        ).scalars().first()

    # -- annotations and relations (tombstones, new revisions) ---------------------------
    def add_annotation(self, a: Annotation) -> None:
        self._conn.execute(
            insert(AnnotationRow).values(
                id=a.id, article_id=a.article_id, coder_id=a.coder_id, label=a.label, start=a.start,
                end=a.end, attributes=a.attributes, note=a.note, uncertain=a.uncertain,
                created_at=a.created_at, updated_at=a.updated_at, revision=a.revision,
                deleted_at=a.deleted_at, **stamp(),
            )
        )
        if a.fragments:
            self._conn.execute(insert(AnnotationFragmentRow), fragment_rows([a]))

    def remove_annotation(self, annotation_id: str, now: str) -> tuple[str, ...]:
        """Tombstone an annotation and its live relations; returns the relations' ids."""
        relation_ids = tuple(
            self._conn.execute(
                select(RelationRow.id).where(
                    RelationRow.deleted_at.is_(None),
                    or_(RelationRow.source_id == annotation_id, RelationRow.target_id == annotation_id),
                )
            ).scalars()
        )
        self._tombstone(annotation_id, relation_ids, now, now)
        return relation_ids

    def restore_annotation(self, annotation_id: str, relation_ids: Sequence[str], now: str) -> None:
        self._tombstone(annotation_id, relation_ids, None, now)

    def _tombstone(
        self, annotation_id: str, relation_ids: Sequence[str], deleted_at: str | None, now: str
    ) -> None:
        self._conn.execute(
            update(AnnotationRow)
            .where(AnnotationRow.id == annotation_id)
            .values(deleted_at=deleted_at, updated_at=now, revision=AnnotationRow.revision + 1, **stamp())
        )
        for relation_id in relation_ids:
            self.set_relation_deleted(relation_id, deleted_at, now)

    def add_relation(self, r: Relation) -> None:
        self._conn.execute(
            insert(RelationRow).values(
                id=r.id, article_id=r.article_id, coder_id=r.coder_id, label=r.label,
                source_id=r.source_id, target_id=r.target_id, attributes=r.attributes,
                created_at=r.created_at, updated_at=r.updated_at, revision=r.revision,
                deleted_at=r.deleted_at, **stamp(),
            )
        )

    def set_relation_deleted(self, relation_id: str, deleted_at: str | None, now: str) -> None:
        self._conn.execute(
            update(RelationRow)
            .where(RelationRow.id == relation_id)
            .values(deleted_at=deleted_at, updated_at=now, revision=RelationRow.revision + 1, **stamp())
        )

    # -- answers and status ------------------------------------------------------------
    def set_answer(self, article_id: str, coder_id: str, question: str, value: Any, now: str) -> Any:
        """Store an answer (``None`` tombstones it) as a new revision of its one row;
        returns the answer replaced."""
        return write_answer(self._conn, article_id, coder_id, question, value, now)

    def mark_started(self, article_id: str, coder_id: str, now: str) -> bool:
        """Set the coder's status on the article from to do to in progress; whether it was to do."""
        return start_coding(self._conn, article_id, coder_id, now)

    # -- rejections --------------------------------------------------------------------
    def set_rejected(self, article_id: str, adjudicator_id: str, key: str, rejected: bool, now: str) -> None:
        """Record (or withdraw) a rejection; recording one twice keeps one row."""
        where = (
            RejectionRow.adjudicator_id == adjudicator_id, RejectionRow.article_id == article_id,
            RejectionRow.key == key,
        )
        if not rejected:
            self._conn.execute(delete(RejectionRow).where(*where))
            return
        self._conn.execute(
            conflict_insert(self._conn, RejectionRow)
            .values(adjudicator_id=adjudicator_id, article_id=article_id, key=key, rejected_at=now)
            .on_conflict_do_nothing()
        )


class GoldRepository:
    """The adjudicator's rejections, and the one transaction of each decision."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def rejections(self, adjudicator_id: str) -> dict[str, set[str]]:
        """Article id -> keys of the groups this adjudicator rejected."""
        found: dict[str, set[str]] = {}
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(RejectionRow.article_id, RejectionRow.key).where(
                    RejectionRow.adjudicator_id == adjudicator_id
                )
            ).all()
        for article_id, key in rows:
            found.setdefault(article_id, set()).add(key)
        return found

    @contextmanager
    def decide(self) -> Iterator[GoldWrites]:
        """One transaction for a decision: committed if the block ends, rolled back if it raises.

        A database error (a constraint, a locked file) becomes :class:`DecisionNotSaved`
        with one sentence; its details go to the log.
        """
        try:
            with self._engine.begin() as conn:
                # The decision's reads and writes form one unit: on SQLite the write lock is
                # taken now; on PostgreSQL the decisions of one login (the adjudicator's
                # windows) take turns, and the rows each reads are locked as it reads them.
                lock_key(conn, "decision", conn.exec_driver_sql("SELECT session_user").scalar_one()
                         if conn.dialect.name == "postgresql" else "")
                yield GoldWrites(conn)
        except DBAPIError as exc:
            log.warning("An adjudication decision was rolled back", exc_info=True)
            raise DecisionNotSaved(self._sentence(exc)) from exc

    def _sentence(self, exc: DBAPIError) -> str:
        if isinstance(exc, IntegrityError):
            return (
                "The decision was not saved, because the project file refused one of its rows "
                "(it refers to something missing or repeats something saved); nothing of it was written."
            )
        described = describe_database_error(exc, self._engine.url.database or "the project file")
        if described is not None:
            return f"The decision was not saved: {described}"
        return "The decision was not saved, because the project file could not be written; nothing of it was written."
