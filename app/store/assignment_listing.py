"""The lead's article table read in pieces: the order of ids, then the rows shown.

The Assignments tab lists every article of the project (100,000 in a lead's master
project) with each coder's standing on it. :meth:`AssignmentListing.order` returns only
the ids, sorted and filtered over the assignments read once per state of the file
(:mod:`app.store.assignment_standing`); :meth:`AssignmentListing.rows` reads the
article heads and the coders' cells of the few rows a view draws, with the same rule
for "worked" as :meth:`app.store.assigning.AssigningQueries.cells`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sqlalchemy import Connection, Engine

from app.core.team import ArticleAssignment, AssignmentCell
from app.store.assignment_standing import Standing, StandingCache
from app.store.listing import _like, _tuples, sort_key, title_or_source_contains

#: Sortable text columns and their SQL keys (ties broken by position).
SORT_KEYS = {
    "title": "a.title COLLATE NOCASE",
    "source": "coalesce(a.source, '') COLLATE NOCASE",
}
_CHUNK = 500


class AssignmentListing:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._standing = StandingCache(engine)

    def order(
        self,
        *,
        sort: str = "position",
        sort_coder: str | None = None,
        descending: bool = False,
        needle: str = "",
        show: str = "",
        show_coder: str | None = None,
    ) -> list[str]:
        """Ids of every article: sorted by ``sort`` ("position", "overlap" or a key of
        :data:`SORT_KEYS`) or, with ``sort_coder`` (an id), by that coder's standing;
        only those whose title or source
        contains ``needle`` (case-insensitive for ASCII letters); ``show`` "unassigned"
        (assigned to nobody), "overlap" (to two or more) or "coder" (to ``show_coder``).

        The assignments are read once per state of the file (:mod:`.assignment_standing`);
        sorts and filters are passes over them, the last few orders are kept, and SQL
        reads only a text filter's matches and the order of a text column."""
        with self._engine.connect() as conn:
            standing = self._standing.get(partial(_tuples, conn))
            key = (sort if sort_coder is None else None, sort_coder, show, show_coder if show == "coder" else None)
            ids = standing.orders.get(key)
            if ids is None:
                for coder in (sort_coder, show_coder if show == "coder" else None):
                    standing.read_ranks(coder, partial(_tuples, conn))
                ids = standing.remember(key, standing.shown(self._sorted(conn, standing, sort, sort_coder), show, show_coder))
            if needle:
                sql = f"SELECT a.id FROM article a WHERE {title_or_source_contains(conn.dialect.name == 'sqlite')}"
                matching = {row[0] for row in _tuples(conn, sql, {"needle": _like(needle)})}
                ids = [i for i in ids if i in matching]
        return ids[::-1] if descending else list(ids)

    @staticmethod
    def _sorted(conn: Connection, standing: Standing, sort: str, sort_coder: str | None) -> list[str]:
        if sort_coder is not None:
            return standing.by_coder(standing.ids, sort_coder)
        if sort == "overlap":
            return standing.by_overlap(standing.ids)
        if sort in SORT_KEYS:
            sql = f"SELECT a.id FROM article a ORDER BY {sort_key(sort, SORT_KEYS, conn.dialect.name == 'sqlite')}, a.position"
            return [row[0] for row in _tuples(conn, sql, {})]
        return standing.ids

    def close(self) -> None:
        self._standing.close()

    def titles(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The titles of those of ``article_ids`` that exist, by id."""
        found: dict[str, str] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(article_ids), _CHUNK):
                part = list(article_ids[i : i + _CHUNK])
                marks = ", ".join(f":i{j}" for j in range(len(part)))
                sql = f"SELECT id, title FROM article WHERE id IN ({marks})"
                found.update(_tuples(conn, sql, {f"i{j}": v for j, v in enumerate(part)}))
        return found

    def overlap(self) -> list[str]:
        """Ids of the articles two or more coders (not adjudicators) marked done, in
        import order: what :mod:`app.services.adjudication` calls overlap articles."""
        sql = (
            "SELECT a.id FROM article a JOIN (SELECT s.article_id FROM assignment s "
            "JOIN coder c ON c.id = s.coder_id WHERE s.status = 'done' AND c.role != 'adjudicator' "
            "GROUP BY s.article_id HAVING count(*) >= 2) d ON d.article_id = a.id ORDER BY a.position"
        )
        with self._engine.connect() as conn:
            return [row[0] for row in _tuples(conn, sql, {})]

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(_tuples(conn, "SELECT count(*) FROM article", {})[0][0])

    def unassigned(self) -> int:
        """Articles assigned to nobody."""
        with self._engine.connect() as conn:
            standing = self._standing.get(partial(_tuples, conn))
        return len(standing.ids) - len(standing.assigned)

    def any_assigned(self) -> bool:
        with self._engine.connect() as conn:
            return bool(_tuples(conn, "SELECT EXISTS (SELECT 1 FROM assignment WHERE assigned)", {})[0][0])

    def rows(self, article_ids: Sequence[str], names: dict[str, str]) -> dict[str, ArticleAssignment]:
        """The table rows of ``article_ids``, by id; ``names``: coder id -> name of the
        coders shown (the overlap counts every assigned coder)."""
        found: dict[str, ArticleAssignment] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(article_ids), _CHUNK):
                part = list(article_ids[i : i + _CHUNK])
                marks = ", ".join(f":i{j}" for j in range(len(part)))
                params = {f"i{j}": v for j, v in enumerate(part)}
                heads = _tuples(conn, f"SELECT id, position, title, source FROM article WHERE id IN ({marks})", params)
                statuses = _tuples(
                    conn, f"SELECT article_id, coder_id, status, assigned FROM assignment WHERE article_id IN ({marks})",
                    params,
                )
                worked = {
                    (a, c) for a, c in _tuples(conn, (
                        f"SELECT article_id, coder_id FROM assignment WHERE article_id IN ({marks}) "
                        "AND (status != 'todo' OR seconds_spent > 0) "
                        f"UNION SELECT article_id, coder_id FROM annotation WHERE article_id IN ({marks}) "
                        "AND deleted_at IS NULL "
                        f"UNION SELECT article_id, coder_id FROM relation WHERE article_id IN ({marks}) "
                        "AND deleted_at IS NULL "
                        f"UNION SELECT article_id, coder_id FROM document_code WHERE article_id IN ({marks}) "
                        "AND deleted_at IS NULL"
                    ), params)
                }
                cells: dict[str, dict[str, AssignmentCell]] = {}
                sharing: dict[str, int] = {}
                with_row = set()
                for a, c, status, assigned in statuses:
                    with_row.add((a, c))
                    sharing[a] = sharing.get(a, 0) + bool(assigned)
                    if c in names:
                        cells.setdefault(a, {})[names[c]] = AssignmentCell(a, c, status, bool(assigned), (a, c) in worked)
                for a, c in worked - with_row:
                    if c in names:
                        cells.setdefault(a, {})[names[c]] = AssignmentCell(a, c, None, False, True)
                for a, position, title, source in heads:
                    found[a] = ArticleAssignment(
                        a, position, title, source, dict(sorted(cells.get(a, {}).items())), sharing.get(a, 0) > 1
                    )
        return found
