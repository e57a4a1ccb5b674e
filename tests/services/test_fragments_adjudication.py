"""Adjudication of discontinuous spans: a coder's fragments are copied into the gold
when their version is accepted, and two spans with the same envelope but different
fragments are two versions of a group, not one (so 'accept agreements' leaves them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.adjudication import ACCEPTED, AGREED, DISAGREED
from app.core.edits import AddAnnotation
from app.core.records import Annotation
from app.services.adjudication import adjudication_view, apply_all, ensure_adjudicator
from app.services.adjudication_edits import accept_agreements, accept_all_agreements, accept_span
from app.services.editing import apply_edit, new_annotation
from app.services.projects import Project
from tests.services.test_agreement_report import Study

pytestmark = pytest.mark.both_backends


class Split(Study):
    """ana and ben finish article 0; gail adjudicates."""

    def __init__(self, project: Project, folder: Path) -> None:
        super().__init__(project, folder, 1)
        self.coder("ana")
        self.coder("ben")
        self.gail = ensure_adjudicator(project, "gail").id
        self.a0 = self.articles[0].id

    def split(self, name: str, label: str, *needles: str) -> Annotation:
        ranges = tuple(self.where(0, n) for n in needles)
        annotation = new_annotation(
            self.a0, self.ids[name], label, ranges[0][0], ranges[-1][1],
            fragments=ranges if len(ranges) > 1 else (),
        )
        apply_edit(self.project, AddAnnotation(annotation))
        return annotation

    def finish(self) -> None:
        self.done("ana", 0)
        self.done("ben", 0)

    def gold(self) -> list[tuple[str, int, int, tuple[tuple[int, int], ...]]]:
        return [
            (a.label, a.start, a.end, a.fragments)
            for a in self.project.store.annotations.for_article(self.a0, self.gail)
        ]


@pytest.fixture
def split(project: Project, tmp_path: Path) -> Split:
    return Split(project, tmp_path / "texts")


def test_same_envelope_different_fragments_are_two_versions(split: Split) -> None:
    split.split("ana", "Claim", "Anton Korolev", "forced to sign contracts")
    split.split("ben", "Claim", "Anton Korolev", "sign contracts")
    split.finish()
    (group,) = adjudication_view(split.project, split.a0, split.gail).groups
    assert group.status == DISAGREED and len(group.versions) == 2
    # Nothing agreed: accepting the agreements writes no span.
    assert [type(e).__name__ for e in accept_all_agreements(split.project, split.a0, split.gail)] == []


def test_same_envelope_discontinuous_and_contiguous_are_two_versions(split: Split) -> None:
    split.split("ana", "Claim", "Anton Korolev", "contracts")
    split.split("ben", "Claim", "Anton Korolev said 40 migrants were forced to sign contracts")
    split.finish()
    (group,) = adjudication_view(split.project, split.a0, split.gail).groups
    assert group.status == DISAGREED and len(group.versions) == 2


def test_accepting_a_discontinuous_version_copies_its_fragments(split: Split) -> None:
    ana = split.split("ana", "Claim", "Anton Korolev", "forced to sign contracts")
    split.split("ben", "Claim", "Anton Korolev", "sign contracts")
    split.finish()
    (group,) = adjudication_view(split.project, split.a0, split.gail).groups
    inverses = apply_all(split.project, accept_span(split.project, split.a0, split.gail, group.key, "ana"))
    assert split.gold() == [("Claim", ana.start, ana.end, ana.fragments)]
    group = adjudication_view(split.project, split.a0, split.gail).group(group.key)
    assert group.decision == ACCEPTED and group.versions[group.accepted_version].coders == ("ana",)
    # Nothing to do a second time; undo leaves no gold.
    assert accept_span(split.project, split.a0, split.gail, group.key, "ana") == []
    apply_all(split.project, inverses)
    assert split.gold() == []


def test_agreed_discontinuous_spans_are_accepted_with_their_fragments(split: Split) -> None:
    ana = split.split("ana", "Actor", "Anton", "migrants")
    split.split("ben", "Actor", "Anton", "migrants")
    split.finish()
    (group,) = adjudication_view(split.project, split.a0, split.gail).groups
    assert group.status == AGREED
    assert accept_agreements(split.project, split.gail) == 1
    assert split.gold() == [("Actor", ana.start, ana.end, ana.fragments)]
    group = adjudication_view(split.project, split.a0, split.gail).groups[0]
    assert group.decision == ACCEPTED and group.accepted_version == 0
