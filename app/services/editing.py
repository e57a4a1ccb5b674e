"""Applying a coder's edits: validate, write and commit at once, return the inverse.

Runs on the calling (GUI) thread; each edit is one short transaction committed before
:func:`apply_edit` returns. Undo is applying the returned inverse (a new revision).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from app.core.edits import (
    AddAnnotation,
    AddAnnotations,
    AddRelation,
    ChangeAnnotation,
    Changes,
    Edit,
    RemoveAnnotation,
    RemoveAnnotations,
    RemoveRelation,
    RestoreAnnotation,
    RestoreAnnotations,
    RestoreRelation,
    SetAnswer,
    follow_envelope,
)
from app.core.errors import LoupeError
from app.core.records import Annotation, Fragments, Relation, utc_now
from app.core.row_checks import (
    Endpoint,
    answer_problem,
    attributes_problem,
    fragments_problem,
    relation_problem,
    span_problem,
)
from app.services.projects import Project


class EditError(LoupeError):
    """An edit that the codebook, the article text or the project does not allow."""


def refused(what: str, problem: str) -> EditError:
    """One sentence for a problem found by :mod:`app.core.row_checks`, the checks that
    merge, annotation imports and adjudication apply to the same rows."""
    return EditError(f"{what} was refused: {problem}.")


def validate_span(
    project: Project, article_id: str, label: str, start: int, end: int, attributes: dict[str, Any],
    fragments: Any = (),
) -> None:
    length = project.text_length(article_id)
    if length is None:
        raise EditError(f"There is no article with id {article_id} in this project.")
    problem = span_problem(label, start, end, length, project.codebook)
    if problem is None:
        problem = fragments_problem(fragments, start, end, length)
    if problem is None:
        problem = attributes_problem(project.codebook.label(label), attributes)
    if problem:
        raise refused(f"The {label} annotation", problem)


def validate_answer(project: Project, question: str, value: Any) -> None:
    """``value`` None clears the answer: only the question must exist."""
    if value is None and any(q.name == question for q in project.codebook.questions):
        return
    problem = answer_problem(project.codebook, question, value)
    if problem:
        raise refused(f"The answer to {question}", problem)


def validate_relation(
    project: Project, relation: Relation, source: Annotation | None, target: Annotation | None
) -> None:
    """``source`` and ``target`` are the live annotations at the relation's ends (None
    when gone), read by the caller from where the edit will be written."""
    if source is None or target is None:
        raise EditError("That annotation no longer exists.")
    ends = {a.id: Endpoint(a.article_id, a.coder_id, a.label) for a in (source, target)}
    problem = relation_problem(
        project.codebook, relation.label, relation.article_id, relation.coder_id,
        relation.source_id, relation.target_id, ends,
    )
    if problem:
        raise refused(f"The {relation.label} relation", problem)


def same_relation(project: Project, relation: Relation) -> Relation | None:
    """A live relation other than ``relation`` with its type, ends and coder: a second
    one would count the same link twice (agreement, exports), so edits refuse it and
    merge or import paths can skip it."""
    return next(
        (
            r for r in project.store.relations.for_article(relation.article_id, relation.coder_id)
            if r.id != relation.id and (r.label, r.source_id, r.target_id) == (
                relation.label, relation.source_id, relation.target_id)
        ),
        None,
    )


def refuse_same_relation(project: Project, relation: Relation) -> None:
    if same_relation(project, relation) is not None:
        raise EditError(f"That {relation.label} relation already exists between these two annotations.")


def _live_annotation(project: Project, annotation_id: str) -> Annotation:
    found = project.store.annotations.get(annotation_id)
    if found is None or found.deleted_at is not None:
        raise EditError("That annotation no longer exists.")
    return found


def apply_edit(project: Project, edit: Edit) -> tuple[Edit, Changes]:
    """Apply ``edit`` and commit it; returns (its inverse, what changed)."""
    store = project.store
    now = utc_now()
    match edit:
        case AddAnnotation(annotation=a):
            validate_span(project, a.article_id, a.label, a.start, a.end, a.attributes, a.fragments)
            started = store.annotations.add(replace(a, created_at=a.created_at or now, updated_at=now), now)
            return RemoveAnnotation(a.id), Changes(a.article_id, (a.id,), status=started)
        case RemoveAnnotation(annotation_id=annotation_id):
            taken = store.annotations.take_down(annotation_id, now)
            if taken is None:
                raise EditError("That annotation no longer exists.")
            article_id, relation_ids = taken
            return RestoreAnnotation(annotation_id, relation_ids), Changes(
                article_id, (annotation_id,), relation_ids
            )
        case RestoreAnnotation(annotation_id=annotation_id, relation_ids=relation_ids):
            removed = store.annotations.get(annotation_id)
            if removed is None:
                raise EditError("That annotation no longer exists.")
            store.annotations.restore(annotation_id, relation_ids, now)
            return RemoveAnnotation(annotation_id, relation_ids), Changes(
                removed.article_id, (annotation_id,), tuple(relation_ids)
            )
        case ChangeAnnotation(annotation_id=annotation_id, after=after):
            changed = store.annotations.change(annotation_id, lambda a: _planned_change(project, a, after), now)
            if changed is None:
                raise EditError("That annotation no longer exists.")
            a, written = changed
            before = {name: getattr(a, name) for name in written}
            return ChangeAnnotation(annotation_id, before, dict(written)), Changes(
                a.article_id, (annotation_id,)
            )
        case AddAnnotations(annotations=many, description=text):
            for a in many:
                validate_span(project, a.article_id, a.label, a.start, a.end, a.attributes, a.fragments)
            begun = store.annotations.add_coded(
                [replace(a, created_at=a.created_at or now, updated_at=now) for a in many], now
            )
            ids = tuple(a.id for a in many)
            return RemoveAnnotations(ids, description=text), _bulk_changes(many, ids, (), bool(begun))
        case RemoveAnnotations(annotation_ids=ids, relation_ids=links, description=text):
            live = _live_annotations(project, ids)
            links = store.annotations.set_deleted_many(ids, links, now, now)
            return RestoreAnnotations(ids, links, text), _bulk_changes(live, ids, links, False)
        case RestoreAnnotations(annotation_ids=ids, relation_ids=links, description=text):
            revived = [a for a in (store.annotations.get(i) for i in ids) if a is not None]
            if len(revived) != len(ids):
                raise EditError("Some of those annotations no longer exist.")
            store.annotations.set_deleted_many(ids, links, None, now)
            return RemoveAnnotations(ids, links, text), _bulk_changes(revived, ids, links, False)
        case AddRelation(relation=r):
            store.relations.add(
                replace(r, created_at=r.created_at or now, updated_at=now),
                lambda source, target, same: _check_relation(project, r, source, target, same),
            )
            return RemoveRelation(r.id), Changes(r.article_id, relation_ids=(r.id,))
        case RemoveRelation(relation_id=relation_id) | RestoreRelation(relation_id=relation_id):
            stored = store.relations.get(relation_id)
            if stored is None:
                raise EditError("That relation no longer exists.")
            removing = isinstance(edit, RemoveRelation)
            if not removing:
                refuse_same_relation(project, stored)
            store.relations.set_deleted(relation_id, now if removing else None, now)
            inverse: Edit = RestoreRelation(relation_id) if removing else RemoveRelation(relation_id)
            return inverse, Changes(stored.article_id, relation_ids=(relation_id,))
        case SetAnswer(article_id=article_id, coder_id=coder_id, question=name, after=value):
            validate_answer(project, name, value)
            previous, started = store.answers.answer(article_id, coder_id, name, value, now)
            return SetAnswer(article_id, coder_id, name, previous, value), Changes(
                article_id, question=name, status=started
            )
    raise TypeError(f"not an edit: {edit!r}")


def _live_annotations(project: Project, annotation_ids: Sequence[str]) -> list[Annotation]:
    return [_live_annotation(project, annotation_id) for annotation_id in annotation_ids]


def _bulk_changes(
    annotations: Sequence[Annotation], ids: tuple[str, ...], links: tuple[str, ...], status: bool
) -> Changes:
    articles = tuple(dict.fromkeys(a.article_id for a in annotations))
    return Changes(articles[0] if articles else "", ids, links, status=status, article_ids=articles)


def _planned_change(project: Project, a: Annotation, after: dict[str, Any]) -> dict[str, Any]:
    """The values a :class:`ChangeAnnotation` sets on ``a`` (the annotation as it is now,
    read locked by the store), checked against the codebook and the text."""
    after = dict(after)
    if "fragments" in after:
        after["fragments"] = tuple(tuple(fragment) for fragment in after["fragments"])
    elif a.fragments and ("start" in after or "end" in after):
        # An edge of a discontinuous span moved: its outer fragments follow. The
        # inverse moves the edges back, and the fragments with them.
        after["fragments"] = follow_envelope(a.fragments, after.get("start", a.start), after.get("end", a.end))
    fields = ("label", "start", "end", "attributes", "fragments")
    merged = {**{k: getattr(a, k) for k in fields}, **after}
    validate_span(
        project, a.article_id, merged["label"], merged["start"], merged["end"], merged["attributes"], merged["fragments"],
    )
    return after


def _check_relation(
    project: Project, relation: Relation, source: Annotation | None, target: Annotation | None,
    same: Sequence[Relation],
) -> None:
    """The checks of a new relation, on its ends and its coder's relations as the
    store reads them (locked) in the insert's transaction."""
    validate_relation(project, relation, source, target)
    if same:
        raise EditError(f"That {relation.label} relation already exists between these two annotations.")


def new_annotation(
    article_id: str, coder_id: str, label: str, start: int, end: int, **fields: Any
) -> Annotation:
    """A fresh annotation record (not yet stored)."""
    return Annotation(
        id=str(uuid.uuid4()), article_id=article_id, coder_id=coder_id, label=label,
        start=start, end=end, **fields,
    )


def new_relation(article_id: str, coder_id: str, label: str, source_id: str, target_id: str) -> Relation:
    return Relation(
        id=str(uuid.uuid4()), article_id=article_id, coder_id=coder_id, label=label,
        source_id=source_id, target_id=target_id,
    )


def add_annotation(
    project: Project, *, article_id: str, coder_id: str, label: str, start: int, end: int,
    attributes: dict[str, Any] | None = None, note: str = "", uncertain: bool = False,
    fragments: Fragments = (),
) -> Annotation:
    """Create a span annotation (code-point offsets) and commit it; ``fragments`` makes
    it discontinuous (``start``/``end`` are then their envelope)."""
    annotation = new_annotation(
        article_id, coder_id, label, start, end, attributes=dict(attributes or {}), note=note,
        uncertain=uncertain, fragments=tuple(fragments),
    )
    apply_edit(project, AddAnnotation(annotation))
    return annotation
