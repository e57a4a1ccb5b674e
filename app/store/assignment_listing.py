"""The lead's article table read in pieces: the order of ids, then the rows shown.

The Assignments tab lists every article of the project (100,000 in a lead's master
project) with each coder's standing on it. :meth:`AssignmentListing.order` returns only
the ids, sorted and filtered by SQLite; :meth:`AssignmentListing.rows` reads the
article heads and the coders' cells of the few rows a view draws, with the same rule
for "worked" as :meth:`app.store.assigning.AssigningQueries.cells`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from app.core.team import ArticleAssignment, AssignmentCell
from app.store.listing import _like, _tuples

#: Articles assigned to two or more coders.
_SHARED = "SELECT article_id FROM assignment WHERE assigned GROUP BY article_id HAVING count(*) > 1"
#: Sortable columns and their SQL keys (ties broken by position).
SORT_KEYS = {
    "position": "a.position",
    "title": "a.title COLLATE NOCASE",
    "source": "coalesce(a.source, '') COLLATE NOCASE",
    "overlap": f"a.id IN ({_SHARED})",
}
#: A coder's column sorts by status in the order of the work, assigned ones after the
#: others, articles without their row first.
_CODER_RANKS = (
    "SELECT article_id, CASE status WHEN 'todo' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'done' THEN 3 ELSE 0 END "
    "+ 4 * assigned FROM assignment WHERE coder_id = :coder"
)
_CHUNK = 500


class AssignmentListing:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"

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
        """Ids of every article: sorted by ``sort`` (a key of :data:`SORT_KEYS`) or, with
        ``sort_coder`` (an id), by that coder's standing; only those whose title or source
        contains ``needle`` (case-insensitive for ASCII letters); ``show`` "unassigned"
        (assigned to nobody), "overlap" (to two or more) or "coder" (to ``show_coder``)."""
        params: dict[str, Any] = {}
        where = []
        if needle:
            where.append("(a.title LIKE :needle ESCAPE '\\' OR a.source LIKE :needle ESCAPE '\\')")
            params["needle"] = _like(needle)
        # Filters are lists of ids built once (one scan of the assignments), tested while
        # the article index is scanned: a lookup per article costs more at 100,000.
        if show == "unassigned":
            where.append("a.id NOT IN (SELECT article_id FROM assignment WHERE assigned)")
        elif show == "overlap":
            where.append(f"a.id IN ({_SHARED})")
        elif show == "coder":
            where.append("a.id IN (SELECT article_id FROM assignment WHERE coder_id = :show AND assigned)")
            params["show"] = show_coder
        source = "article a"
        keys = ["a.position"] if sort == "position" or sort_coder is not None else [SORT_KEYS[sort], "a.position"]
        if sort != "title" and self._sqlite:
            # The covering index in import order (title, source): the text is never read.
            source = "article a INDEXED BY ix_article_order"
        sql = (
            f"SELECT a.id FROM {source}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY {', '.join(keys)}"
        )
        with self._engine.connect() as conn:
            ids = [row[0] for row in _tuples(conn, sql, params)]
            if sort_coder is not None:
                # The coder's rows alone, then a stable sort of the ids in import order:
                # a join probing the assignments for each article costs twice as much.
                rank = dict(_tuples(conn, _CODER_RANKS, {"coder": sort_coder}))
                ids.sort(key=lambda article_id: rank.get(article_id, -1))
        if descending:
            ids.reverse()
        return ids

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
        sql = "SELECT (SELECT count(*) FROM article) - count(DISTINCT article_id) FROM assignment WHERE assigned"
        with self._engine.connect() as conn:
            return int(_tuples(conn, sql, {})[0][0])

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
