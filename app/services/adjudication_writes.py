"""The one write path of adjudication: each decision applied in ONE transaction.

A decision is the list of edits :mod:`app.services.adjudication_edits` plans for it
(coding edits of the adjudicator and rejection records). :func:`apply_decision` checks
and writes them all through one :meth:`~app.store.adjudicating.GoldRepository.decide`
transaction and returns their inverses, which are themselves a decision (undo). If any
edit is refused or any row fails, nothing of the decision is written. The command line,
the window and its undo stack all come through here; only the adjudicators' own rows
are ever touched.

Runs on the calling thread (the window's GUI thread: a decision is a few rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.core.adjudication import AdjudicationError, SetRejected
from app.core.edits import (
    AddAnnotation,
    AddRelation,
    Edit,
    RemoveAnnotation,
    RemoveRelation,
    RestoreAnnotation,
    RestoreRelation,
    SetAnswer,
)
from app.core.records import Relation, utc_now
from app.services.editing import EditError, validate_answer, validate_relation, validate_span
from app.services.projects import Project
from app.store.adjudicating import GoldRepository, GoldWrites

#: One planned step of a decision.
Planned = Edit | SetRejected


def gold_repository(project: Project) -> GoldRepository:
    return GoldRepository(project.store.engine)


def apply_decision(project: Project, edits: Sequence[Planned]) -> list[Planned]:
    """Apply a decision's edits in order, in one transaction; returns the inverses in the
    order that undoes them. Raises :class:`~app.core.errors.LoupeError` (nothing written)."""
    if not edits:
        return []
    gold_ids = {c.id for c in project.store.coders.list() if c.role == "adjudicator"}
    now = utc_now()
    inverses: list[Planned] = []
    with gold_repository(project).decide() as gold:
        for edit in edits:
            inverses.append(_apply(project, gold, gold_ids, edit, now))
    return inverses[::-1]


def _gold_only(coder_id: str, gold_ids: set[str]) -> None:
    if coder_id not in gold_ids:
        raise AdjudicationError("Adjudication changes only the gold standard, never a coder's work.")


def _apply(project: Project, gold: GoldWrites, gold_ids: set[str], edit: Planned, now: str) -> Planned:
    match edit:
        case SetRejected(article_id=article_id, adjudicator_id=adjudicator_id, key=key, rejected=rejected):
            _gold_only(adjudicator_id, gold_ids)
            gold.set_rejected(article_id, adjudicator_id, key, rejected, now)
            return edit.inverse()
        case AddAnnotation(annotation=a):
            _gold_only(a.coder_id, gold_ids)
            validate_span(project, a.article_id, a.label, a.start, a.end, a.attributes, a.fragments)
            gold.add_annotation(replace(a, created_at=a.created_at or now, updated_at=now))
            gold.mark_started(a.article_id, a.coder_id, now)
            return RemoveAnnotation(a.id)
        case RemoveAnnotation(annotation_id=annotation_id):
            found = gold.annotation(annotation_id)
            if found is None or found.deleted_at is not None:
                raise EditError("That annotation no longer exists.")
            _gold_only(found.coder_id, gold_ids)
            return RestoreAnnotation(annotation_id, gold.remove_annotation(annotation_id, now))
        case RestoreAnnotation(annotation_id=annotation_id, relation_ids=relation_ids):
            found = gold.annotation(annotation_id)
            if found is None:
                raise EditError("That annotation no longer exists.")
            _gold_only(found.coder_id, gold_ids)
            gold.restore_annotation(annotation_id, relation_ids, now)
            return RemoveAnnotation(annotation_id, tuple(relation_ids))
        case AddRelation(relation=r):
            _gold_only(r.coder_id, gold_ids)
            _check_relation(project, gold, r)
            gold.add_relation(replace(r, created_at=r.created_at or now, updated_at=now))
            return RemoveRelation(r.id)
        case RemoveRelation(relation_id=relation_id) | RestoreRelation(relation_id=relation_id):
            found_relation = gold.relation(relation_id)
            if found_relation is None:
                raise EditError("That relation no longer exists.")
            _gold_only(found_relation.coder_id, gold_ids)
            removing = isinstance(edit, RemoveRelation)
            gold.set_relation_deleted(relation_id, now if removing else None, now)
            return RestoreRelation(relation_id) if removing else RemoveRelation(relation_id)
        case SetAnswer(article_id=article_id, coder_id=coder_id, question=name, after=value):
            _gold_only(coder_id, gold_ids)
            validate_answer(project, name, value)
            before = gold.answer(article_id, coder_id, name)
            gold.set_answer(article_id, coder_id, name, value, now)
            gold.mark_started(article_id, coder_id, now)
            return SetAnswer(article_id, coder_id, name, before, value)
    raise AdjudicationError(f"{edit.describe()} is not a step of an adjudication decision.")


def _check_relation(project: Project, gold: GoldWrites, relation: Relation) -> None:
    """The checks of :mod:`app.services.editing`, reading the decision's own spans."""
    ends = []
    for end_id in (relation.source_id, relation.target_id):
        annotation = gold.annotation(end_id)
        ends.append(annotation if annotation is not None and not annotation.deleted_at else None)
    validate_relation(project, relation, *ends)
