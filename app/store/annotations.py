"""Coders' span annotations. Deletion is a tombstone so that merges propagate it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Text, cast, delete, func, insert, or_, select, update

from app.core.records import Annotation, Fragments, Relation
from app.store.assignments import start_coding
from app.store.codebook_versions import stamp
from app.store.engine import driver_sql
from app.store.locking import lock_rows, locking, write_lock
from app.store.schema import AnnotationFragmentRow, AnnotationRow, RelationRow

_BATCH = 5000


#: Columns in the order of :class:`Annotation`'s fields, so a row unpacks into one
#: directly (opening an article reads thousands of them).
_COLUMNS = (
    AnnotationRow.id, AnnotationRow.article_id, AnnotationRow.coder_id, AnnotationRow.label,
    AnnotationRow.start, AnnotationRow.end,
    # Raw JSON text: most annotations have no attributes yet, and "{}" needs no parser.
    cast(AnnotationRow.attributes, Text), AnnotationRow.note,
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


def _row(a: Annotation) -> dict[str, Any]:
    """The annotation table's row of ``a``."""
    return dict(
        id=a.id, article_id=a.article_id, coder_id=a.coder_id, label=a.label,
        start=a.start, end=a.end, attributes=a.attributes, note=a.note,
        uncertain=a.uncertain, created_at=a.created_at, updated_at=a.updated_at,
        revision=a.revision, deleted_at=a.deleted_at,
    )


class AnnotationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert(AnnotationRow).values(**stamp())

    def add(self, annotation: Annotation, now: str | None = None) -> bool:
        """Insert and commit one annotation (with its fragments) before returning; with
        ``now``, also set the coder's status on the article from to do to in progress in
        the same transaction. Returns whether the status changed."""
        with self._engine.begin() as conn:
            conn.execute(self._insert, _row(annotation))
            if annotation.fragments:
                conn.execute(insert(AnnotationFragmentRow), fragment_rows([annotation]))
            return now is not None and start_coding(conn, annotation.article_id, annotation.coder_id, now)

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
                batch.append(_row(a))
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
                conn.execute(insert(RelationRow).values(**stamp()), rows[i : i + _BATCH])
        return count

    def add_coded(self, annotations: Sequence[Annotation], now: str) -> tuple[str, ...]:
        """Insert one coder's new annotations across articles and mark each article they
        touch "in progress" where it was still to do, all in ONE transaction (coding
        every occurrence of a search). Returns the articles whose status changed."""
        started: list[str] = []
        with self._engine.begin() as conn:
            for i in range(0, len(annotations), _BATCH):
                conn.execute(self._insert, [_row(a) for a in annotations[i : i + _BATCH]])
            fragments = fragment_rows([a for a in annotations if a.fragments])
            if fragments:
                conn.execute(insert(AnnotationFragmentRow), fragments)
            for article_id, coder_id in dict.fromkeys((a.article_id, a.coder_id) for a in annotations):
                if start_coding(conn, article_id, coder_id, now):
                    started.append(article_id)
        return tuple(started)

    def set_deleted_many(
        self, annotation_ids: Sequence[str], relation_ids: Sequence[str] | None, deleted_at: str | None, now: str
    ) -> tuple[str, ...]:
        """Tombstone (``deleted_at`` a time) or revive (None) annotations in ONE
        transaction, with the relations that touch them when ``relation_ids`` is None
        (those found are returned) or else exactly ``relation_ids``."""
        ids = list(annotation_ids)
        with self._engine.begin() as conn:
            # Locked first, so that a relation drawn to one of them meanwhile is found below.
            lock_rows(conn, AnnotationRow, ids)
            if relation_ids is None:
                found: list[str] = []
                for i in range(0, len(ids), _BATCH):
                    part = ids[i : i + _BATCH]
                    found += conn.execute(
                        select(RelationRow.id).where(
                            RelationRow.deleted_at.is_(None),
                            or_(RelationRow.source_id.in_(part), RelationRow.target_id.in_(part)),
                        )
                    ).scalars()
                relation_ids = tuple(dict.fromkeys(found))
            for i in range(0, len(ids), _BATCH):
                conn.execute(
                    update(AnnotationRow)
                    .where(AnnotationRow.id.in_(ids[i : i + _BATCH]))
                    .values(deleted_at=deleted_at, updated_at=now, revision=AnnotationRow.revision + 1, **stamp())
                )
            links = list(relation_ids)
            for i in range(0, len(links), _BATCH):
                conn.execute(
                    update(RelationRow)
                    .where(RelationRow.id.in_(links[i : i + _BATCH]))
                    .values(deleted_at=deleted_at, updated_at=now, revision=RelationRow.revision + 1, **stamp())
                )
        return tuple(relation_ids)

    def get(self, annotation_id: str) -> Annotation | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(AnnotationRow).where(AnnotationRow.id == annotation_id)
            ).one_or_none()
            return None if row is None else _annotation(row, fragments_of(conn, annotation_id))

    def for_article(self, article_id: str, coder_id: str | None = None) -> list[Annotation]:
        query = select(*_COLUMNS).where(
            AnnotationRow.article_id == article_id, AnnotationRow.deleted_at.is_(None)
        )
        if coder_id is not None:
            query = query.where(AnnotationRow.coder_id == coder_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(AnnotationRow.start, AnnotationRow.end)).tuples().all()
            fragments = group_fragments(
                driver_sql(conn, _ARTICLE_FRAGMENTS, (article_id,)).tuples()
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
        with self._engine.begin() as conn:
            self._write(conn, annotation_id, values, updated_at)

    def change(
        self, annotation_id: str, plan: Callable[[Annotation], dict[str, Any]], updated_at: str
    ) -> tuple[Annotation, dict[str, Any]] | None:
        """Change a live annotation as a new revision, in ONE transaction: the row is read
        locked, ``plan`` turns it into the values to set (or raises, and nothing is
        written), and they are written. Two windows changing one annotation at once thus
        take turns: the later change is planned on the earlier one's result and wins,
        and each counts as a revision. Returns (the annotation before, the values set),
        or None when the annotation is gone."""
        with self._engine.begin() as conn:
            before = _live(conn, annotation_id)
            if before is None:
                return None
            values = plan(before)
            self._write(conn, annotation_id, values, updated_at)
        return before, values

    def _write(self, conn: Connection, annotation_id: str, values: dict[str, Any], updated_at: str) -> None:
        values = dict(values)
        fragments = values.pop("fragments", None)
        conn.execute(
            update(AnnotationRow)
            .where(AnnotationRow.id == annotation_id)
            .values(**values, updated_at=updated_at, revision=AnnotationRow.revision + 1, **stamp())
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
        taken = self.take_down(annotation_id, now, live=False)
        return () if taken is None else taken[1]

    def take_down(self, annotation_id: str, now: str, *, live: bool = True) -> tuple[str, tuple[str, ...]] | None:
        """Tombstone an annotation (``live``: only a live one) and its live relations in
        one transaction; returns (its article, the ids of the relations removed with it),
        or None when there is no such annotation to remove.

        The annotation is locked before its relations are looked up: a relation another
        window draws to it at the same time is either found here or refused there
        (:meth:`RelationRepository.add` checks its ends under the same lock)."""
        with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # two statements, each changing and returning
                return _take_down_returning(conn, annotation_id, now, live)
            found = _live(conn, annotation_id, live=live, fragments=False)
            if found is None:
                return None
            relation_ids = tuple(
                conn.execute(
                    select(RelationRow.id).where(
                        RelationRow.deleted_at.is_(None),
                        or_(RelationRow.source_id == annotation_id, RelationRow.target_id == annotation_id),
                    )
                ).scalars()
            )
            self._tombstone(conn, annotation_id, relation_ids, now, now)
        return found.article_id, relation_ids

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
            .values(deleted_at=deleted_at, updated_at=now, revision=AnnotationRow.revision + 1, **stamp())
        )
        if relation_ids:
            conn.execute(
                update(RelationRow)
                .where(RelationRow.id.in_(list(relation_ids)))
                .values(deleted_at=deleted_at, updated_at=now, revision=RelationRow.revision + 1, **stamp())
            )


def _take_down_returning(conn: Connection, annotation_id: str, now: str, live: bool) -> tuple[str, tuple[str, ...]] | None:
    """:meth:`AnnotationRepository.take_down` on PostgreSQL: the annotation's UPDATE locks
    it (and, at READ COMMITTED, re-checks that it is live on the newest row), then its
    live relations are tombstoned by one UPDATE that returns them."""
    tombstone = {"deleted_at": now, "updated_at": now, **stamp()}
    where = [AnnotationRow.id == annotation_id] + ([AnnotationRow.deleted_at.is_(None)] if live else [])
    article_id = conn.execute(
        update(AnnotationRow).where(*where).values(revision=AnnotationRow.revision + 1, **tombstone)
        .returning(AnnotationRow.article_id)
    ).scalar_one_or_none()
    if article_id is None:
        return None
    relation_ids = conn.execute(
        update(RelationRow)
        .where(RelationRow.deleted_at.is_(None),
               or_(RelationRow.source_id == annotation_id, RelationRow.target_id == annotation_id))
        .values(revision=RelationRow.revision + 1, **tombstone)
        .returning(RelationRow.id)
    ).scalars()
    return article_id, tuple(sorted(relation_ids))


def _live(conn: Connection, annotation_id: str, *, live: bool = True, fragments: bool = True) -> Annotation | None:
    """The annotation (``live``: only if not deleted), its row locked until the
    transaction ends (:func:`app.store.locking.locking`), read with its fragments in
    the same statement."""
    write_lock(conn)
    columns: list[Any] = [AnnotationRow]
    if fragments:
        piece = cast(AnnotationFragmentRow.start, Text) + ":" + cast(AnnotationFragmentRow.end, Text)
        columns.append(
            select(func.aggregate_strings(piece, ","))
            .where(AnnotationFragmentRow.annotation_id == AnnotationRow.id)
            .scalar_subquery().label("fragments")
        )
    query = select(*columns).where(AnnotationRow.id == annotation_id)
    row = conn.execute(locking(conn, query, AnnotationRow)).first()
    if row is None or (live and row.deleted_at is not None):
        return None
    pieces = (piece.split(":") for piece in (row.fragments or "").split(",") if piece) if fragments else ()
    return _annotation(row, tuple(sorted((int(first), int(last)) for first, last in pieces)))


def fragments_of(conn: Connection, annotation_id: str) -> Fragments:
    rows = conn.execute(
        select(AnnotationFragmentRow.start, AnnotationFragmentRow.end)
        .where(AnnotationFragmentRow.annotation_id == annotation_id)
        .order_by(AnnotationFragmentRow.start)
    ).tuples().all()
    return tuple((first, last) for first, last in rows)
