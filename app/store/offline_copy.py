"""A coder's copy, on this computer, of what the window has open on a team server.

While the server answers, the copy follows it: it is made when the window opens (the
project, its codebooks and the coder), and each article the coder opens, and each edit
committed on the server, copies that article's rows of the coder into it (the article,
its entities, the coder's spans with their fragments, relations, answers and status),
exactly as the server holds them. When the server cannot be reached, the window codes
in the copy, which is an ordinary project file: every edit is committed on this
computer before the key press returns.

When the server answers again, :func:`push` sends the rows the copy changed since it
went offline (:func:`changed`, against the :func:`baseline` taken then), with the
merge's rule of versions: a row is written when it is new to
the server or newer by (revision, time) than the server's, so sending twice writes
nothing twice, and tombstones travel like any row. An assignment's status follows the
later change; its time spent is the larger of the two, as time only grows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, event, insert, select, update

from app.store import migrate
from app.store.engine import APPLICATION_ID, make_engine
from app.store.schema import Base

_T = Base.metadata.tables
#: The coding tables sent back, with their own version columns.
_CODING = ("annotation", "relation", "document_code")


def _rows(conn: Connection, table: Table, *where: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(select(table).where(*where)).mappings()]


def _put(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def create(server: Engine, path: Path, coder_id: str) -> Engine:
    """A new copy at ``path``: the project, every codebook of its history and the coder."""
    engine = _following(make_engine(path))
    try:
        with server.connect() as source, engine.begin() as target:
            target.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            migrate.upgrade(target)
            for name in ("codebook", "project", "codebook_history"):
                _put(target, _T[name], _rows(source, _T[name]))
            _put(target, _T["coder"], _rows(source, _T["coder"], _T["coder"].c.id == coder_id))
    except BaseException:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        raise
    return engine


def open_copy(path: Path) -> Engine:
    return _following(make_engine(path, existing=True))


def _following(engine: Engine) -> Engine:
    """While the copy only follows the server it holds nothing the server lacks: its
    commits need not wait for the disk (a crash loses nothing the server does not have).
    Offline, the window opens the copy as any project, with every commit synced."""
    @event.listens_for(engine, "connect")
    def _no_sync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine


def snapshot(server: Engine, copy: Engine, article_id: str, coder_id: str, *, coding_only: bool = False) -> None:
    """Make the copy hold ``article_id`` and ``coder_id``'s rows on it as the server does;
    ``coding_only`` (after an edit): the coder's rows only, the article is there already."""
    a, e, s = _T["article"], _T["entity"], _T["assignment"]
    mine = {name: and_(_T[name].c.article_id == article_id, _T[name].c.coder_id == coder_id) for name in _CODING}
    with server.connect() as source:
        article = [] if coding_only else _rows(source, a, a.c.id == article_id)
        entities = [] if coding_only else _rows(source, e, e.c.article_id == article_id)
        coding = {name: _rows(source, _T[name], mine[name]) for name in _CODING}
        span_ids = [row["id"] for row in coding["annotation"]]
        fragments = _rows(source, _T["annotation_fragment"], _T["annotation_fragment"].c.annotation_id.in_(span_ids))
        status = _rows(source, s, s.c.article_id == article_id, s.c.coder_id == coder_id)
    with copy.begin() as target:
        for name in ("relation", "document_code"):
            target.execute(delete(_T[name]).where(mine[name]))
        target.execute(delete(_T["annotation"]).where(mine["annotation"]))  # fragments cascade
        target.execute(delete(s).where(s.c.article_id == article_id, s.c.coder_id == coder_id))
        if not coding_only:
            target.execute(delete(e).where(e.c.article_id == article_id))
            target.execute(delete(a).where(a.c.id == article_id))
        _put(target, a, article)
        _put(target, e, entities)
        for name in ("annotation", "relation", "document_code"):
            _put(target, _T[name], coding[name])
        _put(target, _T["annotation_fragment"], fragments)
        _put(target, s, status)


Baseline = dict[str, dict[str, list[Any]]]
Changed = dict[str, list[dict[str, Any]]]


def _key(name: str, row: dict[str, Any]) -> str:
    return f"{row['article_id']} {row['coder_id']}" if name == "assignment" else str(row["id"])


def _version(name: str, row: dict[str, Any]) -> list[Any]:
    if name == "assignment":
        return [row["status"], row["seconds_spent"], row["updated_at"]]
    return [row["revision"], row["updated_at"]]


def baseline(copy: Engine) -> Baseline:
    """The version of every coding row and status in the copy, taken when it goes
    offline: what differs from it later was coded offline (no clock is trusted)."""
    with copy.connect() as conn:
        return {
            name: {_key(name, row): _version(name, row) for row in _rows(conn, _T[name])}
            for name in (*_CODING, "assignment")
        }


def changed(copy: Engine, since: Baseline) -> Changed:
    """The rows (and fragments of the spans among them) that differ from ``since``."""
    found: Changed = {}
    with copy.connect() as conn:
        for name in (*_CODING, "assignment"):
            before = since.get(name, {})
            found[name] = [row for row in _rows(conn, _T[name]) if before.get(_key(name, row)) != _version(name, row)]
        span_ids = [row["id"] for row in found["annotation"]]
        f = _T["annotation_fragment"]
        found["annotation_fragment"] = _rows(conn, f, f.c.annotation_id.in_(span_ids))
    return found


def waiting(rows: Changed) -> int:
    """How many edits of the copy wait for the server."""
    return sum(len(rows[name]) for name in (*_CODING, "assignment"))


def push(server: Engine, rows: Changed) -> int:
    """Send ``rows`` to the server in one transaction; returns how many it took (rows it
    already holds at that version or newer are not written again)."""
    taken = 0
    with server.begin() as target:
        sent_spans: set[str] = set()
        for name in _CODING:  # annotations first: relations point at them
            table = _T[name]
            for row in rows[name]:
                have = target.execute(
                    select(table.c.revision, table.c.updated_at).where(table.c.id == row["id"]).with_for_update()
                ).first()
                if have is None:
                    target.execute(insert(table), [row])
                elif (row["revision"], row["updated_at"]) > (have[0], have[1]):
                    target.execute(update(table).where(table.c.id == row["id"]).values(row))
                else:
                    continue
                taken += 1
                if name == "annotation":
                    sent_spans.add(row["id"])
            if name == "annotation" and sent_spans:
                f = _T["annotation_fragment"]
                target.execute(delete(f).where(f.c.annotation_id.in_(sorted(sent_spans))))
                _put(target, f, [row for row in rows["annotation_fragment"] if row["annotation_id"] in sent_spans])
        taken += _push_statuses(target, rows["assignment"])
    return taken


def _push_statuses(target: Connection, statuses: list[dict[str, Any]]) -> int:
    s = _T["assignment"]
    taken = 0
    for row in statuses:
        which = (s.c.article_id == row["article_id"], s.c.coder_id == row["coder_id"])
        have = target.execute(select(s.c.status, s.c.seconds_spent, s.c.updated_at).where(*which)).first()
        if have is None:
            continue  # the lead took the article back meanwhile: nothing of it to keep
        values: dict[str, Any] = {"seconds_spent": max(have[1], row["seconds_spent"])}
        if row["updated_at"] > have[2]:
            values.update(status=row["status"], updated_at=row["updated_at"])
        if values != {"seconds_spent": have[1]}:
            target.execute(update(s).where(*which).values(values))
            taken += 1
    return taken
