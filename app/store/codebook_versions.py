"""The project's codebook versions (migration 0008) and migrating its coding to a new one.

``codebook_history`` numbers the codebooks a project has used; the project row points
at the current one. :meth:`CodebookVersions.adopt` makes a new codebook current and
rewrites every coded row in ONE transaction: it reads the rows, hands them to the
caller's plan (which migrates and checks them, see :mod:`app.services.codebook_versions`)
and writes what the plan returns; when the plan raises, nothing is written.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)

from app.core.records import utc_now
from app.store.schema import (
    AnnotationRow,
    CodebookHistoryRow,
    CodebookRow,
    DocumentCodeRow,
    ProjectRow,
    RejectionRow,
    RelationRow,
)


@dataclass(frozen=True)
class Version:
    """One codebook of the project's history."""

    number: int
    name: str
    version: str
    sha256: str
    content: str
    adopted_at: str
    map: dict[str, Any] | None
    report: dict[str, Any]


@dataclass
class CodingRows:
    """Every coded row as the plan reads it (tombstones too, marked by ``deleted``)."""

    conn: Connection

    def annotations(self) -> Iterator[tuple[str, str, str, str, str | None, bool]]:
        """(id, article id, coder id, label, attributes as JSON text, deleted)."""
        query = select(
            AnnotationRow.id, AnnotationRow.article_id, AnnotationRow.coder_id, AnnotationRow.label,
            cast(AnnotationRow.attributes, Text), AnnotationRow.deleted_at.is_not(None),
        )
        for row in self.conn.execute(query):
            yield row[0], row[1], row[2], row[3], row[4], bool(row[5])

    def linked(self) -> set[str]:
        """Ids of the annotations at either end of a relation (tombstones too)."""
        found: set[str] = set()
        for row in self.conn.execute(select(RelationRow.source_id, RelationRow.target_id)):
            found.update(row)
        return found

    def relations(self) -> Iterator[tuple[str, str, str, str, str, str, str | None, bool]]:
        """(id, article id, coder id, type, source id, target id, attributes as JSON text, deleted)."""
        query = select(
            RelationRow.id, RelationRow.article_id, RelationRow.coder_id, RelationRow.label,
            RelationRow.source_id, RelationRow.target_id, cast(RelationRow.attributes, Text),
            RelationRow.deleted_at.is_not(None),
        )
        for row in self.conn.execute(query):
            yield (*row[:7], bool(row[7]))

    def rejections(self) -> list[tuple[str, str, str]]:
        """(adjudicator id, article id, group key) of every adjudicator's rejection."""
        query = select(RejectionRow.adjudicator_id, RejectionRow.article_id, RejectionRow.key)
        return [(a, b, c) for a, b, c in self.conn.execute(query)]

    def spans_in(self, article_ids: set[str]) -> dict[str, list[tuple[str, str, int, int]]]:
        """Article id -> (id, label, start, end) of each of its spans, tombstones too."""
        found: dict[str, list[tuple[str, str, int, int]]] = {}
        ids = sorted(article_ids)
        for i in range(0, len(ids), 900):
            query = select(
                AnnotationRow.article_id, AnnotationRow.id, AnnotationRow.label, AnnotationRow.start, AnnotationRow.end,
            ).where(AnnotationRow.article_id.in_(ids[i : i + 900]))
            for article, *span in self.conn.execute(query):
                found.setdefault(article, []).append((span[0], span[1], span[2], span[3]))
        return found

    def answers(self) -> Iterator[tuple[str, str, str | None, bool]]:
        """(id, question, value as JSON text, deleted)."""
        query = select(
            DocumentCodeRow.id, DocumentCodeRow.question, cast(DocumentCodeRow.value, Text),
            DocumentCodeRow.deleted_at.is_not(None),
        )
        for row in self.conn.execute(query):
            yield row[0], row[1], row[2], bool(row[3])


def _json(text: str | None) -> Any:
    return {} if text is None or text == "{}" else json.loads(text)


