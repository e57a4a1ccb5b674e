"""The lead's assignment of articles to coders: what exists, applying a plan, loads.

A coder "has work" on an article when the status is past "todo", time was spent on
it, or a live annotation, relation or answer of theirs exists there. Work is never
unassigned: removing an assignment is refused by the SQL itself for such rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from app.core.records import utc_now
from app.core.team import AssignmentCell, CoderLoad, WorkState
from app.store.engine import driver_sql, sqlite_connection
from app.store.schema import ArticleRow

_WORK_PAIRS = """
SELECT article_id, coder_id FROM assignment WHERE status != 'todo' OR seconds_spent > 0
UNION SELECT article_id, coder_id FROM annotation WHERE deleted_at IS NULL
UNION SELECT article_id, coder_id FROM relation WHERE deleted_at IS NULL
UNION SELECT article_id, coder_id FROM document_code WHERE deleted_at IS NULL
"""

_ASSIGNED_PAIRS = "SELECT article_id, coder_id FROM assignment WHERE assigned"

_ASSIGN = """
INSERT INTO assignment (article_id, coder_id, status, assigned, seconds_spent, updated_at)
VALUES (?, ?, 'todo', TRUE, 0.0, ?)
ON CONFLICT (article_id, coder_id) DO UPDATE SET assigned = TRUE
"""
# updated_at is left alone when only the flag changes: it dates the coder's status,
# which merging compares with the coder's copy.

_UNASSIGN = """
DELETE FROM assignment
WHERE article_id = ? AND coder_id = ? AND status = 'todo' AND seconds_spent = 0
  AND NOT EXISTS (SELECT 1 FROM annotation a WHERE a.article_id = assignment.article_id
                  AND a.coder_id = assignment.coder_id AND a.deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM relation r WHERE r.article_id = assignment.article_id
                  AND r.coder_id = assignment.coder_id AND r.deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM document_code d WHERE d.article_id = assignment.article_id
                  AND d.coder_id = assignment.coder_id AND d.deleted_at IS NULL)
"""

# Giving: only rows that were not assigned yet change, so the row count is what is new.
_GIVE = """
INSERT INTO assignment (article_id, coder_id, status, assigned, seconds_spent, updated_at)
VALUES (?, ?, 'todo', TRUE, 0.0, ?)
ON CONFLICT (article_id, coder_id) DO UPDATE SET assigned = TRUE WHERE NOT assignment.assigned
"""

_TAKE_BACK = _UNASSIGN + "  AND assigned\n"

# After _TAKE_BACK, which deletes only rows without work, the coder's rows still
# assigned among those asked for are the ones that hold work.
_STILL_ASSIGNED = "SELECT article_id FROM assignment WHERE coder_id = ? AND assigned"


_HAS_ASSIGNED = "SELECT EXISTS (SELECT 1 FROM assignment WHERE coder_id = ? AND assigned)"


class _Refused(Exception):
    """Rolls a take-back back: some of its articles hold the coder's work."""

    def __init__(self, article_ids: list[str]) -> None:
        super().__init__(article_ids)
        self.article_ids = article_ids


# The shared articles are found once (a lookup per assignment row counted the
# assignments of its article again: 2.6 s with twenty coders on 10,000 articles).
_LOADS = """
WITH shared AS (
    SELECT article_id FROM assignment WHERE assigned GROUP BY article_id HAVING COUNT(*) > 1
), mine AS (
    SELECT s.coder_id, s.article_id, s.assigned, s.status, s.seconds_spent,
           s.assigned AND s.article_id IN (SELECT article_id FROM shared) AS sharing
    FROM assignment s
)
SELECT c.name, c.role,
       COALESCE(SUM(CASE WHEN m.assigned THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN m.status = 'todo' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN m.status = 'in_progress' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN m.status = 'done' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN m.sharing THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(m.seconds_spent), 0.0)
FROM coder c LEFT JOIN mine m ON m.coder_id = c.id
GROUP BY c.id ORDER BY c.name
"""


