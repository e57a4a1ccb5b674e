"""Planning the adjudicator's decisions as edits, so that the window can undo them.

Each function reads the article's current :class:`~app.services.adjudication.AdjudicationView`
and returns the edits that carry out one decision, without applying them: coding edits
of the adjudicator (:mod:`app.core.edits`) and rejection records
(:class:`~app.core.adjudication.SetRejected`). The command line and the window apply a
decision's edits with :func:`~app.services.adjudication_writes.apply_decision`, in one
transaction (the window keeps the inverses as one undo step). A decision already taken
plans nothing, so every function is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.core.adjudication import ACCEPTED, AGREED, REJECTED, SetRejected
from app.core.edits import (
    AddAnnotation,
    AddRelation,
    RemoveAnnotation,
    RemoveRelation,
    SetAnswer,
)
from app.core.records import Annotation
from app.services.adjudication import (
    AdjudicationError,
    AdjudicationView,
    adjudication_view,
    adjudication_views,
)
from app.services.adjudication_writes import Planned, apply_decision
from app.services.editing import new_annotation, new_relation
from app.services.projects import Project


def _copy(view: AdjudicationView, a: Annotation) -> Annotation:
    assert view.adjudicator is not None
    return new_annotation(
        view.article.id, view.adjudicator.id, a.label, a.start, a.end, attributes=dict(a.attributes),
        fragments=a.fragments,
    )


def _closest(candidates: Sequence[Annotation], like: Annotation) -> Annotation | None:
    """The gold span that overlaps ``like`` most (the first of equals)."""
    def overlap(a: Annotation) -> int:
        return sum(
            max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a.ranges for s2, e2 in like.ranges
        )

    return max(candidates, key=overlap, default=None)


def accept_span(
    project: Project, article_id: str, adjudicator_id: str, group_key: str, coder: str,
    *, replace: bool = True,
) -> list[Planned]:
    """Make ``coder``'s version of a group the gold's, replacing the gold's earlier one
    (or, with ``replace=False``, adding it beside the earlier one)."""
    view = adjudication_view(project, article_id, adjudicator_id)
    group = view.group(group_key)
    version = group.version_of(coder)
    if version is None:
        raise AdjudicationError(
            f"{coder} marked no {group.label} in this group; reject the group to leave it "
            "out of the gold standard."
        )
    if group.accepted_version is not None and group.versions[group.accepted_version] is version:
        return []
    edits: list[Planned] = []
    if replace:
        edits += [RemoveAnnotation(a.id) for a in group.gold]
    if group.decision == REJECTED:
        edits.append(SetRejected(article_id, adjudicator_id, group_key, False))
    edits += [AddAnnotation(_copy(view, a)) for a in version.spans]
    return edits


def reject_group(project: Project, article_id: str, adjudicator_id: str, group_key: str) -> list[Planned]:
    """Leave a group out of the gold: remove the gold's spans in it and record the rejection."""
    group = adjudication_view(project, article_id, adjudicator_id).group(group_key)
    if group.decision == REJECTED:
        return []
    edits: list[Planned] = [RemoveAnnotation(a.id) for a in group.gold]
    return [*edits, SetRejected(article_id, adjudicator_id, group_key, True)]


def accept_relation(
    project: Project, article_id: str, adjudicator_id: str, relation_key: str
) -> list[Planned]:
    """Draw the relation between the gold's spans at its two ends (accept those first)."""
    view = adjudication_view(project, article_id, adjudicator_id)
    found = view.relation(relation_key)
    if found.decision == ACCEPTED:
        return []
    source = _closest(view.group(found.source_group).gold, found.ends[0])
    target = _closest(view.group(found.target_group).gold, found.ends[1])
    if source is None or target is None:
        raise AdjudicationError(
            f"Accept the spans at both ends of this {found.label} relation into the gold "
            "standard first."
        )
    edits: list[Planned] = []
    if found.decision == REJECTED:
        edits.append(SetRejected(article_id, adjudicator_id, relation_key, False))
    relation = new_relation(article_id, adjudicator_id, found.label, source.id, target.id)
    return [*edits, AddRelation(relation)]


def reject_relation(
    project: Project, article_id: str, adjudicator_id: str, relation_key: str
) -> list[Planned]:
    found = adjudication_view(project, article_id, adjudicator_id).relation(relation_key)
    if found.decision == REJECTED:
        return []
    edits: list[Planned] = [RemoveRelation(r.id) for r in found.gold]
    return [*edits, SetRejected(article_id, adjudicator_id, relation_key, True)]


def accept_answer(
    project: Project, article_id: str, adjudicator_id: str, question: str, value: Any
) -> list[Planned]:
    """Make ``value`` (a coder's answer; ``None`` clears it) the gold's answer."""
    choice = adjudication_view(project, article_id, adjudicator_id).answer(question)
    if choice.gold == value:
        return []
    return [SetAnswer(article_id, adjudicator_id, question, value)]


def accept_all_agreements(project: Project, article_id: str, adjudicator_id: str) -> list[Planned]:
    """Accept every agreed group, relation and unanimous answer of one article that the
    gold has no decision on."""
    return _agreements(adjudication_view(project, article_id, adjudicator_id))


def accept_agreements_everywhere(project: Project, adjudicator_id: str) -> list[Planned]:
    """:func:`accept_all_agreements` on every overlap article whose gold is not done: one decision."""
    edits: list[Planned] = []
    for view in adjudication_views(project, adjudicator_id):
        if not view.done:
            edits += _agreements(view)
    return edits


def accept_agreements(project: Project, adjudicator_id: str) -> int:
    """Plan and apply :func:`accept_agreements_everywhere` in one transaction; returns the edits made."""
    return len(apply_decision(project, accept_agreements_everywhere(project, adjudicator_id)))


def _agreements(view: AdjudicationView) -> list[Planned]:
    assert view.adjudicator is not None
    article_id, adjudicator_id = view.article.id, view.adjudicator.id
    edits: list[Planned] = []
    gold = {g.key: list(g.gold) for g in view.groups}
    for group in view.groups:
        if group.status == AGREED and group.decision is None:
            copies = [_copy(view, a) for a in group.versions[0].spans]
            edits += [AddAnnotation(c) for c in copies]
            gold[group.key] = copies
    for found in view.relations:
        if found.status == AGREED and found.decision is None:
            source = _closest(gold[found.source_group], found.ends[0])
            target = _closest(gold[found.target_group], found.ends[1])
            if source is not None and target is not None and source.id != target.id:
                edits.append(
                    AddRelation(new_relation(article_id, adjudicator_id, found.label, source.id, target.id))
                )
    for choice in view.answers:
        if choice.status == AGREED and choice.gold is None:
            edits.append(SetAnswer(article_id, adjudicator_id, choice.question, choice.values[0][1]))
    return edits
