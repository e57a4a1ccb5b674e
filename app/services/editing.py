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


def _mark_started(project: Project, article_id: str, coder_id: str) -> bool:
    if project.store.assignments.status(article_id, coder_id) == "todo":
        project.store.assignments.set_status(article_id, coder_id, "in_progress", utc_now())
        return True
    return False


def apply_edit(project: Project, edit: Edit) -> tuple[Edit, Changes]:
    """Apply ``edit`` and commit it; returns (its inverse, what changed)."""
    store = project.store
    now = utc_now()
    match edit:
        case AddAnnotation(annotation=a):
            validate_span(project, a.article_id, a.label, a.start, a.end, a.attributes, a.fragments)
            store.annotations.add(replace(a, created_at=a.created_at or now, updated_at=now))
            started = _mark_started(project, a.article_id, a.coder_id)
            return RemoveAnnotation(a.id), Changes(a.article_id, (a.id,), status=started)
        case RemoveAnnotation(annotation_id=annotation_id):
            a = _live_annotation(project, annotation_id)
            relation_ids = store.annotations.remove(annotation_id, now)
            return RestoreAnnotation(annotation_id, relation_ids), Changes(
                a.article_id, (annotation_id,), relation_ids
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
            a = _live_annotation(project, annotation_id)
            before = {name: getattr(a, name) for name in after}
            after = dict(after)
            if "fragments" in after:
                after["fragments"] = tuple(tuple(fragment) for fragment in after["fragments"])
            elif a.fragments and ("start" in after or "end" in after):
                # An edge of a discontinuous span moved: its outer fragments follow. The
                # inverse moves the edges back, and the fragments with them.
                after["fragments"] = follow_envelope(
                    a.fragments, after.get("start", a.start), after.get("end", a.end)
                )
            fields = ("label", "start", "end", "attributes", "fragments")
            merged = {**{k: getattr(a, k) for k in fields}, **after}
            validate_span(
                project, a.article_id, merged["label"], merged["start"], merged["end"],
                merged["attributes"], merged["fragments"],
            )
            store.annotations.update(annotation_id, after, now)
            return ChangeAnnotation(annotation_id, before, dict(after)), Changes(
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
            _validate_relation(project, r)
            store.relations.add(replace(r, created_at=r.created_at or now, updated_at=now))
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
            current = store.answers.for_article(article_id, coder_id).get(name)
            previous = None if current is None else current.value
            store.answers.set(article_id, coder_id, name, value, now)
            started = _mark_started(project, article_id, coder_id)
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


def _validate_relation(project: Project, relation: Relation) -> None:
    ends = []
    for end_id in (relation.source_id, relation.target_id):
        annotation = project.store.annotations.get(end_id)
        ends.append(annotation if annotation is not None and annotation.deleted_at is None else None)
    validate_relation(project, relation, *ends)
    refuse_same_relation(project, relation)


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
