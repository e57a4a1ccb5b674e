"""Coders' span annotations. Deletion is a tombstone so that merges propagate it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, Text, delete, insert, or_, select, type_coerce, update

from app.core.records import Annotation, Fragments, Relation
from app.store.schema import AnnotationFragmentRow, AnnotationRow, RelationRow

_BATCH = 5000


#: Columns in the order of :class:`Annotation`'s fields, so a row unpacks into one
#: directly (opening an article reads thousands of them).
_COLUMNS = (
    AnnotationRow.id, AnnotationRow.article_id, AnnotationRow.coder_id, AnnotationRow.label,
    AnnotationRow.start, AnnotationRow.end,
    # Raw JSON text: most annotations have no attributes yet, and "{}" needs no parser.
    type_coerce(AnnotationRow.attributes, Text), AnnotationRow.note,
    AnnotationRow.uncertain, AnnotationRow.revision, AnnotationRow.created_at,
    AnnotationRow.updated_at, AnnotationRow.deleted_at,
)


def _annotation(row: Any, fragments: Fragments = ()) -> Annotation:
    """An annotation from a row of named columns (any order)."""
    return Annotation(
        id=row.id, article_id=row.article_id, coder_id=row.coder_id, label=row.label,
        start=row.start, end=row.end, attributes=dict(row.attributes or {}), note=row.note,
        uncertain=bool(row.uncertain), revision=row.revision, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at, fragments=fragments,
    )


#: The fragments of the live annotations of one article (and coder). CROSS JOIN keeps
#: SQLite's loop over the article's annotations (by index) with the fragments looked up
#: by key inside it, so the cost is the article's, not the project's.
_ARTICLE_FRAGMENTS = (
    "SELECT f.annotation_id, f.start, f.\"end\" FROM annotation a CROSS JOIN annotation_fragment f "
    "WHERE a.article_id = ? AND a.deleted_at IS NULL AND f.annotation_id = a.id"
)


def fragment_rows(annotations: Iterable[Annotation]) -> list[dict[str, Any]]:
    """Rows of ``annotation_fragment`` for the discontinuous ones of ``annotations``."""
    return [
        {"annotation_id": a.id, "start": first, "end": last}
        for a in annotations for first, last in a.fragments
    ]


def group_fragments(rows: Iterable[tuple[str, int, int]]) -> dict[str, Fragments]:
    """annotation id -> its sorted fragments, from (annotation id, start, end) rows."""
    found: dict[str, list[tuple[int, int]]] = {}
    for annotation_id, first, last in rows:
        found.setdefault(annotation_id, []).append((first, last))
    return {key: tuple(sorted(value)) for key, value in found.items()}


class AnnotationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert(AnnotationRow)

    def add(self, annotation: Annotation) -> None:
        """Insert and commit one annotation (with its fragments) before returning."""
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
            if annotation.fragments:
                conn.execute(insert(AnnotationFragmentRow), fragment_rows([annotation]))

    def add_many(
        self, annotations: Iterable[Annotation], relations: Iterable[Relation] = ()
    ) -> int:
        """Insert annotations (and relations between them) in ONE transaction.

        For imports of coded files and generated benchmark projects: either all of them
        are in the file afterwards or none. Returns the number of annotations inserted.
        """
        count = 0
        with self._engine.begin() as conn:
            batch: list[dict[str, Any]] = []
            fragments: list[dict[str, Any]] = []
            for a in annotations:
                if a.fragments:
                    fragments += fragment_rows([a])
                batch.append(
                    dict(
                        id=a.id, article_id=a.article_id, coder_id=a.coder_id, label=a.label,
                        start=a.start, end=a.end, attributes=a.attributes, note=a.note,
                        uncertain=a.uncertain, created_at=a.created_at, updated_at=a.updated_at,
                        revision=a.revision, deleted_at=a.deleted_at,
                    )
                )
                if len(batch) >= _BATCH:
                    conn.execute(self._insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                conn.execute(self._insert, batch)
                count += len(batch)
            for i in range(0, len(fragments), _BATCH):
                conn.execute(insert(AnnotationFragmentRow), fragments[i : i + _BATCH])
            rows = [
                dict(
                    id=r.id, article_id=r.article_id, coder_id=r.coder_id, label=r.label,
                    source_id=r.source_id, target_id=r.target_id, attributes=r.attributes,
                    created_at=r.created_at, updated_at=r.updated_at, revision=r.revision,
                    deleted_at=r.deleted_at,
                )
                for r in relations
            ]
            for i in range(0, len(rows), _BATCH):
                conn.execute(insert(RelationRow), rows[i : i + _BATCH])
        return count

    def get(self, annotation_id: str) -> Annotation | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(AnnotationRow).where(AnnotationRow.id == annotation_id)
            ).one_or_none()
            if row is None:
                return None
            fragments = conn.execute(
                select(AnnotationFragmentRow.start, AnnotationFragmentRow.end)
                .where(AnnotationFragmentRow.annotation_id == annotation_id)
                .order_by(AnnotationFragmentRow.start)
            ).tuples().all()
        return _annotation(row, tuple((first, last) for first, last in fragments))

    def for_article(self, article_id: str, coder_id: str | None = None) -> list[Annotation]:
        query = select(*_COLUMNS).where(
            AnnotationRow.article_id == article_id, AnnotationRow.deleted_at.is_(None)
        )
        if coder_id is not None:
            query = query.where(AnnotationRow.coder_id == coder_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(AnnotationRow.start, AnnotationRow.end)).tuples().all()
            fragments = group_fragments(
                conn.exec_driver_sql(_ARTICLE_FRAGMENTS, (article_id,)).tuples()
            )
        return [
            Annotation(
                id_, article, coder, label, start, end,
                {} if attributes in ("{}", None) else json.loads(attributes),
                note, uncertain, revision, created, updated, deleted,
                fragments=fragments.get(id_, ()),
            )
            for (id_, article, coder, label, start, end, attributes, note, uncertain, revision,
                 created, updated, deleted) in rows
        ]

    def update(self, annotation_id: str, values: dict[str, Any], updated_at: str) -> None:
        """Set fields of a live or deleted annotation as a new revision, and commit.

        ``values["fragments"]``, when given, replaces the annotation's fragments in the
        same transaction (``()`` makes it contiguous).
        """
        values = dict(values)
        fragments = values.pop("fragments", None)
        with self._engine.begin() as conn:
            conn.execute(
                update(AnnotationRow)
                .where(AnnotationRow.id == annotation_id)
                .values(**values, updated_at=updated_at, revision=AnnotationRow.revision + 1)
            )
            if fragments is not None:
                self._replace_fragments(conn, annotation_id, fragments)

    @staticmethod
    def _replace_fragments(conn: Any, annotation_id: str, fragments: Fragments) -> None:
        conn.execute(delete(AnnotationFragmentRow).where(AnnotationFragmentRow.annotation_id == annotation_id))
        if fragments:
            conn.execute(
                insert(AnnotationFragmentRow),
                [{"annotation_id": annotation_id, "start": first, "end": last} for first, last in fragments],
            )

    def remove(self, annotation_id: str, now: str) -> tuple[str, ...]:
        """Tombstone an annotation and its live relations in one transaction.

        Returns the ids of the relations removed with it.
        """
        with self._engine.begin() as conn:
            relation_ids = tuple(
                conn.execute(
                    select(RelationRow.id).where(
                        RelationRow.deleted_at.is_(None),
                        or_(RelationRow.source_id == annotation_id, RelationRow.target_id == annotation_id),
                    )
                ).scalars()
            )
            self._tombstone(conn, annotation_id, relation_ids, now, now)
        return relation_ids

    def restore(self, annotation_id: str, relation_ids: Sequence[str], now: str) -> None:
        """Revive an annotation and the relations removed with it, in one transaction."""
        with self._engine.begin() as conn:
            self._tombstone(conn, annotation_id, relation_ids, None, now)

    @staticmethod
    def _tombstone(
        conn: Any, annotation_id: str, relation_ids: Sequence[str], deleted_at: str | None, now: str
    ) -> None:
        conn.execute(
            update(AnnotationRow)
            .where(AnnotationRow.id == annotation_id)
            .values(deleted_at=deleted_at, updated_at=now, revision=AnnotationRow.revision + 1)
        )
        if relation_ids:
            conn.execute(
                update(RelationRow)
                .where(RelationRow.id.in_(list(relation_ids)))
                .values(deleted_at=deleted_at, updated_at=now, revision=RelationRow.revision + 1)
            )
