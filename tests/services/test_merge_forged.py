"""Packages edited by hand (sqlite3, as an attacker or a careless script would) are
refused by the merge in one sentence naming the file, the row and the reason, and the
lead's project stays exactly as it was; honest packages, with the training gold that
travels in them read-only, still merge."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.edits import ChangeAnnotation
from app.core.records import utc_now
from app.services.assignment import assign
from app.services.coding import article_listing
from app.services.editing import apply_edit
from app.services.merging import MergeError, merge_files
from app.services.packages import write_package
from app.services.projects import open_project
from app.services.training import mark_training
from tests.team_fixtures import code, dump, team_project

Forge = Callable[[sqlite3.Connection, dict[str, str]], str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe: alice and bob assigned (overlap 0.5), gail's finished gold of one
    overlap article marked for training, bob's coding of it; alice.loupe: alice's
    package (with gail's gold of the training article), two articles coded in it."""
    folder = tmp_path_factory.mktemp("forged")
    with team_project(folder / "lead.loupe", n=12, coders=("alice", "bob")) as lead:
        gail = lead.store.coders.get_or_create("gail", "adjudicator")
        assign(lead, ["alice", "bob"], overlap=0.5, seed=1)
        ids = {c.name: c.id for c in lead.store.coders.list()}
        articles = {a.id: a for a in lead.store.articles.list()}
        shared = [r.id for r in article_listing(lead, ids["alice"]) if r.id in
                  {b.id for b in article_listing(lead, ids["bob"])}][0]
        code(lead, articles[shared], ids["bob"])
        code(lead, articles[shared], gail.id)
        mark_training(lead, [shared])
        write_package(lead, "alice", folder / "alice.loupe")
    with open_project(folder / "alice.loupe") as package:
        alice = package.store.coders.find("alice")
        mine = {a.id: a for a in package.store.articles.list()}
        for row in [r for r in article_listing(package, alice.id) if r.id != shared][:2]:
            code(package, mine[row.id], alice.id)
    return folder


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    for path in template.glob("*.loupe"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def ids_of(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        found = dict(conn.execute("SELECT name, id FROM coder").fetchall())
    conn.close()
    return found


def forge(team: Path, edit: Forge) -> str:
    """Apply ``edit`` to alice.loupe with a bare connection (no foreign keys, no checks)."""
    coders = ids_of(team / "lead.loupe")
    with sqlite3.connect(team / "alice.loupe") as conn:
        result = edit(conn, coders)
    conn.close()
    return result


def refused(team: Path, edit: Forge, reason: str) -> None:
    """``edit`` alice.loupe and merge it: the merge must fail naming the row ``edit``
    returns (a pattern) and ``reason`` (a pattern), and leave lead.loupe as it was."""
    before = dump(team / "lead.loupe")
    row = forge(team, edit)
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as info:
        merge_files(lead, [team / "alice.loupe"])
    message = str(info.value)
    expected = rf"Nothing was merged: alice\.loupe, {row}: (?:{reason})\."
    assert re.fullmatch(expected, message), message
    assert message.count(". ") == 0  # one sentence
    assert dump(team / "lead.loupe") == before
    assert not list(team.glob("lead.backup-*"))


def own(conn: sqlite3.Connection, coders: dict[str, str], table: str = "annotation") -> str:
    """The id of one of alice's live rows of ``table`` in her package."""
    (row_id,) = conn.execute(
        f"SELECT id FROM {table} WHERE coder_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1", (coders["alice"],)
    ).fetchone()
    return row_id


def bump(conn: sqlite3.Connection, table: str, row_id: str, assignments: str) -> None:
    """Change a row as a new revision (so that it would win the merge)."""
    conn.execute(
        f"UPDATE {table} SET {assignments}, revision = revision + 1, updated_at = ? WHERE id = ?", (utc_now(), row_id)
    )


# -- whose rows ---------------------------------------------------------------


def test_a_row_added_for_another_coder(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        conn.execute(
            "INSERT INTO annotation SELECT 'forged-1', article_id, ?, label, start, end, attributes, note, "
            "uncertain, created_at, updated_at, revision, deleted_at, codebook_version, coded_version "
            "FROM annotation WHERE id = ?",
            (coders["bob"], own(conn, coders)),
        )
        return "annotation forged-1"

    refused(team, edit, "it is bob's, not alice's, and a package may change only its own coder's rows")


def test_another_coders_annotation_overwritten_with_a_higher_revision(team: Path) -> None:
    with sqlite3.connect(team / "lead.loupe") as conn:
        bobs = conn.execute(
            "SELECT a.* FROM annotation a JOIN coder c ON c.id = a.coder_id WHERE c.name = 'bob' "
            "AND a.deleted_at IS NULL ORDER BY a.id LIMIT 1"
        ).fetchone()
    conn.close()

    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        conn.execute(f"INSERT INTO annotation VALUES ({', '.join('?' * len(bobs))})", bobs)
        bump(conn, "annotation", bobs[0], "note = 'bob was wrong'")
        return f"annotation {bobs[0]}"

    refused(team, edit, "it is bob's, not alice's, and a package may change only its own coder's rows")


def test_another_coders_annotation_taken_over_as_ones_own(team: Path) -> None:
    with sqlite3.connect(team / "lead.loupe") as conn:
        bobs = conn.execute(
            "SELECT a.* FROM annotation a JOIN coder c ON c.id = a.coder_id WHERE c.name = 'bob' "
            "AND a.deleted_at IS NULL ORDER BY a.id LIMIT 1"
        ).fetchone()
    conn.close()

    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        conn.execute(f"INSERT INTO annotation VALUES ({', '.join('?' * len(bobs))})", bobs)
        bump(conn, "annotation", bobs[0], f"coder_id = '{coders['alice']}'")
        return f"annotation {bobs[0]}"

    refused(team, edit, "it would replace bob's annotation")


def test_a_new_adjudicator_with_spans(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        conn.execute("INSERT INTO coder VALUES ('m-1', 'mallory', 'adjudicator', ?)", (utc_now(),))
        conn.execute(
            "INSERT INTO annotation SELECT 'forged-2', article_id, 'm-1', label, start, end, attributes, note, "
            "uncertain, created_at, updated_at, revision, deleted_at, codebook_version, coded_version "
            "FROM annotation WHERE id = ?",
            (own(conn, coders),),
        )
        return ""

    before = dump(team / "lead.loupe")
    forge(team, edit)
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as info:
        merge_files(lead, [team / "alice.loupe"])
    assert str(info.value) == (
        "Nothing was merged: alice.loupe adds a coder, 'mallory', and a package cannot add coders."
    )
    assert dump(team / "lead.loupe") == before


def test_a_role_changed(team: Path) -> None:
    with sqlite3.connect(team / "alice.loupe") as conn:
        conn.execute("UPDATE coder SET role = 'adjudicator' WHERE name = 'alice'")
    conn.close()
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as info:
        merge_files(lead, [team / "alice.loupe"])
    assert str(info.value) == (
        "Nothing was merged: alice.loupe changes the project's coder 'alice' (coder) into 'alice' (adjudicator)."
    )
    assert dump(team / "lead.loupe") == before


def test_tombstones_on_the_adjudicators_gold(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        gold = [row_id for (row_id,) in conn.execute(
            "SELECT id FROM annotation WHERE coder_id = ? AND deleted_at IS NULL ORDER BY id", (coders["gail"],)
        )]
        assert len(gold) == 2
        for row_id in gold:
            bump(conn, "annotation", row_id, f"deleted_at = '{utc_now()}'")
        return f"annotation ({'|'.join(gold)})"

    refused(team, edit, "it is gail's, not alice's, and a package may change only its own coder's rows")


def test_the_gold_changed_without_a_new_revision(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        (row_id,) = conn.execute(
            "SELECT id FROM document_code WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["gail"],)
        ).fetchone()
        conn.execute("UPDATE document_code SET value = '\"no\"' WHERE id = ?", (row_id,))
        return f"answer {row_id}"

    refused(team, edit, "it is gail's, not alice's, and a package may change only its own coder's rows")


def test_a_full_project_copy_is_no_package(team: Path) -> None:
    shutil.copy(team / "lead.loupe", team / "copy.loupe")
    with sqlite3.connect(team / "copy.loupe") as conn:
        conn.execute("UPDATE annotation SET note = 'rewritten', revision = revision + 1")
    conn.close()
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as info:
        merge_files(lead, [team / "copy.loupe"])
    assert str(info.value) == (
        "Nothing was merged: copy.loupe is not a coder's package (only files written by `loupe package` "
        "can be merged, each bringing back its own coder's work)."
    )
    assert dump(team / "lead.loupe") == before


# -- what the rows say ---------------------------------------------------------


def test_a_label_the_codebook_lacks(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        row_id = own(conn, coders)
        bump(conn, "annotation", row_id, "label = 'Villain'")
        return f"annotation {row_id}"

    refused(team, edit, "its label 'Villain' is not a span label of the codebook")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("start = -5", r"its start -5 is before the beginning of the text"),
        ("\"end\" = 999999", r"its end 999999 is beyond the article's [\d,]+ characters"),
        ("start = 30, \"end\" = 20", r"its start 30 is not before its end 20"),
        ("start = 'three'", r"its start 'three' is not a whole number"),
        ("start = 2.5", r"its start 2\.5 is not a whole number"),
    ],
)
def test_offsets_outside_the_text_or_backwards(team: Path, change: str, reason: str) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        row_id = own(conn, coders)
        bump(conn, "annotation", row_id, change)
        return f"annotation {row_id}"

    refused(team, edit, reason)


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ("{not json", "its attributes are not valid JSON"),
        ("[1, 2]", "its attributes are a list, not a JSON object"),
        ('{"mood": "grim"}', "'mood' is not an attribute of (Actor|Claim)"),
        ('{"claim_type": "gossip"}', "(Claim claim_type: 'gossip' is not one of .*|'claim_type' is not an attribute of Actor)"),
    ],
)
def test_attributes_that_are_not_the_codebooks(team: Path, attributes: str, reason: str) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        row_id = own(conn, coders)
        bump(conn, "annotation", row_id, "attributes = ?".replace("?", "'" + attributes.replace("'", "''") + "'"))
        return f"annotation {row_id}"

    refused(team, edit, reason)


def test_a_revision_of_two_to_the_63(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        row_id = own(conn, coders)
        conn.execute("UPDATE annotation SET revision = ?, note = 'forever' WHERE id = ?", (2**63 - 1, row_id))
        return f"annotation {row_id}"

    refused(team, edit, r"its revision 9223372036854775807 is not a whole number from 1 to 2,147,483,648")


def test_statuses_set_to_todo_in_2099(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        conn.execute(
            "UPDATE assignment SET status = 'todo', updated_at = '2099-01-01T00:00:00.000000+00:00' WHERE coder_id = ?",
            (coders["alice"],),
        )
        (article_id,) = conn.execute(
            "SELECT article_id FROM assignment WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["alice"],)
        ).fetchone()
        return f"the status of alice on article {article_id}"

    refused(team, edit, r"its updated_at 2099-01-01T00:00:00\.000000\+00:00 is in the future")


def test_a_status_loupe_does_not_know(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        (article_id,) = conn.execute(
            "SELECT article_id FROM assignment WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["alice"],)
        ).fetchone()
        conn.execute(
            "UPDATE assignment SET status = 'approved', updated_at = ? WHERE coder_id = ? AND article_id = ?",
            (utc_now(), coders["alice"], article_id),
        )
        return f"the status of alice on article {article_id}"

    refused(team, edit, "its status 'approved' is not one of todo, in_progress, done")


@pytest.mark.parametrize(
    ("seconds", "reason"),
    [
        (30 * 86400, r"its time spent 2,592,000 s is more than the project's age \([\d,]+ s\)"),
        (-60, "its time spent -60 s is negative"),
        ("an hour", "its time spent 'an hour' is not a number of seconds"),
    ],
)
def test_invented_time_spent(team: Path, seconds: object, reason: str) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        (article_id,) = conn.execute(
            "SELECT article_id FROM assignment WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["alice"],)
        ).fetchone()
        conn.execute(
            "UPDATE assignment SET seconds_spent = ?, updated_at = ? WHERE coder_id = ? AND article_id = ?",
            (seconds, utc_now(), coders["alice"], article_id),
        )
        return f"the status of alice on article {article_id}"

    refused(team, edit, reason)


def test_a_relation_to_another_coders_annotation(team: Path) -> None:
    with sqlite3.connect(team / "lead.loupe") as conn:
        (bobs,) = conn.execute(
            "SELECT a.id FROM annotation a JOIN coder c ON c.id = a.coder_id WHERE c.name = 'bob' "
            "AND a.label = 'Actor' AND a.deleted_at IS NULL LIMIT 1"
        ).fetchone()
    conn.close()

    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        (row_id,) = conn.execute(
            "SELECT id FROM relation WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["alice"],)
        ).fetchone()
        bump(conn, "relation", row_id, f"target_id = '{bobs}'")
        return f"relation {row_id}"

    refused(team, edit, "its target annotation is (another coder's|on another article)")


def test_a_relation_its_type_does_not_allow(team: Path) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        (row_id,) = conn.execute(
            "SELECT id FROM relation WHERE coder_id = ? ORDER BY id LIMIT 1", (coders["alice"],)
        ).fetchone()
        bump(conn, "relation", row_id, "source_id = target_id, target_id = source_id")
        return f"relation {row_id}"

    refused(team, edit, r"said_by cannot link Actor to Claim \(allowed: .*\)")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("question = 'mood'", "its question 'mood' is not a question of the codebook"),
        ("value = '\"perhaps\"'", r"relevance: 'perhaps' is not one of .*|sourcing: 'perhaps' is not one of .*"),
        ("value = '{oops'", "its value is not valid JSON"),
    ],
)
def test_answers_the_codebook_does_not_allow(team: Path, change: str, reason: str) -> None:
    def edit(conn: sqlite3.Connection, coders: dict[str, str]) -> str:
        row_id = own(conn, coders, "document_code")
        bump(conn, "document_code", row_id, change)
        return f"answer {row_id}"

    refused(team, edit, reason)


# -- honest packages ------------------------------------------------------------


def test_an_honest_package_merges_and_its_training_gold_is_ignored(team: Path) -> None:
    coders = ids_of(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead:  # the lead revises the gold after packaging
        shared = lead.store.settings()["training_articles"][0]
        gold = lead.store.annotations.for_article(shared, coders["gail"])[0]
        apply_edit(lead, ChangeAnnotation(gold.id, {"note": "checked"}))
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead:
        report = merge_files(lead, [team / "alice.loupe"])
    assert report.files[0].summary() == {
        "alice": {
            "annotation": {"added": 4, "deleted": 2}, "relation": {"added": 2},
            "answer": {"added": 4}, "status": {"updated": 2},
        }
    }
    after = dump(team / "lead.loupe")
    for table in ("annotation", "relation", "document_code"):
        theirs = [row for row in before[table] if row[2] != coders["alice"]]
        assert [row for row in after[table] if row[2] != coders["alice"]] == theirs
    with open_project(team / "lead.loupe") as lead:
        assert lead.store.annotations.get(gold.id).note == "checked"
        assert not merge_files(lead, [team / "alice.loupe"]).changed
    assert dump(team / "lead.loupe") == after


def test_the_same_new_row_moved_to_another_article_in_a_second_file(team: Path) -> None:
    shutil.copy(team / "alice.loupe", team / "alice-2.loupe")
    coders = ids_of(team / "lead.loupe")
    with sqlite3.connect(team / "alice-2.loupe") as conn:
        row_id, article_id = conn.execute(
            "SELECT id, article_id FROM annotation WHERE coder_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1",
            (coders["alice"],),
        ).fetchone()
        (other,) = conn.execute(
            "SELECT article_id FROM assignment WHERE coder_id = ? AND article_id != ? LIMIT 1",
            (coders["alice"], article_id),
        ).fetchone()
        bump(conn, "annotation", row_id, f"article_id = '{other}', start = 0, \"end\" = 6")
    conn.close()
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(MergeError) as info:
        merge_files(lead, [team / "alice.loupe", team / "alice-2.loupe"])
    assert str(info.value) == (
        f"Nothing was merged: alice-2.loupe, annotation {row_id}: another file of this merge brings this "
        "annotation with another article or coder."
    )
    assert dump(team / "lead.loupe") == before


def test_import_annotations_checks_rows_as_the_merge_does(team: Path) -> None:
    from app.core.errors import ImportFormatError
    from app.services.exporting import export_project
    from app.services.importing import import_annotations

    with open_project(team / "lead.loupe") as lead:
        export_project(lead, team / "brat", format="brat", coder="bob")
        (ann,) = [p for p in (team / "brat").glob("*.ann") if "\tsaid_by " in p.read_text(encoding="utf-8")]
        lines = ann.read_text(encoding="utf-8").splitlines()
        swapped = [
            re.sub(r"Arg1:(\S+) Arg2:(\S+)", r"Arg1:\2 Arg2:\1", line) if "\tsaid_by " in line else line
            for line in lines
        ]
        ann.write_text("\n".join(swapped) + "\n", encoding="utf-8")
        before = dump(team / "lead.loupe")
        with pytest.raises(ImportFormatError) as info:
            import_annotations(lead, team / "brat", coder="dee", format="brat")
    assert re.fullmatch(
        rf"{re.escape(ann.name)}: R\d+: said_by cannot link Actor to Claim \(allowed: Claim to Actor\)\.",
        info.value.message,
    ), info.value.message
    assert dump(team / "lead.loupe") == before
