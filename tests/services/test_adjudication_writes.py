"""Adjudication decisions are atomic: one transaction each, rejections in their own table.

Each test here fails on the code before schema 0003, where a decision's edits were
separate transactions and rejections one JSON value in the project settings.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.core.adjudication import REJECTED, SetRejected
from app.core.edits import AddAnnotation, RemoveAnnotation
from app.core.errors import LoupeError
from app.services.adjudication import REJECTIONS, apply_all, rejections, set_rejected
from app.services.adjudication_edits import accept_span
from app.services.editing import new_annotation
from app.services.projects import Project, open_project
from app.store import migrate
from tests.services.test_adjudication import Gold

pytestmark = pytest.mark.both_backends


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return Gold(project, tmp_path / "texts")


def _status(gold: Gold) -> str:
    return gold.project.store.assignments.status(gold.a0, gold.gail)


# The interleaving runs B inside A's statement on one thread, which only SQLite's single
# writer allows (on PostgreSQL B would wait for A's row lock forever); concurrent
# rejections on the server are tests/server/test_server_concurrency.py's.
@pytest.mark.file_only
def test_two_connections_interleaving_rejections_lose_none(gold: Gold) -> None:
    """Window A starts a rejection; window B (another connection) rejects in between."""
    keys = [g.key for g in gold.view().groups]
    other = open_project(gold.project.store.location)
    pending = [SetRejected(gold.a0, gold.gail, keys[1], True)]

    def interleave(conn: Any, *_args: Any) -> None:
        # A has read something for its rejection and holds no lock yet: B's whole
        # rejection happens before A goes on (where A holds the write lock, B would wait).
        if not conn.connection.driver_connection.in_transaction:
            while pending:
                set_rejected(other, pending.pop())

    event.listen(gold.project.store.engine, "after_cursor_execute", interleave)
    try:
        set_rejected(gold.project, SetRejected(gold.a0, gold.gail, keys[2], True))
    finally:
        event.remove(gold.project.store.engine, "after_cursor_execute", interleave)
    assert not pending
    set_rejected(other, SetRejected(gold.a0, gold.gail, keys[3], True))
    set_rejected(gold.project, SetRejected(gold.a0, gold.gail, keys[0], True))
    other.close()
    assert rejections(gold.project, gold.gail) == {gold.a0: set(keys)}
    assert {g.decision for g in gold.view().groups} == {REJECTED}
    set_rejected(gold.project, SetRejected(gold.a0, gold.gail, keys[2], False))
    assert rejections(gold.project, gold.gail) == {gold.a0: {keys[0], keys[1], keys[3]}}


def test_a_decision_failing_on_its_second_row_writes_nothing(gold: Gold) -> None:
    actor = gold.view().groups[0]
    copy = new_annotation(gold.a0, gold.gail, "Actor", actor.start, actor.end, attributes={"role": "target"})
    before = _status(gold)
    # The second row repeats the first one's id: the file's primary key refuses it.
    with pytest.raises(LoupeError) as refused:
        apply_all(gold.project, [SetRejected(gold.a0, gold.gail, actor.key, True), AddAnnotation(copy),
                                 AddAnnotation(copy)])
    assert "nothing of it was written" in refused.value.message
    assert "INSERT" not in refused.value.message and copy.id not in refused.value.message
    assert gold.gold() == []
    assert rejections(gold.project, gold.gail) == {}
    assert _status(gold) == before  # the first AddAnnotation's "in progress" is gone too


def test_a_decision_refused_half_way_writes_nothing(gold: Gold) -> None:
    view = gold.view()
    claim = view.groups[1]
    apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, claim.key, "ana"))
    (ana_version,) = gold.gold()
    # Replacing ana's version with ben's removes the gold span, then adds ben's; here the
    # added span is outside the text, so the removal must not stay either.
    plan = accept_span(gold.project, gold.a0, gold.gail, claim.key, "ben")
    assert isinstance(plan[0], RemoveAnnotation) and isinstance(plan[-1], AddAnnotation)
    broken = AddAnnotation(new_annotation(gold.a0, gold.gail, "Claim", 0, 10**6))
    with pytest.raises(LoupeError, match="its end 1000000 is beyond the article"):
        apply_all(gold.project, [*plan[:-1], broken])
    assert gold.gold() == [ana_version]


def test_a_decision_never_touches_a_coders_rows(gold: Gold) -> None:
    anas = gold.project.store.annotations.for_article(gold.a0, gold.ids["ana"])
    with pytest.raises(LoupeError, match="only the gold standard"):
        apply_all(gold.project, [RemoveAnnotation(anas[0].id)])
    assert gold.project.store.annotations.for_article(gold.a0, gold.ids["ana"]) == anas


def _downgrade(path: Path, revision: str) -> None:
    """Bring the file back to an older schema, as an older Loupe left it."""
    from alembic import command

    from app.store import migrate
    from app.store.engine import make_engine

    engine = make_engine(path, existing=True)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate.config(conn), revision)
    finally:
        engine.dispose()


# A project at schema 0002 (rejections in the settings) exists only as a file: the team
# server came later; the file is read with sqlite3 to see what an older Loupe left.
@pytest.mark.file_only
def test_rejections_in_the_settings_of_a_0002_project_move_into_their_table(gold: Gold) -> None:
    path = Path(gold.project.store.location)
    keys = [g.key for g in gold.view().groups]
    relation = gold.view().relations[0].key
    gold.project.close()
    _downgrade(path, "0002")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'adjudication_rejection'").fetchall()
        (settings,) = conn.execute("SELECT settings FROM project").fetchone()
        settings = json.loads(settings)
        # What the older Loupe wrote: adjudicator -> article -> sorted keys; plus leftovers
        # of a deleted article and a malformed entry, which the migration leaves out.
        settings[REJECTIONS] = {
            gold.gail: {gold.a0: sorted([keys[2], relation]), "no-such-article": [keys[0]]},
            "no-such-coder": {gold.a0: [keys[0]]},
            "junk": [1, 2],
        }
        conn.execute("UPDATE project SET settings = ?", (json.dumps(settings),))
    conn.close()

    with open_project(path) as project:
        assert REJECTIONS not in project.store.settings()
        assert set(settings) - {REJECTIONS} <= set(project.store.settings())
        assert rejections(project, gold.gail) == {gold.a0: {keys[2], relation}}
        from app.services.adjudication import adjudication_view

        view = adjudication_view(project, gold.a0, gold.gail)
        assert view.group(keys[2]).decision == REJECTED and view.relation(relation).decision == REJECTED
        assert view.group(keys[0]).decision is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.HEAD,)]
        rows = conn.execute("SELECT adjudicator_id, article_id, key FROM adjudication_rejection ORDER BY key").fetchall()
    conn.close()
    assert rows == sorted([(gold.gail, gold.a0, keys[2]), (gold.gail, gold.a0, relation)], key=lambda r: r[2])


@pytest.mark.file_only  # as above: a downgrade to 0002 is for files, read with sqlite3
def test_the_downgrade_puts_rejections_back_into_the_settings(gold: Gold) -> None:
    key = gold.view().groups[2].key
    set_rejected(gold.project, SetRejected(gold.a0, gold.gail, key, True))
    path = Path(gold.project.store.location)
    gold.project.close()
    _downgrade(path, "0002")
    with sqlite3.connect(path) as conn:
        (settings,) = conn.execute("SELECT settings FROM project").fetchone()
    conn.close()
    assert json.loads(settings)[REJECTIONS] == {gold.gail: {gold.a0: [key]}}
