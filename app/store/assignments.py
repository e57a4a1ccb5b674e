"""Which coder codes which article, and how far they got."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, exists, select, update

from app.core.records import ArticleListing
from app.store.locking import conflict_insert
from app.store.schema import ArticleRow, AssignmentRow


def has_assignments(conn: Connection) -> bool:
    """Whether the lead assigned any article (then each coder sees only theirs). An
    EXISTS stops at the first row, where a count read all of them on every search."""
    return bool(conn.execute(select(exists().where(AssignmentRow.assigned))).scalar_one())


class AssignmentRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def any(self) -> bool:
        with self._engine.connect() as conn:
            return has_assignments(conn)

    def listing(self, coder_id: str) -> list[ArticleListing]:
        """The coder's articles with their status, in import order.

        In a project without assignments every coder sees every article ("todo" until
        the coder starts it); otherwise only the articles assigned to the coder.
        """
        blinded = self.any()
        join = AssignmentRow.article_id == ArticleRow.id
        query = select(
            ArticleRow.id, ArticleRow.position, ArticleRow.title, ArticleRow.source,
            ArticleRow.published, AssignmentRow.status, ArticleRow.language,
        )
        if blinded:
            query = query.join(AssignmentRow, join).where(AssignmentRow.coder_id == coder_id)
        else:
            query = query.outerjoin(AssignmentRow, join & (AssignmentRow.coder_id == coder_id))
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(ArticleRow.position)).all()
        return [
            ArticleListing(r.id, r.position, r.title, r.source, r.published, r.status or "todo", r.language)
            for r in rows
        ]

    def statuses(self, coder_id: str, article_ids: Sequence[str]) -> dict[str, str]:
        """The coder's status on those of ``article_ids`` in their :meth:`listing`, by id:
        the same rule, read for these articles only."""
        if not article_ids:
            return {}
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(AssignmentRow.article_id, AssignmentRow.status).where(
                    AssignmentRow.coder_id == coder_id, AssignmentRow.article_id.in_(list(article_ids))
                )
            ).all()
        found = {article_id: status for article_id, status in rows}
        if self.any():
            return found
        return {article_id: found.get(article_id, "todo") for article_id in article_ids}

    def status(self, article_id: str, coder_id: str) -> str:
        with self._engine.connect() as conn:
            found = conn.execute(
                select(AssignmentRow.status).where(
                    AssignmentRow.article_id == article_id, AssignmentRow.coder_id == coder_id
                )
            ).scalar_one_or_none()
        return found or "todo"

    def set_status(self, article_id: str, coder_id: str, status: str, now: str) -> None:
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(AssignmentRow)
                .where(AssignmentRow.article_id == article_id, AssignmentRow.coder_id == coder_id)
                .values(status=status, updated_at=now)
            ).rowcount
            if not changed:  # (only the lead may insert: a coder's login has its rows)
                new = conflict_insert(conn, AssignmentRow).values(
                    article_id=article_id, coder_id=coder_id, status=status,
                    assigned=False, seconds_spent=0.0, updated_at=now,
                )
                conn.execute(new.on_conflict_do_update(
                    index_elements=["article_id", "coder_id"], set_={"status": status, "updated_at": now},
                ))

    def start(self, article_id: str, coder_id: str, now: str) -> bool:
        """:func:`start_coding` in a transaction of its own."""
        with self._engine.begin() as conn:
            return start_coding(conn, article_id, coder_id, now)

    def add_time(self, article_id: str, coder_id: str, seconds: float, now: str) -> None:
        """Add coding time to the coder's row of the article (created if missing)."""
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(AssignmentRow)
                .where(AssignmentRow.article_id == article_id, AssignmentRow.coder_id == coder_id)
                .values(seconds_spent=AssignmentRow.seconds_spent + seconds, updated_at=now)
            ).rowcount
            if not changed:
                new = conflict_insert(conn, AssignmentRow).values(
                    article_id=article_id, coder_id=coder_id, status="todo",
                    assigned=False, seconds_spent=seconds, updated_at=now,
                )
                conn.execute(new.on_conflict_do_update(
                    index_elements=["article_id", "coder_id"],
                    set_={"seconds_spent": AssignmentRow.seconds_spent + seconds, "updated_at": now},
                ))


def start_coding(conn: Connection, article_id: str, coder_id: str, now: str) -> bool:
    """Set the coder's status on the article from to do to in progress (a row is made if
    there is none); whether it was to do. The change is a conditional UPDATE (``WHERE
    status = 'todo'``), so a status another window of the coder set meanwhile ("done") is
    never overwritten by what was read here; mostly the status is read and nothing else."""
    where = (AssignmentRow.article_id == article_id, AssignmentRow.coder_id == coder_id)
    found = conn.execute(select(AssignmentRow.status).where(*where)).first()
    if found is not None and found.status != "todo":
        return False
    if found is not None:
        changed = conn.execute(
            update(AssignmentRow).where(*where, AssignmentRow.status == "todo")
            .values(status="in_progress", updated_at=now)
        ).rowcount
        return bool(changed)
    new = conflict_insert(conn, AssignmentRow).values(
        article_id=article_id, coder_id=coder_id, status="in_progress", assigned=False,
        seconds_spent=0.0, updated_at=now,
    )
    return bool(conn.execute(new.on_conflict_do_nothing(index_elements=["article_id", "coder_id"])).rowcount)