class AssigningQueries:
    """Reads and one-transaction writes behind ``loupe assign`` and ``loupe assignments``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def articles(self) -> list[tuple[str, str | None]]:
        """(id, source) of every article, in project order."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(ArticleRow.id, ArticleRow.source).order_by(ArticleRow.position)
            ).tuples().all()
        return [(article_id, source) for article_id, source in rows]

    def pairs(self) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(the assigned (article id, coder id) pairs, the pairs with work): two reads,
        as plain tuples through the driver's cursor (100,000s of pairs on a large project)."""
        with self._engine.connect() as conn:
            raw = sqlite_connection(conn) if conn.dialect.name == "sqlite" else None
            if raw is None:
                assigned = {(a, c) for a, c in driver_sql(conn, _ASSIGNED_PAIRS).all()}
                return assigned, {(a, c) for a, c in driver_sql(conn, _WORK_PAIRS).all()}
            return set(raw.execute(_ASSIGNED_PAIRS).fetchall()), set(raw.execute(_WORK_PAIRS).fetchall())

    def work_states(self) -> list[WorkState]:
        """Every (article, coder) pair that is assigned or has work, or both."""
        with self._engine.connect() as conn:
            assigned = {
                (a, c)
                for a, c in driver_sql(conn,
                    "SELECT article_id, coder_id FROM assignment WHERE assigned"
                ).all()
            }
            worked = {(a, c) for a, c in driver_sql(conn, _WORK_PAIRS).all()}
        return [
            WorkState(article_id, coder_id, (article_id, coder_id) in assigned, (article_id, coder_id) in worked)
            for article_id, coder_id in sorted(assigned | worked)
        ]

    def apply(
        self, assign: Sequence[tuple[str, str]], unassign: Sequence[tuple[str, str]]
    ) -> int:
        """Assign and unassign (article id, coder id) pairs in ONE transaction.

        Returns how many assignments were removed (pairs with work are never removed).
        """
        now = utc_now()
        removed = 0
        with self._engine.begin() as conn:
            if assign:
                driver_sql(conn, _ASSIGN, [(a, c, now) for a, c in assign])
            if unassign:
                removed = driver_sql(conn, _UNASSIGN, list(unassign)).rowcount
        return removed

    def has_assigned(self, coder_id: str) -> bool:
        """Whether any article is assigned to the coder (stops at the first)."""
        with self._engine.connect() as conn:
            return bool(driver_sql(conn, _HAS_ASSIGNED, (coder_id,)).scalar_one())

    def article_heads(self) -> list[tuple[str, int, str, str | None]]:
        """(id, position, title, source) of every article, in project order."""
        query = select(ArticleRow.id, ArticleRow.position, ArticleRow.title, ArticleRow.source)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(ArticleRow.position)).tuples().all()
        return [(a, position, title, source) for a, position, title, source in rows]

    def cells(self) -> list[AssignmentCell]:
        """Every (article, coder) pair with a status row or work: two reads, whatever the size."""
        with self._engine.connect() as conn:
            rows = driver_sql(conn,
                "SELECT article_id, coder_id, status, assigned FROM assignment"
            ).all()
            worked = {(a, c) for a, c in driver_sql(conn, _WORK_PAIRS).all()}
        cells = [
            AssignmentCell(a, c, status, bool(assigned), (a, c) in worked)
            for a, c, status, assigned in rows
        ]
        with_row = {(a, c) for a, c, _status, _assigned in rows}
        cells.extend(AssignmentCell(a, c, None, False, True) for a, c in sorted(worked - with_row))
        return cells

    def give(self, coder_id: str, article_ids: Sequence[str]) -> int:
        """Assign the articles to the coder in one transaction; returns how many were new."""
        if not article_ids:
            return 0
        now = utc_now()
        with self._engine.begin() as conn:
            return driver_sql(conn, _GIVE, [(a, coder_id, now) for a in article_ids]).rowcount

    def take_back(self, coder_id: str, article_ids: Sequence[str]) -> tuple[int, list[str]]:
        """Unassign the articles from the coder in one transaction, or none of them.

        Returns (how many were removed, []) or, when some of them are assigned to the
        coder and hold their work, (0, those article ids) with nothing changed. The
        check runs after the deletes, inside the same write transaction, so no coding
        saved meanwhile can slip between them.
        """
        if not article_ids:
            return 0, []
        wanted = set(article_ids)
        try:
            with self._engine.begin() as conn:
                removed = driver_sql(conn, _TAKE_BACK, [(a, coder_id) for a in article_ids]).rowcount
                kept = [a for (a,) in driver_sql(conn, _STILL_ASSIGNED, (coder_id,)).all() if a in wanted]
                if kept:
                    raise _Refused(kept)
        except _Refused as refused:
            return 0, refused.article_ids
        return removed, []

    def loads(self) -> list[CoderLoad]:
        """Per coder: articles assigned, their statuses, overlap articles and time spent.

        Statuses count every article the coder has a status on, assigned or not (work
        done before assignments existed, or merged from a coder the lead never assigned).
        """
        with self._engine.connect() as conn:
            rows = driver_sql(conn, _LOADS).all()
        return [
            CoderLoad(name, role, assigned, todo, in_progress, done, overlap, float(seconds))
            for name, role, assigned, todo, in_progress, done, overlap, seconds in rows
        ]