@dataclass
class Rewrites:
    """What a plan changes: new (label, attributes) or (question, value) by row id, and
    the rows to drop (tombstoned)."""

    annotations: dict[str, tuple[str, Any]] = field(default_factory=dict)
    relations: dict[str, tuple[str, Any]] = field(default_factory=dict)
    answers: dict[str, tuple[str, Any]] = field(default_factory=dict)
    dropped: dict[str, set[str]] = field(default_factory=lambda: {"annotation": set(), "relation": set(), "answer": set()})
    #: (adjudicator id, article id, old key) -> the keys the rejection becomes (none: gone).
    rejections: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)


_TABLES: dict[str, Any] = {"annotation": AnnotationRow, "relation": RelationRow, "answer": DocumentCodeRow}


class CodebookVersions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def history(self) -> list[Version]:
        """Every codebook the project has used, oldest first."""
        query = (
            select(
                CodebookHistoryRow.number, CodebookRow.name, CodebookRow.version, CodebookRow.sha256,
                CodebookRow.content, CodebookHistoryRow.adopted_at, CodebookHistoryRow.map,
                CodebookHistoryRow.report,
            )
            .join(CodebookRow, CodebookRow.id == CodebookHistoryRow.codebook_id)
            .order_by(CodebookHistoryRow.number)
        )
        with self._engine.connect() as conn:
            return [Version(*row) for row in conn.execute(query)]

    def project_id(self) -> str:
        with self._engine.connect() as conn:
            return conn.execute(select(ProjectRow.id)).scalar_one()

    def current_number(self) -> int:
        with self._engine.connect() as conn:
            return conn.execute(current_number_query()).scalar_one()

    def coded_outside(self, first: int | None = None, last: int | None = None) -> set[tuple[str, str]]:
        """(article id, coder id) of each coder's article with live coding made (or last
        changed) under a version before ``first`` or after ``last``."""
        def outside(model: Any) -> Any:
            below = model.coded_version < first if first is not None else None
            above = model.coded_version > last if last is not None else None
            if below is not None and above is not None:
                return below | above
            return below if below is not None else above

        if first is None and last is None:
            return set()
        with self._engine.connect() as conn:
            return _pairs(conn, outside)

    def unsplit(self, label: str, attribute: str, before: int) -> set[tuple[str, str]]:
        """(article id, coder id) of live ``label`` spans coded before version ``before``
        whose ``attribute`` has no value: a split by it could not place them."""
        query = select(
            AnnotationRow.article_id, AnnotationRow.coder_id, cast(AnnotationRow.attributes, Text),
        ).where(
            AnnotationRow.deleted_at.is_(None), AnnotationRow.label == label, AnnotationRow.coded_version < before,
        )
        with self._engine.connect() as conn:
            return {
                (article, coder) for article, coder, text in conn.execute(query)
                if _json(text).get(attribute) in (None, "", [])
            }

    def preview(self, plan: Callable[[CodingRows], Any]) -> None:
        """Run ``plan`` over the coding without writing anything (a dry run)."""
        with self._engine.connect() as conn:
            plan(CodingRows(conn))

    def adopt(
        self, codebook: tuple[str, str, str, str], cmap: dict[str, Any] | None,
        plan: Callable[[CodingRows], tuple[Rewrites, dict[str, Any]]],
    ) -> int:
        """Make ``codebook`` (name, version, content JSON, sha256) the project's current
        codebook and rewrite its coding as ``plan`` says, in one transaction; returns the
        new version's number. ``plan`` returns the rewrites and the report to keep."""
        with self._engine.begin() as conn:
            number = (conn.execute(select(func.max(CodebookHistoryRow.number))).scalar() or 0) + 1
            rewrites, report = plan(CodingRows(conn))
            name, version, content, sha = codebook
            now = utc_now()
            codebook_id = conn.execute(select(CodebookRow.id).where(CodebookRow.sha256 == sha)).scalar()
            if codebook_id is None:
                codebook_id = str(uuid.uuid4())
                conn.execute(insert(CodebookRow).values(
                    id=codebook_id, name=name, version=version, content=content, sha256=sha, created_at=now,
                ))
            conn.execute(insert(CodebookHistoryRow).values(
                number=number, codebook_id=codebook_id, adopted_at=now, map=cmap, report=report,
            ))
            conn.execute(update(ProjectRow).values(codebook_id=codebook_id))
            _write(conn, rewrites, number, now)
        return number


