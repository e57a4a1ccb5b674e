"""Fragments of discontinuous spans travel with their annotation: into a coder's package
(the training gold's too), back through the merge (replaced as a whole when the
annotation wins), and forged ones are refused in one sentence with nothing written."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.core.edits import ChangeAnnotation, add_fragment
from app.core.records import utc_now
from app.services.assignment import assign
from app.services.coding import article_listing
from app.services.editing import add_annotation, apply_edit
from app.services.merging import MergeError, merge_files
from app.services.packages import write_package
from app.services.projects import open_project
from app.services.training import mark_training
from tests.team_fixtures import code, dump, span, team_project


def discontinuous(project: Any, article: Any, coder_id: str) -> str:
    """A Claim of "Officers ... threatened them" without the words between."""
    first, second = span(article, "Officers"), span(article, "threatened them")
    return add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Claim",
        start=first[0], end=second[1], fragments=(first, second),
    ).id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe: gail's gold of a training article holds a discontinuous span; alice's
    package (with that gold) where alice coded two articles, each with one."""
    folder = tmp_path_factory.mktemp("fragments")
    with team_project(folder / "lead.loupe", n=8, coders=("alice", "bob")) as lead:
        gail = lead.store.coders.get_or_create("gail", "adjudicator")
        assign(lead, ["alice", "bob"], overlap=0.5, seed=1)
        alice = lead.store.coders.find("alice")
        articles = {a.id: a for a in lead.store.articles.list()}
        shared = article_listing(lead, alice.id)[0].id
        code(lead, articles[shared], gail.id)
        discontinuous(lead, articles[shared], gail.id)
        mark_training(lead, [shared])
        write_package(lead, "alice", folder / "alice.loupe")
    with open_project(folder / "alice.loupe") as package:
        alice = package.store.coders.find("alice")
        mine = {a.id: a for a in package.store.articles.list()}
        for row in [r for r in article_listing(package, alice.id) if r.id != shared][:2]:
            code(package, mine[row.id], alice.id)
            discontinuous(package, mine[row.id], alice.id)
    return folder


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    for path in template.glob("*.loupe"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def merge(folder: Path, *names: str, **options: Any) -> Any:
    with open_project(folder / "lead.loupe") as lead:
        return merge_files(lead, [folder / n for n in names], make_backup=False, **options)


def fragments(path: Path, coder: str | None = None) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        query = (
            "SELECT f.annotation_id, f.start, f.\"end\" FROM annotation_fragment f "
            "JOIN annotation a ON a.id = f.annotation_id JOIN coder c ON c.id = a.coder_id"
        )
        if coder is not None:
            return conn.execute(query + " WHERE c.name = ? ORDER BY 1, 2", (coder,)).fetchall()
        return conn.execute(query + " ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


def test_the_package_carries_the_coders_and_the_training_golds_fragments(team: Path) -> None:
    gold = fragments(team / "lead.loupe", "gail")
    assert len(gold) == 2
    assert fragments(team / "alice.loupe", "gail") == gold
    assert len(fragments(team / "alice.loupe", "alice")) == 4  # two spans of two fragments


def test_merge_brings_fragments_back_and_again_changes_nothing(team: Path) -> None:
    report = merge(team, "alice.loupe")
    assert report.files[0].summary()["alice"]["annotation"] == {"added": 6, "deleted": 2}
    assert fragments(team / "lead.loupe", "alice") == fragments(team / "alice.loupe", "alice")
    with open_project(team / "lead.loupe") as lead:
        alice = lead.store.coders.find("alice")
        spans = [a for row in article_listing(lead, alice.id)
                 for a in lead.store.annotations.for_article(row.id, alice.id) if a.fragments]
        assert len(spans) == 2
        text = lead.store.articles.get(spans[0].article_id).text
        assert [text[s:e] for s, e in spans[0].ranges] == ["Officers", "threatened them"]
    before = dump(team / "lead.loupe")
    again = merge(team, "alice.loupe")
    assert not again.files[0].changed and dump(team / "lead.loupe") == before


def test_fragments_are_replaced_as_a_whole_when_the_annotation_wins(team: Path) -> None:
    merge(team, "alice.loupe")
    with open_project(team / "alice.loupe") as package:
        alice = package.store.coders.find("alice")
        spans = [a for row in article_listing(package, alice.id)
                 for a in package.store.annotations.for_article(row.id, alice.id) if a.fragments]
        text = package.store.articles.get(spans[0].article_id).text
        apply_edit(package, add_fragment(spans[0], *span_of(text, "deportation")))  # a third one
        apply_edit(package, ChangeAnnotation(spans[1].id, {"fragments": ()}))  # contiguous again
        third = package.store.annotations.get(spans[0].id).fragments
    merge(team, "alice.loupe")
    lead_rows = fragments(team / "lead.loupe", "alice")
    assert lead_rows == [(spans[0].id, s, e) for s, e in third] == fragments(team / "alice.loupe", "alice")
    assert len(third) == 3


def span_of(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def forge(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    conn = sqlite3.connect(path)  # foreign keys are off in a bare connection
    try:
        for sql, params in statements:
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def alice_span(path: Path) -> tuple[str, int, int]:
    """(id, start, end) of one of alice's discontinuous spans in her package."""
    annotation_id = fragments(path, "alice")[0][0]
    conn = sqlite3.connect(path)
    try:
        return conn.execute('SELECT id, start, "end" FROM annotation WHERE id = ?', (annotation_id,)).fetchone()
    finally:
        conn.close()


def bump(annotation_id: str) -> tuple[str, tuple[Any, ...]]:
    return ("UPDATE annotation SET revision = revision + 1, updated_at = ? WHERE id = ?", (utc_now(), annotation_id))


@pytest.mark.parametrize(("how", "reason"), [
    ("overlap", "its fragment 2 {a}-{b} does not begin after the end of the one before ({c})"),
    ("outside", "its fragments run from {s} to {e2}, not from its start {s} to its end {e}"),
    ("single", "it has a single fragment (a contiguous span has none)"),
    ("orphan", "that annotation is not in the file"),
    ("gold", "the annotation is gail's, not alice's, and a package may change only its own coder's fragments"),
])
def test_forged_fragments_are_refused_and_nothing_is_merged(team: Path, how: str, reason: str) -> None:
    package = team / "alice.loupe"
    annotation_id, start, end = alice_span(package)
    rows = [row for row in fragments(package) if row[0] == annotation_id]
    what = f"annotation {annotation_id}"
    values: dict[str, Any] = {"s": start, "e": end}
    if how == "overlap":
        first, second = rows[0], rows[1]
        forge(package, ("DELETE FROM annotation_fragment WHERE annotation_id = ? AND start = ?", (annotation_id, second[1])),
              ("INSERT INTO annotation_fragment VALUES (?, ?, ?)", (annotation_id, first[2] - 1, second[2])), bump(annotation_id))
        values.update(a=first[2] - 1, b=second[2], c=first[2])
    elif how == "outside":
        forge(package, ("UPDATE annotation_fragment SET \"end\" = \"end\" - 1 WHERE annotation_id = ? AND start = ?",
                        (annotation_id, rows[1][1])), bump(annotation_id))
        values.update(e2=end - 1)
    elif how == "single":
        forge(package, ("DELETE FROM annotation_fragment WHERE annotation_id = ? AND start = ?", (annotation_id, rows[1][1])),
              ("UPDATE annotation SET \"end\" = ? WHERE id = ?", (rows[0][2], annotation_id)), bump(annotation_id))
    elif how == "orphan":
        forge(package, ("INSERT INTO annotation_fragment VALUES ('nowhere', 0, 1)", ()))
        what = "the fragments of annotation 'nowhere'"
    else:  # a fragment added to the training gold's discontinuous span
        (gold_id, _s, gold_end) = fragments(package, "gail")[-1]
        forge(package, ("INSERT INTO annotation_fragment VALUES (?, ?, ?)", (gold_id, gold_end + 2, gold_end + 4)))
        what = f"the fragments of annotation {gold_id}"
    before = dump(team / "lead.loupe")
    with pytest.raises(MergeError) as info:
        merge(team, "alice.loupe")
    assert str(info.value) == f"Nothing was merged: alice.loupe, {what}: {reason.format(**values)}."
    assert dump(team / "lead.loupe") == before
