"""Coders' edits through the service layer: validation, inverses, tombstones, status."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.edits import (
    AddAnnotation,
    AddRelation,
    ChangeAnnotation,
    RemoveAnnotation,
    RestoreAnnotation,
    SetAnswer,
)
from app.core.errors import LoupeError
from app.services.coding import (
    article_listing,
    load_article,
    missing_for_done,
    next_unfinished,
    set_status,
)
from app.services.editing import EditError, apply_edit, new_annotation, new_relation
from app.services.importing import import_articles
from app.services.projects import Project

pytestmark = pytest.mark.both_backends

TEXT = "Anton Korolev said 40 migrants were forced to sign contracts in Kiresk."


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> tuple[Project, str, str]:
    for i, body in enumerate([TEXT, "A second article about Moscow.", "A third one."]):
        (tmp_path / f"{i}.txt").write_text(f"Headline {i}\n\n{body}", encoding="utf-8")
    import_articles(project, sorted(tmp_path.glob("*.txt")), model="no_such_pipeline_xyz")
    coder = project.store.coders.get_or_create("ana")
    return project, project.store.articles.list()[0].id, coder.id


def offset(project: Project, article_id: str, needle: str) -> tuple[int, int]:
    text = project.store.articles.get(article_id).text
    start = text.index(needle)
    return start, start + len(needle)


def test_add_undo_redo_annotation(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    start, end = offset(project, article_id, "Anton Korolev")
    annotation = new_annotation(article_id, coder_id, "Actor", start, end)
    inverse, changes = apply_edit(project, AddAnnotation(annotation))
    assert inverse == RemoveAnnotation(annotation.id)
    assert changes.annotation_ids == (annotation.id,) and changes.status
    assert [a.id for a in project.store.annotations.for_article(article_id, coder_id)] == [annotation.id]
    assert project.store.assignments.status(article_id, coder_id) == "in_progress"
    redo, _ = apply_edit(project, inverse)  # undo
    assert project.store.annotations.for_article(article_id, coder_id) == []
    assert isinstance(redo, RestoreAnnotation)
    apply_edit(project, redo)  # redo
    (restored,) = project.store.annotations.for_article(article_id, coder_id)
    assert restored.id == annotation.id and restored.revision == 3


def test_change_annotation_returns_exact_inverse(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    start, end = offset(project, article_id, "Anton Korolev")
    annotation = new_annotation(article_id, coder_id, "Actor", start, end)
    apply_edit(project, AddAnnotation(annotation))
    edit = ChangeAnnotation(annotation.id, {"attributes": {"actor_type": "prisoner"}, "uncertain": True})
    inverse, _ = apply_edit(project, edit)
    assert inverse == ChangeAnnotation(annotation.id, {"attributes": {}, "uncertain": False}, edit.after)
    stored = project.store.annotations.get(annotation.id)
    assert stored.attributes == {"actor_type": "prisoner"} and stored.uncertain
    apply_edit(project, inverse)
    stored = project.store.annotations.get(annotation.id)
    assert stored.attributes == {} and not stored.uncertain


def test_nudges_merge_into_one_step() -> None:
    first = ChangeAnnotation("a", {"end": 11}, {"end": 10})
    second = ChangeAnnotation("a", {"end": 12}, {"end": 11})
    merged = first.merged_with(second)
    assert merged.after == {"end": 12} and merged.before == {"end": 10} and merged.is_nudge


@pytest.mark.parametrize(
    ("label", "span", "attributes", "message"),
    [
        ("Nope", (0, 5), {}, "not a span label"),
        ("Actor", (5, 5), {}, "its start 5 is not before its end 5"),
        ("Actor", (0, 10_000), {}, "its end 10000 is beyond the article.s"),
        ("Actor", (0, 5), {"colour": "red"}, "not an attribute of Actor"),
        ("Actor", (0, 5), {"actor_type": "wizard"}, "actor_type"),
    ],
)
def test_invalid_annotations_are_refused_and_nothing_is_written(
    coded: tuple[Project, str, str], label: str, span: tuple[int, int], attributes: dict, message: str
) -> None:
    project, article_id, coder_id = coded
    annotation = new_annotation(article_id, coder_id, label, *span, attributes=attributes)
    with pytest.raises(EditError, match=message):
        apply_edit(project, AddAnnotation(annotation))
    assert project.store.annotations.for_article(article_id) == []


def test_relations_follow_the_codebook_and_die_with_their_annotation(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    actor = new_annotation(article_id, coder_id, "Actor", *offset(project, article_id, "Anton Korolev"))
    claim = new_annotation(article_id, coder_id, "Claim", *offset(project, article_id, "40 migrants were forced"))
    for a in (actor, claim):
        apply_edit(project, AddAnnotation(a))
    with pytest.raises(EditError, match="cannot link Actor to Claim"):
        apply_edit(project, AddRelation(new_relation(article_id, coder_id, "said_by", actor.id, claim.id)))
    relation = new_relation(article_id, coder_id, "said_by", claim.id, actor.id)
    apply_edit(project, AddRelation(relation))
    assert [r.id for r in project.store.relations.for_article(article_id)] == [relation.id]
    inverse, changes = apply_edit(project, RemoveAnnotation(actor.id))
    assert changes.relation_ids == (relation.id,)
    assert project.store.relations.for_article(article_id) == []
    apply_edit(project, inverse)
    assert [r.id for r in project.store.relations.for_article(article_id)] == [relation.id]


def test_answers_set_clear_and_undo(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    inverse, _ = apply_edit(project, SetAnswer(article_id, coder_id, "relevance", "yes"))
    assert project.store.answers.for_article(article_id, coder_id)["relevance"].value == "yes"
    with pytest.raises(EditError, match="relevance"):
        apply_edit(project, SetAnswer(article_id, coder_id, "relevance", "perhaps"))
    apply_edit(project, inverse)
    assert "relevance" not in project.store.answers.for_article(article_id, coder_id)


def test_done_is_refused_while_required_fields_are_empty(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    actor = new_annotation(article_id, coder_id, "Actor", *offset(project, article_id, "Anton Korolev"))
    apply_edit(project, AddAnnotation(actor))
    missing = missing_for_done(project, article_id, coder_id)
    assert any("Anton Korolev" in m and "actor_type" in m for m in missing)
    assert any("question" in m for m in missing)
    with pytest.raises(LoupeError, match="actor_type"):
        set_status(project, article_id, coder_id, "done")
    apply_edit(project, ChangeAnnotation(actor.id, {"attributes": {"actor_type": "prisoner", "role": "target"}}))
    apply_edit(project, SetAnswer(article_id, coder_id, "relevance", "yes"))
    for question in project.codebook.questions:
        if question.required and question.name != "relevance":
            apply_edit(project, SetAnswer(article_id, coder_id, question.name, question.options[0].value))
    set_status(project, article_id, coder_id, "done")
    assert load_article(project, article_id, coder_id).status == "done"


def test_listing_is_blinded_to_other_coders_and_next_unfinished_wraps(coded: tuple[Project, str, str]) -> None:
    project, article_id, coder_id = coded
    other = project.store.coders.get_or_create("ben")
    apply_edit(project, AddAnnotation(new_annotation(article_id, other.id, "Actor", 0, 5)))
    assert load_article(project, article_id, coder_id).annotations == []
    listing = article_listing(project, coder_id)
    assert [row.status for row in listing] == ["todo", "todo", "todo"]
    project.store.assignments.set_status(listing[1].id, coder_id, "done", "t")
    listing = article_listing(project, coder_id)
    assert len(listing) == 3  # a coder's own status rows do not blind the project
    assert next_unfinished(listing, listing[0].id).id == listing[2].id
    assert next_unfinished(listing, listing[2].id).id == listing[0].id
