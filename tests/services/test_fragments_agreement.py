"""Agreement on discontinuous spans: exact matching compares fragment sets, overlap
matching counts the characters the fragments cover (not the words between them), and
unitizing alpha takes the fragments as the units. Figures are worked out by hand (or,
for alpha_U, with app.agreement on hand-written units)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.agreement import unitizing_alpha
from app.agreement.span_matching import covered_overlap, match_overlap
from app.core.edits import AddAnnotation
from app.core.records import utc_now
from app.services.agreement.report import agreement_report
from app.services.editing import apply_edit, new_annotation
from app.services.importing import import_articles
from app.services.projects import Project

pytestmark = pytest.mark.both_backends

TEXT = "Report 0\n\nAnton Korolev said 40 migrants were forced to sign contracts in Kiresk."


def where(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def test_covered_overlap_and_matching_by_hand() -> None:
    assert covered_overlap(((0, 5), (10, 15)), ((3, 12),)) == 2 + 2
    assert covered_overlap(((0, 5), (10, 15)), ((5, 10),)) == 0  # inside the gap
    # A: one span 0-15 made of 0-5 and 10-15; B: 6-9 (in the gap) and 12-20.
    ia, ib = match_overlap([1], [0], [15], [1, 1], [6, 12], [9, 20], fragments_a={0: ((0, 5), (10, 15))})
    assert (list(ia), list(ib)) == ([0], [1])  # not the span in the gap, though its envelope overlaps more
    ia, ib = match_overlap([1], [0], [15], [1], [6], [9], fragments_a={0: ((0, 5), (10, 15))})
    assert len(ia) == 0


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "0.txt").write_text(TEXT, encoding="utf-8")
    import_articles(project, [tmp_path / "texts" / "0.txt"], model="no_such_pipeline_xyz")
    article = project.store.articles.list()[0]
    assert article.text == TEXT
    ids = {name: project.store.coders.get_or_create(name).id for name in ("ana", "ben")}

    def span(coder: str, label: str, *needles: str) -> None:
        ranges = tuple(where(n) for n in needles)
        annotation = new_annotation(article.id, ids[coder], label, ranges[0][0], ranges[-1][1],
                                    fragments=ranges if len(ranges) > 1 else ())
        apply_edit(project, AddAnnotation(annotation))

    # Claim: the same envelope, different fragments: no exact match, an overlap match.
    span("ana", "Claim", "Anton Korolev", "forced to sign contracts")
    span("ben", "Claim", "Anton Korolev", "sign contracts")
    # Actor: ben's span lies in the gap of ana's: their envelopes overlap, their text does not.
    span("ana", "Actor", "Anton", "migrants")
    span("ben", "Actor", "said 40")
    for name in ids.values():
        project.store.assignments.set_status(article.id, name, "done", utc_now())
    return project


def test_f1_compares_fragments(coded: Project) -> None:
    report = agreement_report(coded, n_bootstrap=0)
    claim, actor = report.measure("span:Claim"), report.measure("span:Actor")
    assert claim.figure("f1", "exact").value == 0.0  # fragment sets differ
    assert claim.figure("f1", "overlap").value == pytest.approx(1.0)  # they share covered text
    assert actor.figure("f1", "overlap").value == 0.0  # "said 40" is in the gap of ana's Actor
    assert actor.figure("f1", "exact").value == 0.0


def test_unitizing_alpha_takes_the_fragments_as_units(coded: Project) -> None:
    report = agreement_report(coded, n_bootstrap=0)
    units = [
        ("ana", *where("Anton Korolev"), "Claim"), ("ana", *where("forced to sign contracts"), "Claim"),
        ("ben", *where("Anton Korolev"), "Claim"), ("ben", *where("sign contracts"), "Claim"),
        ("ana", *where("Anton"), "Actor"), ("ana", *where("migrants"), "Actor"),
        ("ben", *where("said 40"), "Actor"),
    ]
    spans = [(coder, start, end - start, label) for coder, start, end, label in units]
    for label in ("Claim", "Actor"):
        expected = unitizing_alpha(spans, 0, len(TEXT), category=label).value
        found = report.measure(f"span:{label}").figure("unitizing_alpha").value
        assert found == pytest.approx(expected)
    # the envelopes would give another value: the gap is not counted as marked
    first, last = where("Anton")[0], where("migrants")[1]
    envelope = [("ana", first, last - first, "Actor"), ("ben", where("said 40")[0], len("said 40"), "Actor")]
    assert unitizing_alpha(envelope, 0, len(TEXT), category="Actor").value != pytest.approx(
        report.measure("span:Actor").figure("unitizing_alpha").value
    )


def test_span_agreement_total_overlap_counts_covered_characters_by_hand() -> None:
    from app.agreement import span_agreement

    # A: Claim 0-15 made of 0-5 and 10-15; Actor 20-30. B: Claim 3-12; Actor 22-40 made of
    # 22-25 and 35-40. Covered in common: Claim 3-5 and 10-12 (2 + 2), Actor 22-25 (3) = 7;
    # the envelopes would give 9 + 8 = 17.
    a = [(0, 15, "Claim"), (20, 30, "Actor")]
    b = [(3, 12, "Claim"), (22, 40, "Actor")]
    fragments_a = {0: ((0, 5), (10, 15))}
    fragments_b = {1: ((22, 25), (35, 40))}
    result = span_agreement(a, b, "overlap", fragments_a=fragments_a, fragments_b=fragments_b)
    assert len(result.matched) == 2 and result.f1 == 1.0
    assert result.total_overlap == 2 + 2 + 3
    assert span_agreement(a, b, "overlap").total_overlap == 9 + 8  # envelopes, when no fragments are given
    # A span in the gap of another does not overlap it, though its envelope does.
    gap = span_agreement([(0, 15, "Claim")], [(6, 9, "Claim")], "overlap", fragments_a=fragments_a)
    assert gap.matched == () and gap.total_overlap == 0 and gap.f1 == 0.0


def test_span_agreement_exact_compares_fragment_sets() -> None:
    from app.agreement import span_agreement

    same_envelope = span_agreement(
        [(0, 15, "Claim")], [(0, 15, "Claim")], "exact", fragments_a={0: ((0, 5), (10, 15))}
    )
    assert same_envelope.matched == () and same_envelope.f1 == 0.0
    other_fragments = span_agreement(
        [(0, 15, "Claim")], [(0, 15, "Claim")], "exact",
        fragments_a={0: ((0, 5), (10, 15))}, fragments_b={0: ((0, 7), (10, 15))},
    )
    assert other_fragments.f1 == 0.0
    same = span_agreement(
        [(0, 15, "Claim")], [(0, 15, "Claim")], "exact",
        fragments_a={0: ((0, 5), (10, 15))}, fragments_b={0: ((0, 5), (10, 15))},
    )
    assert same.f1 == 1.0 and same.total_overlap == 10


def test_feedback_matches_a_coded_span_to_a_discontinuous_gold_span_only_where_fragments_meet() -> None:
    from app.core.records import Annotation
    from app.services.feedback import compare_spans

    gold = [Annotation("g", "a", "gold", "Claim", 0, 25, fragments=((0, 5), (20, 25)))]
    in_the_gap = [Annotation("c", "a", "ana", "Claim", 8, 15)]
    on_a_fragment = [Annotation("d", "a", "ana", "Claim", 2, 12)]
    matched, missed, extra = compare_spans(gold, in_the_gap)
    assert matched == [] and missed == gold and extra == in_the_gap
    matched, missed, extra = compare_spans(gold, on_a_fragment)
    assert matched == [(gold[0], on_a_fragment[0])] and missed == extra == []
