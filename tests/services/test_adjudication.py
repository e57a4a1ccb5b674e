"""Adjudication through the services: groups, decisions as undoable edits, progress, gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.adjudication import ACCEPTED, AGREED, DISAGREED, REJECTED, UNANSWERED, SetRejected
from app.core.edits import AddAnnotation
from app.core.errors import LoupeError
from app.services.adjudication import (
    AdjudicationError,
    adjudication_progress,
    adjudication_view,
    apply_all,
    ensure_adjudicator,
    finish_article,
)
from app.services.adjudication_edits import (
    accept_agreements,
    accept_all_agreements,
    accept_answer,
    accept_relation,
    accept_span,
    reject_group,
    reject_relation,
)
from app.services.agreement.report import agreement_report
from app.services.projects import Project
from tests.services.test_agreement_report import Study

pytestmark = pytest.mark.both_backends


class Gold(Study):
    """Three coders on article 0 (done by all), article 1 done by ana only; gail adjudicates."""

    def __init__(self, project: Project, folder: Path) -> None:
        super().__init__(project, folder, 3)
        for name in ("ana", "ben", "cara"):
            self.coder(name)
        self.gail = ensure_adjudicator(project, "gail").id
        self.actor = {}
        for name in ("ana", "ben", "cara"):
            self.actor[name] = self.span(name, 0, "Actor", "Anton Korolev", actor_type="police", role="target")
        self.claim = {
            "ana": self.span("ana", 0, "Claim", "40 migrants were forced"),
            "ben": self.span("ben", 0, "Claim", "40 migrants were forced to sign"),
        }
        self.span("cara", 0, "Coercion", "forced to sign contracts")
        self.span("ana", 0, "Actor", "Kiresk", actor_type="police", role="target")
        self.span("ben", 0, "Actor", "Kiresk", actor_type="state_authority", role="target")
        for name in ("ana", "ben"):
            self.relation(name, 0, "said_by", self.claim[name], self.actor[name])
        self.answers("relevance", {"ana": ["yes", "yes"], "ben": ["yes"], "cara": ["yes"]})
        self.answers("sourcing", {"ana": ["unsourced"], "ben": ["single_source"]})
        self.done("ana", 0, 1)
        self.done("ben", 0)
        self.done("cara", 0)
        self.a0 = self.articles[0].id

    def view(self):  # noqa: ANN201 - AdjudicationView
        return adjudication_view(self.project, self.a0, self.gail)

    def gold(self) -> list[tuple[str, int, int, dict]]:
        return [
            (a.label, a.start, a.end, a.attributes)
            for a in self.project.store.annotations.for_article(self.a0, self.gail)
        ]


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return Gold(project, tmp_path / "texts")


def test_groups_versions_and_statuses(gold: Gold) -> None:
    view = gold.view()
    assert view.coders == ("ana", "ben", "cara")
    assert [(g.label, g.status) for g in view.groups] == [
        ("Actor", AGREED), ("Claim", DISAGREED), ("Coercion", DISAGREED), ("Actor", DISAGREED),
    ]
    actor, claim, coercion, place = view.groups
    assert actor.versions[0].coders == ("ana", "ben", "cara") and actor.missing == ()
    assert view.text(actor.start, actor.end) == "Anton Korolev"
    assert [(v.coders, view.text(v.spans[0].start, v.spans[0].end)) for v in claim.versions] == [
        (("ana",), "40 migrants were forced"), (("ben",), "40 migrants were forced to sign"),
    ]
    assert claim.missing == ("cara",) and claim.key == f"Claim:{claim.start}-{claim.end}"
    assert coercion.missing == ("ana", "ben")
    # Same offsets, different attributes: two versions.
    assert [v.spans[0].attributes["actor_type"] for v in place.versions] == ["police", "state_authority"]
    assert all(g.decision is None and g.gold == () for g in view.groups)
    (said_by,) = view.relations
    assert (said_by.label, said_by.coders, said_by.missing, said_by.status) == (
        "said_by", ("ana", "ben"), ("cara",), DISAGREED,
    )
    assert (said_by.source_group, said_by.target_group) == (claim.key, actor.key)
    answers = {a.question: a for a in view.answers}
    assert answers["relevance"].status == AGREED
    assert answers["sourcing"].status == DISAGREED and answers["sourcing"].distinct() == [
        "unsourced", "single_source",
    ]
    assert answers["main_coercion_type"].status == UNANSWERED
    assert view.progress.undecided == 4 + 1 + 2


def test_accept_all_agreements_is_idempotent_and_undoable(gold: Gold) -> None:
    edits = accept_all_agreements(gold.project, gold.a0, gold.gail)
    assert [type(e).__name__ for e in edits] == ["AddAnnotation", "SetAnswer"]
    inverses = apply_all(gold.project, edits)
    assert gold.gold() == [("Actor", 10, 23, {"actor_type": "police", "role": "target"})]
    assert accept_all_agreements(gold.project, gold.a0, gold.gail) == []
    view = gold.view()
    assert view.groups[0].decision == ACCEPTED and view.groups[0].accepted_version == 0
    assert view.answer("relevance").gold == "yes"
    apply_all(gold.project, inverses)
    assert gold.gold() == [] and gold.view().answer("relevance").gold is None
    # Coders' rows are never touched.
    assert len(gold.project.store.annotations.for_article(gold.a0, gold.ids["ana"])) == 3


def test_accept_replaces_the_earlier_gold_version(gold: Gold) -> None:
    key = gold.view().groups[1].key
    apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, key, "ben"))
    group = gold.view().group(key)
    assert group.decision == ACCEPTED and group.versions[group.accepted_version].coders == ("ben",)
    assert accept_span(gold.project, gold.a0, gold.gail, key, "ben") == []
    apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, key, "ana"))
    assert [g[:3] for g in gold.gold()] == [("Claim", 29, 52)]
    with pytest.raises(AdjudicationError, match="cara marked no Claim in this group"):
        accept_span(gold.project, gold.a0, gold.gail, key, "cara")
    with pytest.raises(AdjudicationError, match="no span group Claim:0-1"):
        accept_span(gold.project, gold.a0, gold.gail, "Claim:0-1", "ana")


def test_reject_records_a_decision_that_undo_withdraws(gold: Gold) -> None:
    view = gold.view()
    claim, coercion = view.groups[1], view.groups[2]
    edits = reject_group(gold.project, gold.a0, gold.gail, coercion.key)
    assert edits == [SetRejected(gold.a0, gold.gail, coercion.key, True)]
    inverses = apply_all(gold.project, edits)
    assert gold.view().group(coercion.key).decision == REJECTED
    assert reject_group(gold.project, gold.a0, gold.gail, coercion.key) == []
    apply_all(gold.project, inverses)
    assert gold.view().group(coercion.key).decision is None
    # Rejecting an accepted group removes the gold's span; accepting again withdraws the rejection.
    apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, claim.key, "ana"))
    apply_all(gold.project, reject_group(gold.project, gold.a0, gold.gail, claim.key))
    assert gold.gold() == [] and gold.view().group(claim.key).decision == REJECTED
    edits = accept_span(gold.project, gold.a0, gold.gail, claim.key, "ben")
    assert isinstance(edits[0], SetRejected) and isinstance(edits[1], AddAnnotation)
    apply_all(gold.project, edits)
    assert gold.view().group(claim.key).decision == ACCEPTED


def test_relations_need_their_ends_in_the_gold(gold: Gold) -> None:
    view = gold.view()
    key = view.relations[0].key
    with pytest.raises(AdjudicationError, match="both ends of this said_by relation"):
        accept_relation(gold.project, gold.a0, gold.gail, key)
    apply_all(gold.project, accept_all_agreements(gold.project, gold.a0, gold.gail))
    apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, view.groups[1].key, "ben"))
    apply_all(gold.project, accept_relation(gold.project, gold.a0, gold.gail, key))
    (gold_relation,) = gold.project.store.relations.for_article(gold.a0, gold.gail)
    assert gold_relation.label == "said_by"
    assert gold.view().relation(key).decision == ACCEPTED
    apply_all(gold.project, reject_relation(gold.project, gold.a0, gold.gail, key))
    assert gold.project.store.relations.for_article(gold.a0, gold.gail) == []
    assert gold.view().relation(key).decision == REJECTED


def test_progress_finish_and_gold_export_scope(gold: Gold) -> None:
    (row,) = adjudication_progress(gold.project)
    assert (row.groups, row.agreed, row.decided, row.relations, row.questions, row.done) == (
        4, 1, 0, 1, 2, False,
    )
    assert accept_agreements(gold.project, gold.gail) == 2
    assert accept_agreements(gold.project, gold.gail) == 0
    with pytest.raises(AdjudicationError, match="5 decisions are still open"):
        finish_article(gold.project, gold.a0, gold.gail)
    view = gold.view()
    for key, coder in ((view.groups[1].key, "ana"), (view.groups[3].key, "ben")):
        apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, key, coder))
    apply_all(gold.project, reject_group(gold.project, gold.a0, gold.gail, view.groups[2].key))
    apply_all(gold.project, accept_relation(gold.project, gold.a0, gold.gail, view.relations[0].key))
    apply_all(gold.project, accept_answer(gold.project, gold.a0, gold.gail, "sourcing", "unsourced"))
    finish_article(gold.project, gold.a0, gold.gail)
    (row,) = adjudication_progress(gold.project)
    assert (row.decided, row.relations_decided, row.questions_decided, row.undecided, row.done) == (
        4, 1, 2, 0, True,
    )
    # The gold is not a coder: agreement leaves it out.
    assert agreement_report(gold.project, n_bootstrap=0).coders == ("ana", "ben", "cara")


def test_refusals(gold: Gold) -> None:
    with pytest.raises(AdjudicationError, match="two or more coders must mark it done"):
        adjudication_view(gold.project, gold.articles[1].id, gold.gail)
    with pytest.raises(AdjudicationError, match="not one"):
        adjudication_view(gold.project, gold.a0, gold.ids["ana"])
    with pytest.raises(AdjudicationError, match="ana is a coder of this project, not an adjudicator"):
        ensure_adjudicator(gold.project, "ana")
    assert ensure_adjudicator(gold.project, "gail").id == gold.gail
    with pytest.raises(LoupeError, match="not an article question"):
        accept_answer(gold.project, gold.a0, gold.gail, "nope", "yes")
