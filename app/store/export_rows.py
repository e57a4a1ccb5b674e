"""The rows exports read most, as plain tuples: the part of
:class:`~app.store.exports.ExportQueries` that reads every annotation of a project, on
the driver's own cursor (no result objects per row), with the helpers the other
queries share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine

from app.store.annotations import group_fragments
from app.store.engine import driver_sql

IN_LIMIT = 500


def json_dict(value: Any) -> dict[str, Any]:
    """A JSON column read as text by the driver: the attributes, ``{}`` when empty."""
    if not value or value == "{}":
        return {}
    found = json.loads(value) if isinstance(value, str) else value
    return dict(found or {})


def in_list(values: Sequence[str] | None) -> str:
    """The placeholders of an ``IN (...)`` list of ``values``."""
    return ", ".join("?" * len(values or ()))


def driver_rows(engine: Engine, query: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` (plain SQL, ``?`` placeholders) as the driver's own tuples,
    streamed from its cursor on a connection of ``engine``."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if conn.dialect.paramstyle in ("format", "pyformat"):
                query = _as_psycopg(cursor, query)
            cursor.execute(query, tuple(params))
            yield from cursor
        finally:
            cursor.close()


def _as_psycopg(cursor: Any, query: str) -> str:
    """A driver query for psycopg: ``%s`` placeholders, and JSON columns read as their
    text, as SQLite's driver reads them (the callers decode each distinct text once)."""
    from psycopg.types.string import TextLoader

    for name in ("json", "jsonb"):
        cursor.adapters.register_loader(name, TextLoader)
    return query.replace("%", "%%").replace("?", "%s")


class ExportRows:
    """The export queries that return plain tuples. Thread: the one that opened the project."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def annotation_rows(self, article_ids: Sequence[str], coder_ids: Sequence[str] | None) -> Iterator[tuple]:
        """Live annotations of the articles as plain tuples, in the order of
        :meth:`annotations`: (id, article id, coder id, label, start, end, attributes,
        note, uncertain, created, updated, fragments). One query in plain SQL on the
        driver's own cursor, for the Annotations sheet, which reads every annotation of
        a project; equal attribute texts are decoded once and share their dict (read
        it, never change it)."""
        coders = "" if coder_ids is None else f" AND a.coder_id IN ({in_list(coder_ids)})"
        query = (
            'SELECT a.id, a.article_id, a.coder_id, a.label, a.start, a."end", a.attributes, a.note, '
            "a.uncertain, a.created_at, a.updated_at FROM annotation a "
            "JOIN article p ON p.id = a.article_id JOIN coder c ON c.id = a.coder_id "
            f"WHERE a.article_id IN ({in_list(article_ids)}) AND a.deleted_at IS NULL{coders} "
            'ORDER BY p.position, c.name, a.start, a."end", a.label, a.id'
        )
        with self._engine.connect() as conn:
            fragments = self._fragments(conn, article_ids)
        decoded: dict[Any, dict[str, Any]] = {}
        for i, art, coder, label, start, end, attrs, note, unsure, made, changed in driver_rows(
            self._engine, query, (*article_ids, *(coder_ids or ()))
        ):
            attributes = decoded.get(attrs)
            if attributes is None:
                if len(decoded) > 4096:
                    decoded.clear()
                attributes = decoded[attrs] = json_dict(attrs)
            yield (
                i, art, coder, label, start, end, attributes, note, bool(unsure), made, changed,
                fragments.get(i, ()),
            )

    @staticmethod
    def _fragments(conn: Any, article_ids: Sequence[str]) -> dict[str, Any]:
        """annotation id -> fragments, of the live discontinuous annotations of the articles
        (CROSS JOIN: SQLite walks the articles' annotations and looks their fragments up)."""
        ids = list(article_ids)
        rows: list[tuple[str, int, int]] = []
        for i in range(0, len(ids), IN_LIMIT):
            chunk = ids[i : i + IN_LIMIT]
            rows += driver_sql(conn,
                'SELECT f.annotation_id, f.start, f."end" FROM annotation a CROSS JOIN annotation_fragment f '
                f"WHERE a.article_id IN ({', '.join('?' * len(chunk))}) AND a.deleted_at IS NULL "
                "AND f.annotation_id = a.id",
                tuple(chunk),
            ).all()
        return group_fragments(rows)
