"""Merging returned files: newest revision wins, tombstones delete, idempotent in any
order, coders added with their ids, a backup first, and all-or-nothing refusals."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.edits import ChangeAnnotation, RemoveAnnotation, SetAnswer
from app.core.errors import LoupeError
from app.core.records import utc_now
from app.services.assignment import assign
from app.services.coding import article_listing, set_status
from app.services.editing import apply_edit
from app.services.merging import KEEP_BACKUPS, MergeError, merge_files
from app.services.packages import write_package
from app.services.projects import open_project
from app.store import migrate
from tests.team_fixtures import code, dump, team_project


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe assigned to alice and bob (overlap 0.2), and their packages, each with
    two articles coded (spans, a deleted span, a relation, answers, done)."""
    folder = tmp_path_factory.mktemp("team")
    with team_project(folder / "lead.loupe", n=20, coders=("alice", "bob", "carol")) as lead:
        assign(lead, ["alice", "bob"], overlap=0.2, seed=1)
    with open_project(folder / "lead.loupe") as lead:
        for name in ("alice", "bob"):
            write_package(lead, name, folder / f"{name}.loupe")
    for name, variant in (("alice", 0), ("bob", 1)):
        with open_project(folder / f"{name}.loupe") as package:
            coder = package.store.coders.find(name)
            articles = {a.id: a for a in package.store.articles.list()}
            for row in article_listing(package, coder.id)[:2]:
                code(package, articles[row.id], coder.id, variant=variant)
    return folder


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    for path in template.glob("*.loupe"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def merge(folder: Path, *names: str, **options: object):
    with open_project(folder / "lead.loupe") as lead:
        return merge_files(lead, [folder / n for n in names], **options)


def work(path: Path) -> dict[str, list[tuple]]:
    """The merged tables without row numbers and the merge log's ids and times."""
    tables = dump(path)
    return {
        "annotation": tables["annotation"], "relation": tables["relation"],
        "document_code": tables["document_code"], "coder": tables["coder"],
        "assignment": sorted((row[1:] for row in tables["assignment"]), key=repr),
    }


def test_merge_brings_back_every_kind_and_reports_per_coder(team: Path) -> None:
    report = merge(team, "alice.loupe", "bob.loupe")
    for name in ("alice", "bob"):
        summary = next(f for f in report.files if f.package_for == name).summary()
        assert summary == {
            name: {
                "annotation": {"added": 4, "deleted": 2}, "relation": {"added": 2},
                "answer": {"added": 4}, "status": {"updated": 2},
            }
        }
    with open_project(team / "lead.loupe") as lead:
        alice = lead.store.coders.find("alice")
        done = [r for r in article_listing(lead, alice.id) if r.status == "done"]
        assert len(done) == 2
        assert len(lead.store.annotations.for_article(done[0].id, alice.id)) == 2
        assert len(lead.store.relations.for_article(done[0].id, alice.id)) == 1
        assert set(lead.store.answers.for_article(done[0].id, alice.id)) == {"relevance", "sourcing"}
    log = dump(team / "lead.loupe")["merge_log"]
    assert sorted((row[2], row[4]) for row in log) == [("alice.loupe", "alice"), ("bob.loupe", "bob")]
    assert report.backup and Path(report.backup).exists()


def test_merging_twice_or_in_another_order_changes_nothing(team: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("other")
    for path in team.glob("*.loupe"):
        shutil.copy(path, other / path.name)
    merge(team, "alice.loupe", "bob.loupe")
    once = dump(team / "lead.loupe")
    again = merge(team, "bob.loupe", "alice.loupe", "alice.loupe")
    assert not again.changed
    assert dump(team / "lead.loupe") == once  # every table, the merge log included
    merge(other, "bob.loupe")
    merge(other, "alice.loupe")
    assert work(other / "lead.loupe") == work(team / "lead.loupe")


def test_newer_revision_wins_and_older_copies_change_nothing(team: Path) -> None:
    shutil.copy(team / "alice.loupe", team / "alice-old.loupe")
    with open_project(team / "alice.loupe") as package:
        alice = package.store.coders.find("alice")
        first = article_listing(package, alice.id)[0].id
        actor, claim = package.store.annotations.for_article(first, alice.id)
        apply_edit(package, ChangeAnnotation(actor.id, {"note": "second look"}))
        apply_edit(package, RemoveAnnotation(claim.id))  # its relation goes with it
        apply_edit(package, SetAnswer(first, alice.id, "relevance", "no"))
        set_status(package, first, alice.id, "in_progress")
    report = merge(team, "alice.loupe", "alice-old.loupe")
    assert report.files[1].changed == 0
    assert report.files[0].summary()["alice"]["annotation"] == {"added": 3, "deleted": 3}
    newest = work(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead:
        assert [a.note for a in lead.store.annotations.for_article(first, alice.id)] == ["second look"]
        assert lead.store.relations.for_article(first, alice.id) == []
        assert lead.store.answers.for_article(first, alice.id)["relevance"].value == "no"
        assert lead.store.assignments.status(first, alice.id) == "in_progress"
    merge(team, "alice-old.loupe")
    assert work(team / "lead.loupe") == newest
    # Older first, newer second: the same end state.
    fresh = team / "fresh"
    fresh.mkdir()
    shutil.copy(sorted(team.glob("lead.backup-*.loupe"))[0], fresh / "lead.loupe")  # before any merge
    for name in ("alice.loupe", "alice-old.loupe"):
        shutil.copy(team / name, fresh / name)
    merge(fresh, "alice-old.loupe")
    merge(fresh, "alice.loupe")
    assert work(fresh / "lead.loupe") == newest


def test_equal_revision_is_decided_by_updated_at(team: Path) -> None:
    merge(team, "alice.loupe")
    with sqlite3.connect(team / "alice.loupe") as conn:
        (row_id, revision, updated_at) = conn.execute(
            "SELECT id, revision, updated_at FROM annotation WHERE deleted_at IS NULL LIMIT 1"
        ).fetchone()
        later = utc_now()
        assert later > updated_at
        conn.execute("UPDATE annotation SET note = 'later', updated_at = ? WHERE id = ?", (later, row_id))
    with sqlite3.connect(team / "lead.loupe") as conn:
        conn.execute("UPDATE annotation SET note = 'lead', revision = revision + 1 WHERE id = ?", (row_id,))
    merge(team, "alice.loupe")  # lower revision, later time: the lead's higher revision stays
    with sqlite3.connect(team / "lead.loupe") as conn:
        assert conn.execute("SELECT note FROM annotation WHERE id = ?", (row_id,)).fetchone() == ("lead",)
        conn.execute("UPDATE annotation SET revision = ? WHERE id = ?", (revision, row_id))
    merge(team, "alice.loupe")  # same revision, later time: the package wins
    with sqlite3.connect(team / "lead.loupe") as conn:
        assert conn.execute("SELECT note FROM annotation WHERE id = ?", (row_id,)).fetchone() == ("later",)


def test_time_spent_comes_back(team: Path) -> None:
    with sqlite3.connect(team / "alice.loupe") as conn:
        conn.execute("UPDATE assignment SET seconds_spent = 90.5, updated_at = ? WHERE status = 'done'", (utc_now(),))
    conn.close()
    report = merge(team, "alice.loupe")
    assert report.files[0].coders_added == []
    assert report.files[0].summary()["alice"]["status"] == {"updated": 2}
    with open_project(team / "lead.loupe") as lead:
        loads = {load.name: load for load in lead.store.assigning.loads()}
        assert loads["alice"].seconds_spent == 181.0 and loads["alice"].done == 2


def test_two_packages_coded_side_by_side_keep_one_answer(team: Path) -> None:
    with open_project(team / "lead.loupe") as lead:
        write_package(lead, "alice", team / "alice-2.loupe")  # before alice.loupe came back
    with open_project(team / "alice-2.loupe") as package:
        alice = package.store.coders.find("alice")
        first = article_listing(package, alice.id)[0].id
        apply_edit(package, SetAnswer(first, alice.id, "relevance", "no"))
    report = merge(team, "alice.loupe", "alice-2.loupe")
    assert report.files[1].summary()["alice"]["answer"] == {"added": 1, "deleted": 1}
    with open_project(team / "lead.loupe") as lead:
        assert lead.store.answers.for_article(first, alice.id)["relevance"].value == "no"
    before = dump(team / "lead.loupe")
    merge(team, "alice.loupe", "alice-2.loupe")
    assert dump(team / "lead.loupe") == before


def test_backups_are_projects_and_only_the_last_five_stay(team: Path) -> None:
    before = dump(team / "lead.loupe")
    first = merge(team, "alice.loupe").backup
    assert dump(Path(first)) == before
    for step in range(KEEP_BACKUPS + 2):
        with open_project(team / "bob.loupe") as package:  # bob works on: each merge changes something
            bob = package.store.coders.find("bob")
            article_id = article_listing(package, bob.id)[-1].id
            set_status(package, article_id, bob.id, ("in_progress", "todo")[step % 2])
        merge(team, "bob.loupe")
    backups = sorted(team.glob("lead.backup-*.loupe"))
    assert len(backups) == KEEP_BACKUPS and Path(first) not in backups
    merge(team, "bob.loupe")  # nothing new: no backup made, none of the five removed
    assert sorted(team.glob("lead.backup-*.loupe")) == backups


def corrupt(team: Path, how: str) -> str:
    target = team / "alice.loupe"
    if how == "project":
        (team / "elsewhere").mkdir()
        with team_project(team / "elsewhere" / "other.loupe", n=2) as other:
            assign(other, ["alice"], overlap=0.0, seed=1)
        with open_project(team / "elsewhere" / "other.loupe") as other:
            write_package(other, "alice", team / "foreign.loupe")
        return "foreign.loupe"
    with sqlite3.connect(target) as conn:
        if how == "codebook":
            conn.execute("UPDATE codebook SET version = '2', sha256 = ?", ("f" * 64,))
        elif how == "text":
            conn.execute("UPDATE article SET text = text || ' (corrected)' WHERE rowid = 3")
        elif how == "coder":
            conn.execute("INSERT INTO coder VALUES ('c0ffee', 'carol', 'coder', '2030')")
    conn.close()
    if how == "truncated":
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif how == "not a project":
        target.write_text("Dear lead, here is my coding.\n" * 20)
    elif how == "another program":
        target.unlink()
        with sqlite3.connect(target) as conn:
            conn.execute("CREATE TABLE t (x)")
        conn.close()
    return "alice.loupe"


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("project", "foreign.loupe belongs to another project ('other')"),
        ("codebook", "alice.loupe uses another codebook version (Coercion into armed service 2)"),
        ("text", "alice.loupe has a different text for the article 'Report"),
        ("coder", "alice.loupe has a coder named 'carol' who is not the 'carol' of the project"),
        ("truncated", "alice.loupe is damaged"),
        ("not a project", "alice.loupe is not a Loupe project (it is not a SQLite database)."),
        ("another program", "alice.loupe is a SQLite database of another program"),
    ],
)
def test_refused_files_leave_the_lead_untouched(team: Path, how: str, message: str) -> None:
    before = dump(team / "lead.loupe")
    name = corrupt(team, how)
    with pytest.raises(MergeError, match="^" + re.escape("Nothing was merged: " + message)) as info:
        merge(team, "bob.loupe", name)  # bob's good file is not merged either
    assert str(info.value).count(". ") == 0 and str(info.value).endswith(".")
    assert dump(team / "lead.loupe") == before
    assert not list(team.glob("lead.backup-*"))


def test_cancelled_merge_writes_nothing(team: Path) -> None:
    before = dump(team / "lead.loupe")
    calls = iter([False, False, False, True])
    with pytest.raises(LoupeError, match="cancelled; nothing was written"):
        merge(team, "alice.loupe", "bob.loupe", cancelled=lambda: next(calls, True), make_backup=False)
    assert dump(team / "lead.loupe") == before


def test_old_schema_is_migrated_and_its_files_merge(team: Path) -> None:
    for name in ("lead.loupe", "alice.loupe"):  # back to schema 0001: without what 0002-0007 add
        with sqlite3.connect(team / name) as conn:
            for index in ("ix_article_listing", "ix_article_order", "ix_article_title", "ix_assignment_coder"):
                conn.execute(f"DROP INDEX {index}")
            for table in ("annotation", "relation", "document_code"):
                conn.execute(f"DROP INDEX ix_{table}_tombstone")  # 0007
            conn.execute("DROP TABLE article_fts")
            conn.execute("DROP TABLE merge_log")
            conn.execute("DROP TABLE adjudication_rejection")
            conn.execute("DROP INDEX ix_article_position")
            conn.execute("DROP TABLE annotation_fragment")
            conn.execute("DROP TABLE codebook_history")  # 0008
            for table in ("annotation", "relation", "document_code"):
                conn.execute(f"ALTER TABLE {table} DROP COLUMN codebook_version")
                conn.execute(f"ALTER TABLE {table} DROP COLUMN coded_version")
            conn.execute("UPDATE alembic_version SET version_num = '0001'")
        conn.close()
    report = merge(team, "alice.loupe")
    assert report.files[0].changed
    tables = dump(team / "lead.loupe")
    assert tables["alembic_version"] == [(migrate.HEAD,)] and len(tables["merge_log"]) == 1


def test_a_row_pointing_nowhere_refuses_the_whole_merge(team: Path) -> None:
    before = dump(team / "lead.loupe")
    now = utc_now()
    with sqlite3.connect(team / "bob.loupe") as conn:  # foreign keys are off in a bare connection
        article_id, coder_id = conn.execute("SELECT article_id, coder_id FROM annotation").fetchone()
        conn.execute(
            "INSERT INTO relation VALUES ('r-1', ?, ?, 'said_by', 'missing-1', 'missing-2', '{}', ?, ?, 1, NULL, 1, 1)",
            (article_id, coder_id, now, now),
        )
    conn.close()
    with pytest.raises(LoupeError, match=(
        "^Nothing was merged: bob.loupe, relation r-1: its source annotation is neither in the file "
        "nor in the project.$"
    )):
        merge(team, "alice.loupe", "bob.loupe", make_backup=False)  # alice's file is good
    assert dump(team / "lead.loupe") == before


def test_the_merge_carries_every_column_of_the_merged_tables(team: Path) -> None:
    """A column added to a merged table (model and migration) must travel, or be named as
    the lead's own: compared with the tables a project file really has."""
    from app.store.merging import STATUS_COLUMNS, STATUS_KEPT, STATUS_UPDATED, VERSIONED

    conn = sqlite3.connect(team / "lead.loupe")
    try:
        def columns(table: str) -> set[str]:
            return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}

        for table, carried in VERSIONED.values():
            assert set(carried) == columns(table), table
        assignment = columns("assignment")
        assert set(STATUS_COLUMNS) | {"id"} == assignment
        assert set(STATUS_UPDATED) | set(STATUS_KEPT) | {"article_id", "coder_id"} == assignment
    finally:
        conn.close()


def test_work_on_an_article_taken_back_returns_unassigned(team: Path) -> None:
    with open_project(team / "alice.loupe") as package:
        alice = package.store.coders.find("alice")
        done = next(r.id for r in article_listing(package, alice.id) if r.status == "done")
    with open_project(team / "lead.loupe") as lead:
        assert lead.store.assigning.take_back(alice.id, [done]) == (1, [])
    report = merge(team, "alice.loupe")
    assert report.files[0].summary()["alice"]["status"] == {"added": 1, "updated": 1}
    with open_project(team / "lead.loupe") as lead:
        (cell,) = [c for c in lead.store.assigning.cells() if (c.article_id, c.coder_id) == (done, alice.id)]
        assert (cell.status, cell.assigned, cell.worked) == ("done", False, True)
