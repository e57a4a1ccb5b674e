"""The merge checks and writes each file in one pass, inside one transaction for all
files: a refusal in a later file undoes what the earlier ones wrote and removes the
backup, the backup is the project the merge started from, a later file is checked as
strictly against the rows an earlier file brought, and a write that would not change
exactly the rows the checks found newer undoes the whole merge."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import app.store.merge_writes as writes
from app.core.errors import ProjectError
from app.core.records import utc_now
from app.services.merging import MergeError, merge_files
from app.services.projects import open_project
from tests.team_fixtures import copy_team, dump, packaged_team


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe assigned to alice and bob (overlap 0.5), and their packages, each with
    two articles coded."""
    return packaged_team(tmp_path_factory.mktemp("one-pass"))


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    return copy_team(template, tmp_path)


def coder_ids(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, id FROM coder").fetchall())
    finally:
        conn.close()


def carry_alices_annotation(team: Path) -> str:
    """Copy one of alice's new annotations, as it is, into bob's package (bare sqlite3)."""
    ids = coder_ids(team / "lead.loupe")
    source = sqlite3.connect(team / "alice.loupe")
    row = source.execute(
        "SELECT * FROM annotation WHERE coder_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1", (ids["alice"],)
    ).fetchone()
    source.close()
    target = sqlite3.connect(team / "bob.loupe")
    with target:
        target.execute(f"INSERT INTO annotation VALUES ({', '.join('?' * len(row))})", row)
    target.close()
    return row[0]


def test_a_refusal_in_a_later_file_undoes_the_earlier_files_and_the_backup(team: Path) -> None:
    ids = coder_ids(team / "lead.loupe")
    conn = sqlite3.connect(team / "bob.loupe")
    with conn:
        (row_id,) = conn.execute(
            "SELECT id FROM annotation WHERE coder_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1", (ids["bob"],)
        ).fetchone()
        conn.execute('UPDATE annotation SET "end" = 999999, revision = revision + 1, updated_at = ? WHERE id = ?',
                     (utc_now(), row_id))
    conn.close()
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError, match=f"bob.loupe, annotation {row_id}"):
        merge_files(lead, [team / "alice.loupe", team / "bob.loupe"])
    assert dump(team / "lead.loupe") == before
    assert not list(team.glob("lead.backup-*")) and not list(team.glob(".lead.backup-*"))


def test_the_backup_is_the_project_the_merge_started_from(team: Path) -> None:
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead:
        report = merge_files(lead, [team / "alice.loupe", team / "bob.loupe"])
    assert report.changed and report.backup is not None
    assert dump(Path(report.backup)) == before
    assert dump(team / "lead.loupe") != before


def test_another_coders_row_an_earlier_file_brought_is_still_not_anyones_to_carry(team: Path) -> None:
    """bob's package holds alice's new annotation exactly as alice's package brings it:
    merged after alice's, it must be refused as it would be alone (the project did not
    have it when the merge began), not taken for a row the project already holds."""
    row_id = carry_alices_annotation(team)
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as refused:
        merge_files(lead, [team / "alice.loupe", team / "bob.loupe"])
    assert str(refused.value) == (
        f"Nothing was merged: bob.loupe, annotation {row_id}: it is alice's, not bob's, and a package may "
        "change only its own coder's rows."
    )
    assert dump(team / "lead.loupe") == before