def stamp() -> dict[str, Any]:
    """Values that stamp a row written now with the current codebook version: made (or
    changed) by its coder under it, and last migrated under it."""
    return {"codebook_version": current_number_query(), "coded_version": current_number_query()}


def _pairs(conn: Connection, condition: Callable[[Any], Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for model in (AnnotationRow, RelationRow, DocumentCodeRow):
        query = select(model.article_id, model.coder_id).where(model.deleted_at.is_(None), condition(model)).distinct()
        found.update((article, coder) for article, coder in conn.execute(query))
    return found


def current_number_query() -> Any:
    """The number of the project's current codebook, as a scalar subquery for inserts."""
    return (
        select(CodebookHistoryRow.number)
        .join(ProjectRow, ProjectRow.codebook_id == CodebookHistoryRow.codebook_id)
        .scalar_subquery()
    )


def _write(conn: Connection, rewrites: Rewrites, number: int, now: str) -> None:
    for kind, changes, names in (
        ("annotation", rewrites.annotations, ("label", "attributes")),
        ("relation", rewrites.relations, ("label", "attributes")),
        ("answer", rewrites.answers, ("question", "value")),
    ):
        model = _TABLES[kind]
        if changes:
            statement = (
                update(model).where(model.id == bindparam("row_id"))
                .values({names[0]: bindparam("new_name"), names[1]: bindparam("new_value")})
            )
            rows = [{"row_id": key, "new_name": a, "new_value": b} for key, (a, b) in changes.items()]
            for i in range(0, len(rows), 5000):
                conn.execute(statement, rows[i : i + 5000])
        dropped = sorted(rewrites.dropped[kind])
        for i in range(0, len(dropped), 900):
            conn.execute(
                update(model).where(model.id.in_(dropped[i : i + 900]), model.deleted_at.is_(None))
                .values(deleted_at=now)
            )
        conn.execute(update(model).values(codebook_version=number))
    _rekey(conn, rewrites.rejections)


def _rekey(conn: Connection, rejections: dict[tuple[str, str, str], tuple[str, ...]]) -> None:
    """Each rejection under its new keys, made at the same time as the old one."""
    for (adjudicator, article, old), keys in rejections.items():
        which = (RejectionRow.adjudicator_id == adjudicator, RejectionRow.article_id == article)
        made = conn.execute(select(RejectionRow.rejected_at).where(*which, RejectionRow.key == old)).scalar()
        conn.execute(delete(RejectionRow).where(*which, RejectionRow.key == old))
        for key in keys:
            if conn.execute(select(RejectionRow.key).where(*which, RejectionRow.key == key)).first() is None:
                conn.execute(insert(RejectionRow).values(
                    adjudicator_id=adjudicator, article_id=article, key=key, rejected_at=made,
                ))


def file_history(path: Path) -> list[tuple[int, str, str]]:
    """(number, sha256, version) of each codebook another project file (a coder's package)
    has used; a file older than schema 0008 has used one, its current codebook."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        has_history = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'codebook_history'"
        ).fetchone()
        if has_history:
            rows = conn.execute(
                "SELECT h.number, c.sha256, c.version FROM codebook_history h "
                "JOIN codebook c ON c.id = h.codebook_id ORDER BY h.number"
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT 1, c.sha256, c.version FROM project p JOIN codebook c ON c.id = p.codebook_id"
            ).fetchall()
        return [(int(n), str(sha), str(version)) for n, sha, version in rows]
    finally:
        conn.close()


def copy_file(source: Path, target: Path) -> None:
    """A consistent copy of the project file ``source`` (read-only) at ``target``."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
