"""Relations between annotations. Deletion is a tombstone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, select, update

from app.core.records import Annotation, Relation
from app.store.annotations import _annotation
from app.store.codebook_versions import stamp
from app.store.locking import lock_rows
from app.store.schema import AnnotationRow, RelationRow

#: Called with (source, target, same relations) before a relation is inserted; raises to refuse it.
RelationCheck = Callable[[Annotation | None, Annotation | None, list[Relation]], None]


def _relation(row: Any) -> Relation:
    return Relation(
        id=row.id, article_id=row.article_id, coder_id=row.coder_id, label=row.label,
        source_id=row.source_id, target_id=row.target_id,
        attributes=dict(row.attributes or {}), revision=row.revision,
        created_at=row.created_at, updated_at=row.updated_at, deleted_at=row.deleted_at,
    )


class RelationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, relation: Relation, check: RelationCheck | None = None) -> None:
        """Insert and commit one relation. ``check`` (which raises to refuse it) is given
        the live annotations at its ends (None for one gone) and the live relations of
        its coder with its type and ends, all read in the insert's transaction with the
        ends locked: a window removing an end, or drawing the same relation, at the same
        time waits for this one or makes it refused."""
        with self._engine.begin() as conn:
            if check is not None:
                ends = {row.id: row for row in lock_rows(conn, AnnotationRow, [relation.source_id, relation.target_id])}
                live = {key: _annotation(row) for key, row in ends.items() if row.deleted_at is None}
                same = conn.execute(
                    select(RelationRow).where(
                        RelationRow.article_id == relation.article_id, RelationRow.coder_id == relation.coder_id,
                        RelationRow.label == relation.label, RelationRow.source_id == relation.source_id,
                        RelationRow.target_id == relation.target_id, RelationRow.deleted_at.is_(None),
                        RelationRow.id != relation.id,
                    )
                ).all()
                check(live.get(relation.source_id), live.get(relation.target_id), [_relation(r) for r in same])
            conn.execute(
                insert(RelationRow).values(
                    id=relation.id, article_id=relation.article_id, coder_id=relation.coder_id,
                    label=relation.label, source_id=relation.source_id,
                    target_id=relation.target_id, attributes=relation.attributes,
                    created_at=relation.created_at, updated_at=relation.updated_at,
                    revision=relation.revision, deleted_at=relation.deleted_at, **stamp(),
                )
            )

    def get(self, relation_id: str) -> Relation | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(RelationRow).where(RelationRow.id == relation_id)).one_or_none()
        return None if row is None else _relation(row)

    def for_article(self, article_id: str, coder_id: str | None = None) -> list[Relation]:
        query = select(RelationRow).where(
            RelationRow.article_id == article_id, RelationRow.deleted_at.is_(None)
        )
        if coder_id is not None:
            query = query.where(RelationRow.coder_id == coder_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(RelationRow.created_at)).all()
        return [_relation(row) for row in rows]

    def set_deleted(self, relation_id: str, deleted_at: str | None, updated_at: str) -> None:
        """Tombstone (or revive, with ``None``) a relation as a new revision."""
        with self._engine.begin() as conn:
            conn.execute(
                update(RelationRow)
                .where(RelationRow.id == relation_id)
                .values(deleted_at=deleted_at, updated_at=updated_at, revision=RelationRow.revision + 1, **stamp())
            )