def test_a_write_that_changes_other_rows_than_the_checked_ones_undoes_the_merge(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the checks and the write to disagree (a plan holding a row the project has
    in a newer version), the write's count gives it away and nothing is merged."""
    real = writes.merge_file

    def stale(conn, foreign, plan, cancelled):  # noqa: ANN001, ANN202
        winners = plan.versioned["annotation"]
        first = winners.new[0]
        at = {c: i for i, c in enumerate(writes.VERSIONED["annotation"][1])}
        older = list(first)
        older[at["revision"]] = 0  # older than what the project will hold
        real(conn, foreign, plan, cancelled)
        winners.new[:] = []
        winners.old[:] = [tuple(older)]  # the same row again, as one the project holds
        winners.held[first[0]] = None
        return real(conn, foreign, plan, cancelled)

    monkeypatch.setattr("app.services.merging.merge_file", stale)
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(ProjectError, match="were checked"):
        merge_files(lead, [team / "alice.loupe"])
    assert dump(team / "lead.loupe") == before
    assert not list(team.glob("lead.backup-*"))


@pytest.mark.parametrize(("order", "files"), [
    ("id", ("bob.loupe", "alice.loupe")),
    # the last of alice's annotations written (by article, then id): every other one is in
    # the transaction when her file is checked again, found as the project's own and left
    ("article_id DESC, id DESC", ("alice.loupe",)),
])
def test_a_row_the_project_holds_on_an_article_outside_the_file_is_named_in_the_refusal(
    team: Path, order: str, files: tuple[str, ...]
) -> None:
    """The checks read the coder's rows on the file's own articles; a row the project
    holds elsewhere is refused by the project's key when written, and the file is then
    checked id by id to say which row and why."""
    ids = coder_ids(team / "lead.loupe")
    package = sqlite3.connect(team / "alice.loupe")
    row = list(package.execute(
        f"SELECT * FROM annotation WHERE coder_id = ? AND deleted_at IS NULL ORDER BY {order} LIMIT 1", (ids["alice"],)
    ).fetchone())
    package.close()
    lead = sqlite3.connect(team / "lead.loupe")
    with lead:
        (elsewhere,) = lead.execute(
            "SELECT id FROM article WHERE id NOT IN (SELECT article_id FROM assignment WHERE coder_id = ?) LIMIT 1",
            (ids["alice"],),
        ).fetchone()
        held = [*row[:1], elsewhere, *row[2:]]
        lead.execute(f"INSERT INTO annotation VALUES ({', '.join('?' * len(held))})", held)
    lead.close()
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as project, pytest.raises(MergeError) as refused:
        merge_files(project, [team / name for name in files])
    assert str(refused.value) == (
        f"Nothing was merged: alice.loupe, annotation {row[0]}: it would move the annotation to another article."
    )
    assert dump(team / "lead.loupe") == before
    assert not list(team.glob("lead.backup-*"))


def test_two_live_answers_to_one_question_in_one_file_keep_the_later(team: Path) -> None:
    """Where the project held no answer of the coder, the file's own answers can still
    repeat a question: the older is tombstoned as for two files coded side by side."""
    ids = coder_ids(team / "lead.loupe")
    conn = sqlite3.connect(team / "alice.loupe")
    with conn:
        row = list(conn.execute(
            "SELECT * FROM document_code WHERE coder_id = ? AND question = 'relevance' AND deleted_at IS NULL "
            "ORDER BY id LIMIT 1", (ids["alice"],),
        ).fetchone())
        columns = [c[1] for c in conn.execute("PRAGMA table_info(document_code)")]
        at = {c: i for i, c in enumerate(columns)}
        later = list(row)
        later[at["id"]] = "later-answer-1"
        later[at["value"]] = '"no"' if row[at["value"]] != '"no"' else '"yes"'
        later[at["updated_at"]] = utc_now()
        conn.execute(f"INSERT INTO document_code VALUES ({', '.join('?' * len(later))})", later)
    conn.close()
    with open_project(team / "lead.loupe") as lead:
        report = merge_files(lead, [team / "alice.loupe"])
        answers = lead.store.answers.for_article(row[at["article_id"]], ids["alice"])
    assert answers["relevance"].value == ("no" if row[at["value"]] != '"no"' else "yes")
    assert report.files[0].summary()["alice"]["answer"]["deleted"] == 1
    conn = sqlite3.connect(team / "lead.loupe")
    live = conn.execute(
        "SELECT id FROM document_code WHERE article_id = ? AND coder_id = ? AND question = 'relevance' "
        "AND deleted_at IS NULL", (row[at["article_id"]], ids["alice"]),
    ).fetchall()
    conn.close()
    assert live == [("later-answer-1",)]


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_files_opened_ahead_are_refused_in_order_and_all_closed(
    team: Path, bad: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are opened two at a time, but the refusal is the first file's in the list
    that fails, and every file opened is closed, used or not."""
    import app.services.merging as merging

    opened: list[object] = []
    closed: list[object] = []
    real = merging.ForeignProject

    class Tracked(real):  # type: ignore[misc, valid-type]
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            opened.append(self)

        def close(self) -> None:
            closed.append(self)
            super().close()

    monkeypatch.setattr(merging, "ForeignProject", Tracked)
    names = ["alice.loupe", "bob.loupe", "alice-again.loupe"]
    shutil.copy(team / "alice.loupe", team / "alice-again.loupe")
    (team / names[bad]).write_text("not a database, but long enough to have a header " * 20)
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as refused:
        merge_files(lead, [team / name for name in names])
    assert str(refused.value) == f"Nothing was merged: {names[bad]} is not a Loupe project (it is not a SQLite database)."
    assert dump(team / "lead.loupe") == before
    assert len(opened) >= bad and sorted(map(id, opened)) == sorted(set(map(id, closed)))


def test_the_project_itself_among_the_files_is_refused_without_being_opened(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.merging as merging

    seen: list[Path] = []
    real = merging._open
    monkeypatch.setattr(merging, "_open", lambda path: (seen.append(path), real(path))[1])
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError, match="lead.loupe is the project itself"):
        merge_files(lead, [team / "alice.loupe", team / "lead.loupe", team / "bob.loupe"])
    assert seen == [team / "alice.loupe"]
