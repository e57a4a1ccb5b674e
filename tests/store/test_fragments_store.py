"""Discontinuous spans: an annotation made of fragments, with start/end as their envelope.

Storage, checks and edits (undo included); packages and merge in
tests/services/test_fragments_merge.py, the window in tests/ui/test_fragments.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.core.edits import ChangeAnnotation, add_fragment, join_ranges
from app.core.records import Annotation, covered_ranges
from app.core.row_checks import fragments_problem

TEXT = "Alpha beta gamma delta epsilon zeta"  # 35 characters


@pytest.mark.parametrize(("fragments", "start", "end", "problem"), [
    ((), 0, 5, None),
    (((0, 5), (11, 16)), 0, 16, None),
    (((0, 5),), 0, 5, "it has a single fragment (a contiguous span has none)"),
    (((0, 5), (5, 10)), 0, 10, "its fragment 2 5-10 does not begin after the end of the one before (5)"),
    (((0, 6), (5, 10)), 0, 10, "its fragment 2 5-10 does not begin after the end of the one before (6)"),
    (((6, 10), (0, 5)), 0, 10, "its fragment 2 0-5 does not begin after the end of the one before (10)"),
    (((0, 5), (8, 8)), 0, 8, "its fragment 2 8-8 is empty or reversed"),
    (((0, 5), (30, 40)), 0, 40, "its fragment 2 30-40 is outside the article's 35 characters"),
    (((0, 5), (11, 16)), 0, 20, "its fragments run from 0 to 16, not from its start 0 to its end 20"),
    (((1, 5), (11, 16)), 0, 16, "its fragments run from 1 to 16, not from its start 0 to its end 16"),
    (((0, "5"), (11, 16)), 0, 16, "its fragment 1 is not a range of whole numbers"),
    ("0 5;11 16", 0, 16, "its fragments are text, not a list of ranges"),
    (((0, 5, 7), (11, 16)), 0, 16, "its fragment 1 is not a range (start, end)"),
])
def test_fragments_are_checked(fragments: Any, start: int, end: int, problem: str | None) -> None:
    assert fragments_problem(fragments, start, end, len(TEXT)) == problem


def test_covered_ranges_and_joining() -> None:
    assert covered_ranges(3, 9) == ((3, 9),)
    assert Annotation("a", "x", "c", "Claim", 0, 16, fragments=((0, 5), (11, 16))).ranges == ((0, 5), (11, 16))
    assert join_ranges(((0, 5),), 11, 16) == ((0, 5), (11, 16))
    assert join_ranges(((0, 5), (11, 16)), 4, 8) == ((0, 8), (11, 16))  # overlapping: joined
    assert join_ranges(((0, 5), (11, 16)), 5, 11) == ((0, 16),)  # touching both: one range
    assert join_ranges(((11, 16),), 0, 5) == ((0, 5), (11, 16))  # before: sorted


@pytest.fixture
def coded(project: Any, tmp_path: Path) -> tuple[Any, str, str]:
    from app.services.importing import import_articles

    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    import_articles(project, [tmp_path / "a.txt"], model="no_such_pipeline_xyz")
    coder = project.store.coders.get_or_create("ana")
    return project, project.store.articles.list()[0].id, coder.id


def fragment_rows(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM annotation_fragment ORDER BY annotation_id, start").fetchall()
    finally:
        conn.close()


def test_a_discontinuous_span_is_stored_read_and_deleted_with_its_fragments(coded: Any, project_path: Path) -> None:
    from app.core.edits import AddAnnotation
    from app.services.editing import apply_edit, new_annotation

    project, article_id, coder_id = coded
    split = new_annotation(article_id, coder_id, "Claim", 0, 16, fragments=((0, 5), (11, 16)))
    whole = new_annotation(article_id, coder_id, "Actor", 6, 10)
    apply_edit(project, AddAnnotation(split))
    apply_edit(project, AddAnnotation(whole))
    assert fragment_rows(project_path) == [(split.id, 0, 5), (split.id, 11, 16)]  # none for the contiguous one
    by_id = {a.id: a for a in project.store.annotations.for_article(article_id, coder_id)}
    assert by_id[split.id].fragments == ((0, 5), (11, 16)) and by_id[whole.id].fragments == ()
    assert project.store.annotations.get(split.id).fragments == ((0, 5), (11, 16))
    assert [TEXT[s:e] for s, e in by_id[split.id].ranges] == ["Alpha", "gamma"]


@pytest.mark.parametrize(("fragments", "end", "reason"), [
    (((0, 5),), 5, "it has a single fragment"),
    (((0, 5), (4, 16)), 16, "does not begin after the end of the one before"),
    (((0, 5), (11, 16)), 20, "its fragments run from 0 to 16, not from its start 0 to its end 20"),
])
def test_bad_fragments_are_refused_and_nothing_is_written(
    coded: Any, project_path: Path, fragments: Any, end: int, reason: str,
) -> None:
    from app.core.edits import AddAnnotation
    from app.services.editing import EditError, apply_edit, new_annotation

    project, article_id, coder_id = coded
    with pytest.raises(EditError, match="^The Claim annotation was refused: .*" + reason):
        apply_edit(project, AddAnnotation(new_annotation(article_id, coder_id, "Claim", 0, end, fragments=fragments)))
    assert project.store.annotations.for_article(article_id) == [] and fragment_rows(project_path) == []


def test_adding_a_fragment_is_one_edit_that_undo_takes_back(coded: Any, project_path: Path) -> None:
    from app.core.edits import AddAnnotation
    from app.services.editing import apply_edit, new_annotation

    project, article_id, coder_id = coded
    claim = new_annotation(article_id, coder_id, "Claim", 0, 5)
    apply_edit(project, AddAnnotation(claim))
    edit = add_fragment(claim, 17, 22)
    assert edit.describe() == "Change fragments"
    undo, changes = apply_edit(project, edit)
    assert changes.annotation_ids == (claim.id,)
    now = project.store.annotations.get(claim.id)
    assert (now.start, now.end, now.fragments, now.revision) == (0, 22, ((0, 5), (17, 22)), 2)
    redo, _ = apply_edit(project, undo)
    back = project.store.annotations.get(claim.id)
    assert (back.start, back.end, back.fragments, back.revision) == (0, 5, (), 3)
    assert fragment_rows(project_path) == []
    apply_edit(project, redo)
    again = project.store.annotations.get(claim.id)
    assert (again.fragments, again.revision) == (((0, 5), (17, 22)), 4)
    # a third fragment, then one that bridges the gap: the fragments join
    apply_edit(project, add_fragment(again, 31, 35))
    third = project.store.annotations.get(claim.id)
    assert third.fragments == ((0, 5), (17, 22), (31, 35)) and (third.start, third.end) == (0, 35)
    apply_edit(project, add_fragment(third, 5, 17))
    assert project.store.annotations.get(claim.id).fragments == ((0, 22), (31, 35))


def test_moving_an_edge_moves_the_outer_fragment_and_undo_moves_it_back(coded: Any) -> None:
    from app.core.edits import AddAnnotation
    from app.services.editing import EditError, apply_edit, new_annotation

    project, article_id, coder_id = coded
    claim = new_annotation(article_id, coder_id, "Claim", 0, 16, fragments=((0, 5), (11, 16)))
    apply_edit(project, AddAnnotation(claim))
    undo, _ = apply_edit(project, ChangeAnnotation(claim.id, {"end": 22}))
    assert project.store.annotations.get(claim.id).fragments == ((0, 5), (11, 22))
    apply_edit(project, ChangeAnnotation(claim.id, {"start": 1}))
    assert project.store.annotations.get(claim.id).fragments == ((1, 5), (11, 22))
    with pytest.raises(EditError, match="fragment 1 6-5 is empty or reversed"):
        apply_edit(project, ChangeAnnotation(claim.id, {"start": 6}))
    apply_edit(project, ChangeAnnotation(claim.id, {"start": 0}))
    apply_edit(project, undo)
    assert project.store.annotations.get(claim.id).fragments == ((0, 5), (11, 16))
    # a label change keeps them
    apply_edit(project, ChangeAnnotation(claim.id, {"label": "Actor"}))
    assert project.store.annotations.get(claim.id).fragments == ((0, 5), (11, 16))


def test_import_of_many_annotations_writes_their_fragments(coded: Any, project_path: Path) -> None:
    project, article_id, coder_id = coded
    from app.services.editing import new_annotation

    many = [new_annotation(article_id, coder_id, "Claim", 0, 16, fragments=((0, 5), (11, 16))) for _ in range(3)]
    project.store.annotations.add_many(many)
    assert len(fragment_rows(project_path)) == 6
