"""The agreement report built from real projects: figures, drill-down, selection.

Projects are coded through the real services (import, edits, status); every expected
figure is computed by hand or with :mod:`app.agreement` on hand-written units.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event

from app.agreement import (
    bootstrap,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    unitizing_alpha,
)
from app.agreement.kalpha import kalpha
from app.agreement.span_intervals import f1_interval
from app.core.edits import AddAnnotation, AddRelation, RemoveAnnotation, SetAnswer
from app.core.records import Annotation, utc_now
from app.services.agreement.report import (
    NotEnoughCodersError,
    UnknownCoderError,
    agreement_report,
)
from app.services.editing import apply_edit, new_annotation, new_relation
from app.services.importing import import_articles
from app.services.projects import Project, create_project

pytestmark = pytest.mark.both_backends

BODY = "Anton Korolev said 40 migrants were forced to sign contracts in Kiresk."


class Study:
    """A project with ``n`` imported articles and helpers to code them by coder name."""

    def __init__(self, project: Project, folder: Path, n: int) -> None:
        folder.mkdir()
        for k in range(n):
            (folder / f"{k:02d}.txt").write_text(f"Report {k}\n\n{BODY}", encoding="utf-8")
        import_articles(project, sorted(folder.glob("*.txt")), model="no_such_pipeline_xyz")
        self.project = project
        self.articles = project.store.articles.list()
        self.ids: dict[str, str] = {}

    def coder(self, name: str, role: str = "coder") -> str:
        self.ids[name] = self.project.store.coders.get_or_create(name, role).id
        return self.ids[name]

    def where(self, k: int, needle: str) -> tuple[int, int]:
        start = self.articles[k].text.index(needle)
        return start, start + len(needle)

    def span(self, name: str, k: int, label: str, needle: str, **attributes: Any) -> Annotation:
        start, end = self.where(k, needle)
        annotation = new_annotation(
            self.articles[k].id, self.ids[name], label, start, end, attributes=attributes
        )
        apply_edit(self.project, AddAnnotation(annotation))
        return annotation

    def relation(self, name: str, k: int, label: str, source: Annotation, target: Annotation) -> None:
        relation = new_relation(self.articles[k].id, self.ids[name], label, source.id, target.id)
        apply_edit(self.project, AddRelation(relation))

    def answer(self, name: str, k: int, question: str, value: Any) -> None:
        if value is not None:
            apply_edit(self.project, SetAnswer(self.articles[k].id, self.ids[name], question, value))

    def answers(self, question: str, by_coder: dict[str, list[Any]]) -> None:
        for name, values in by_coder.items():
            for k, value in enumerate(values):
                self.answer(name, k, question, value)

    def done(self, name: str, *articles: int) -> None:
        for k in articles:
            self.project.store.assignments.set_status(
                self.articles[k].id, self.ids[name], "done", utc_now()
            )

    def offset(self, k: int) -> int:
        """Where article k starts on the concatenated continuum of the articles before it."""
        return sum(len(a.text) for a in self.articles[:k])


RELEVANCE_ANA = ["yes", "yes", "no", "yes", "no"]
RELEVANCE_BEN = ["yes", "no", "no", "yes", "yes"]
SOURCING_ANA = ["unsourced", "single_source", "several_sources", "independently_confirmed", "single_source"]
SOURCING_BEN = ["unsourced", "several_sources", "several_sources", "independently_confirmed", None]
SCALE = ("unsourced", "single_source", "several_sources", "independently_confirmed")


def build_two_coders(study: Study) -> Study:
    """ana and ben finish articles 0-4; on article 5 only ana is done (ben is still coding)."""
    study.coder("ana")
    study.coder("ben")
    study.answers("relevance", {"ana": RELEVANCE_ANA + ["yes"], "ben": RELEVANCE_BEN + ["no"]})
    study.answers("sourcing", {"ana": SOURCING_ANA, "ben": SOURCING_BEN})
    kinds = {0: ("state_authority", "police"), 2: ("police", "police"),
             3: ("state_authority", "state_authority"), 4: ("prisoner", "prisoner")}
    actors = {}
    for k, (kind_a, kind_b) in kinds.items():
        actors["ana", k] = study.span("ana", k, "Actor", "Anton Korolev", actor_type=kind_a)
        actors["ben", k] = study.span("ben", k, "Actor", "Anton Korolev", actor_type=kind_b)
    study.span("ana", 1, "Actor", "Kiresk", actor_type="state_authority")
    study.span("ben", 1, "Coercion", "forced to sign contracts")
    claim_a = study.span("ana", 0, "Claim", "40 migrants were forced")
    claim_b = study.span("ben", 0, "Claim", "40 migrants were forced to sign")
    study.relation("ana", 0, "said_by", claim_a, actors["ana", 0])
    study.relation("ben", 0, "said_by", claim_b, actors["ben", 0])
    claim_a2 = study.span("ana", 2, "Claim", "40 migrants were forced")
    study.span("ben", 2, "Claim", "40 migrants were forced")
    study.relation("ana", 2, "said_by", claim_a2, actors["ana", 2])
    # Article 5: ana done, ben only in progress: none of it may count.
    study.span("ana", 5, "Actor", "Kiresk")
    study.span("ben", 5, "Actor", "Anton Korolev")
    study.done("ana", 0, 1, 2, 3, 4, 5)
    study.done("ben", 0, 1, 2, 3, 4)
    return study


@pytest.fixture
def two(project: Project, tmp_path: Path) -> Study:
    return build_two_coders(Study(project, tmp_path / "texts", 6))


def units_of(*columns: tuple[str, list[Any]]) -> list[dict[str, Any]]:
    n = len(columns[0][1])
    return [{name: values[k] for name, values in columns if k < len(values)} for k in range(n)]


def test_article_questions_match_hand_computed_figures(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0)
    assert report.coders == ("ana", "ben") and report.pairs == (("ana", "ben"),)
    assert [a.id for a in report.articles] == [a.id for a in two.articles[:5]]
    assert report.n_excluded_articles == 1
    relevance = report.measure("question:relevance")
    # 10 values: yes 6, no 4; 2 disagreeing units: D_o = 4/10, D_e = 2*6*4/(10*9).
    alpha = relevance.figure("krippendorff_alpha")
    assert alpha.value == pytest.approx(1 - 0.4 / (48 / 90)) == pytest.approx(0.25)
    assert alpha.components["observed_disagreement"] == pytest.approx(0.4)
    assert alpha.level == "nominal" and alpha.n_units == 5 and alpha.scope == "pooled"
    # p_a = 3/5, p_e = 0.6*0.6 + 0.4*0.4 = 0.52.
    (kappa,) = [f for f in relevance.pairs if f.coefficient == "cohen_kappa"]
    assert kappa.value == pytest.approx((0.6 - 0.52) / 0.48) and kappa.coders == ("ana", "ben")
    assert relevance.figure("percent_agreement").value == pytest.approx(0.6)
    units = units_of(("ana", RELEVANCE_ANA), ("ben", RELEVANCE_BEN))
    assert relevance.figure("fleiss_kappa").value == pytest.approx(fleiss_kappa(units).value)
    assert relevance.figure("gwet_ac1").value == pytest.approx(gwet_ac1(units).value)
    assert [d.article_id for d in relevance.disagreements] == [two.articles[k].id for k in (1, 4)]
    first = relevance.disagreements[0]
    assert first.kind == "value" and first.article_title == two.articles[1].title
    assert [(v.coder, v.value) for v in first.values] == [("ana", "yes"), ("ben", "no")]
    assert [f.article_id for f in relevance.articles] == [a.id for a in two.articles[:5]]
    assert [f.value for f in relevance.articles] == [1.0, 0.0, 1.0, 1.0, 0.0]


def test_ordinal_question_uses_the_option_order_and_weighted_kappa(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0)
    sourcing = report.measure("question:sourcing")
    units = units_of(("ana", SOURCING_ANA), ("ben", SOURCING_BEN))
    alpha = sourcing.figure("krippendorff_alpha")
    assert alpha.level == "ordinal"
    assert alpha.value == pytest.approx(krippendorff_alpha(units, "ordinal", SCALE).value)
    # The codebook's order matters: another order of the options gives another value.
    shuffled = (SCALE[1], SCALE[0], SCALE[3], SCALE[2])
    assert alpha.value != pytest.approx(krippendorff_alpha(units, "ordinal", shuffled).value)
    assert alpha.n_units == 4  # ben left article 4 unanswered: a missing value
    (weighted,) = [f for f in sourcing.pairs if f.coefficient == "cohen_kappa"]
    expected = cohen_kappa(units, "quadratic", SCALE, coders=("ana", "ben"))
    assert weighted.level == "quadratic weights" and weighted.value == pytest.approx(expected.value)
    assert sourcing.figure("fleiss_kappa") is None
    assert [d.article_id for d in sourcing.disagreements] == [two.articles[1].id]
    unanswered = report.measure("question:main_coercion_type").figure("krippendorff_alpha")
    assert unanswered.value != unanswered.value and unanswered.note


def test_spans_per_label_exact_and_overlap(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0)
    actor, claim, coercion, every = (
        report.measure(f"span:{x}") for x in ("Actor", "Claim", "Coercion", "*")
    )
    # Actor: ana 5, ben 4, all 4 of ben's identical to ana's; Kiresk (article 1) unmatched.
    for mode in ("exact", "overlap"):
        f1 = actor.figure("f1", mode)
        assert f1.value == pytest.approx(8 / 9)
        assert f1.components["recall"] == pytest.approx(4 / 5)
        assert f1.components["precision"] == pytest.approx(1.0)
    # Claim: 2 and 2, matched by overlap twice, exactly once (article 0 boundaries differ).
    assert claim.figure("f1", "exact").value == pytest.approx(0.5)
    assert claim.figure("f1", "overlap").value == pytest.approx(1.0)
    assert coercion.figure("f1", "overlap").value == 0.0
    assert every.figure("f1_micro", "exact").value == pytest.approx(10 / 14)
    assert every.figure("f1_micro", "overlap").value == pytest.approx(12 / 14)
    assert every.figure("f1_macro", "exact").value == pytest.approx((8 / 9 + 0.5 + 0) / 3)
    assert every.figure("f1_macro", "overlap").value == pytest.approx((8 / 9 + 1 + 0) / 3)
    (missing,) = actor.disagreements
    assert missing.kind == "unmatched" and missing.article_id == two.articles[1].id
    assert [(v.coder, v.value, v.text) for v in missing.values] == [
        ("ana", "Actor", "Kiresk"), ("ben", None, None)
    ]
    (boundary,) = claim.disagreements
    assert boundary.kind == "boundary" and boundary.article_id == two.articles[0].id
    assert [v.text for v in boundary.values] == ["40 migrants were forced", "40 migrants were forced to sign"]
    assert [(v.start, v.end) for v in boundary.values] == [
        two.where(0, "40 migrants were forced"), two.where(0, "40 migrants were forced to sign")
    ]
    (extra,) = coercion.disagreements
    assert extra.values[0].coder == "ben" and extra.values[0].text == "forced to sign contracts"
    assert len(every.disagreements) == 3
    assert every.disagreements_for(article_id=two.articles[0].id) == (boundary,)


def test_unitizing_alpha_pooled_over_the_concatenated_continuum(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0)
    spans = []
    for name, k, label, needle in [
        *[(c, k, "Actor", "Anton Korolev") for c in ("ana", "ben") for k in (0, 2, 3, 4)],
        ("ana", 1, "Actor", "Kiresk"), ("ben", 1, "Coercion", "forced to sign contracts"),
        ("ana", 0, "Claim", "40 migrants were forced"), ("ben", 0, "Claim", "40 migrants were forced to sign"),
        ("ana", 2, "Claim", "40 migrants were forced"), ("ben", 2, "Claim", "40 migrants were forced"),
    ]:
        start, end = two.where(k, needle)
        spans.append((name, two.offset(k) + start, end - start, label))
    length = two.offset(5)  # articles 0-4; article 5 does not count
    expected = unitizing_alpha(spans, 0, length, coders=["ana", "ben"])
    every = report.measure("span:*").figure("unitizing_alpha")
    assert every.value == pytest.approx(expected.value)
    assert every.components["continuum_length"] == length and "concatenated" in every.note
    actor = report.measure("span:Actor").figure("unitizing_alpha")
    assert actor.value == pytest.approx(unitizing_alpha(spans, 0, length, "Actor").value)
    assert actor.value < 1.0
    per_article = [f for f in report.measure("span:Claim").articles if f.coefficient == "unitizing_alpha"]
    first = [(c, b - two.offset(0), n, x) for c, b, n, x in spans if x == "Claim" and b < two.offset(1)]
    assert per_article[0].article_id == two.articles[0].id
    assert per_article[0].value == pytest.approx(
        unitizing_alpha(first, 0, len(two.articles[0].text), coders=["ana", "ben"]).value
    )


def test_attributes_of_matched_spans_and_relations(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0)
    kind = report.measure("attribute:Actor.actor_type")
    pairs = [("state_authority", "police"), ("police", "police"),
             ("state_authority", "state_authority"), ("prisoner", "prisoner")]
    units = [{"A": a, "B": b} for a, b in pairs]
    options = two.project.codebook.label("Actor").attribute("actor_type").option_values
    alpha = kind.figure("krippendorff_alpha")
    assert alpha.value == pytest.approx(krippendorff_alpha(units, categories=options).value)
    assert alpha.n_units == 4  # Kiresk was not matched, so its value is not a unit
    assert kind.figure("percent_agreement").value == pytest.approx(0.75)
    (differs,) = kind.disagreements
    assert differs.article_id == two.articles[0].id
    assert [(v.coder, v.value, v.text) for v in differs.values] == [
        ("ana", "state_authority", "Anton Korolev"), ("ben", "police", "Anton Korolev")
    ]
    role = report.measure("attribute:Actor.role").figure("krippendorff_alpha")
    assert role.value != role.value and role.note  # nobody coded it: undefined, not zero
    said_by = report.measure("relation:said_by")
    f1 = said_by.figure("f1")
    assert f1.value == pytest.approx(2 / 3)
    assert (f1.components["n_first"], f1.components["n_second"], f1.components["matched"]) == (2, 1, 1)
    (lonely,) = said_by.disagreements
    assert lonely.article_id == two.articles[2].id and lonely.kind == "unmatched"
    assert lonely.values[0].text == "40 migrants were forced \u2192 Anton Korolev"
    assert report.measure("relation:perpetrator").figure("f1").note


def test_intervals_use_kalpha_for_alpha_and_the_unit_bootstrap_for_kappa(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=300, seed=7)
    relevance = report.measure("question:relevance")
    units = units_of(("ana", RELEVANCE_ANA), ("ben", RELEVANCE_BEN))
    alpha = relevance.figure("krippendorff_alpha").interval
    expected = kalpha(units, "nominal", ("yes", "no"), n=300, seed=7)
    assert alpha.method == "kalpha" and alpha.n_draws == expected.n_draws
    assert (alpha.low, alpha.high) == (expected.low, expected.high)
    assert set(alpha.below) == {"0.667", "0.8"}
    fleiss = relevance.figure("fleiss_kappa").interval
    again = bootstrap(fleiss_kappa, units, n=300, seed=7, categories=("yes", "no"))
    assert fleiss.method == "bootstrap" and (fleiss.low, fleiss.high) == (again.low, again.high)
    assert report.to_dict() == agreement_report(two.project, n_bootstrap=300, seed=7).to_dict()
    other = agreement_report(two.project, n_bootstrap=300, seed=8)
    assert other.measure("question:relevance").figure("fleiss_kappa").interval != fleiss
    assert "Gwet (2014)" in report.methods["kappa"] and "Hayes" in report.methods["kalpha"]
    # Span F1: a bootstrap over articles (clusters of spans), from the per-article counts.
    actor = report.measure("span:Actor")
    per_article = {f.article_id: f.components for f in actor.articles if f.coefficient == "f1" and f.level == "exact"}
    counts = [
        [[per_article.get(a.id, {}).get(key, 0)] for a in report.articles]
        for key in ("n_first", "n_second", "matched")
    ]
    f1 = actor.figure("f1", "exact").interval
    by_hand = f1_interval(*map(np.array, counts), n=300, seed=7)
    assert f1.method == "bootstrap_articles" and (f1.low, f1.high) == (by_hand.low, by_hand.high)
    assert f1.low < actor.figure("f1", "exact").value <= f1.high
    assert actor.figure("unitizing_alpha").interval is None
    quiet = agreement_report(two.project, n_bootstrap=0)
    assert all(
        f.interval is None for _, ms in quiet.sections() for m in ms for f in m.figures + m.pairs
    )


def test_report_is_json_ready_and_read_in_few_queries(two: Study) -> None:
    statements: list[str] = []
    event.listen(two.project.store.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    report = agreement_report(two.project, n_bootstrap=50)
    # One query per kind of row, not one per article and coder (5 articles x 2 coders).
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 10
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert {"coders", "articles", "methods", "questions", "spans", "attributes", "relations",
            "not_measured"} <= data.keys()
    role = next(m for m in data["attributes"] if m["key"] == "attribute:Actor.role")
    assert role["figures"][0]["value"] is None  # NaN becomes null


def test_three_coders_missing_answers_and_unfinished_articles(project: Project, tmp_path: Path) -> None:
    study = Study(project, tmp_path / "texts", 7)
    for name in ("ana", "ben", "cleo"):
        study.coder(name)
    study.coder("gold", role="adjudicator")
    answers = {
        "ana": ["yes", "yes", "no", "yes", "no", "yes", "no"],
        "ben": ["yes", "no", "no", "yes", None, "yes", "no"],
        "cleo": ["yes", "yes", "no", "no", "no", "no", "yes"],
        "gold": ["no"],
    }
    study.answers("relevance", answers)
    study.done("ana", 0, 1, 2, 3, 4, 5)
    study.done("ben", 0, 1, 2, 3, 4, 5)
    study.done("cleo", 0, 1, 2, 3, 4, 6)  # article 5 unfinished by cleo; 6 by cleo alone
    study.done("gold", 0)
    for name in ("ana", "ben", "cleo"):
        study.span(name, 0, "Actor", "Anton Korolev")
    study.span("cleo", 1, "Actor", "Kiresk")
    study.span("ana", 5, "Actor", "Kiresk")
    study.span("ben", 5, "Actor", "Anton Korolev")
    report = agreement_report(project, n_bootstrap=0)
    assert report.coders == ("ana", "ben", "cleo")  # the adjudicator is not a coder
    assert len(report.articles) == 6 and report.n_excluded_articles == 1
    units = [{c: answers[c][k] for c in ("ana", "ben", "cleo")} for k in range(5)]
    units.append({"ana": "yes", "ben": "yes"})
    relevance = report.measure("question:relevance")
    for measure, figure in [(krippendorff_alpha, "krippendorff_alpha"), (fleiss_kappa, "fleiss_kappa"),
                            (gwet_ac1, "gwet_ac1"), (percent_agreement, "percent_agreement")]:
        assert relevance.figure(figure).value == pytest.approx(measure(units, categories=("yes", "no")).value)
    assert relevance.figure("krippendorff_alpha").n_coders == 3
    kappas = {f.coders: f.value for f in relevance.pairs if f.coefficient == "cohen_kappa"}
    for pair in [("ana", "ben"), ("ana", "cleo"), ("ben", "cleo")]:
        shared = [{c: u[c] for c in pair} for u in units if set(pair) <= set(u)]
        assert kappas[pair] == pytest.approx(cohen_kappa(shared, categories=("yes", "no")).value)
    ids = [a.id for a in study.articles]
    assert [d.article_id for d in relevance.disagreements] == [ids[1], ids[3]]
    assert [d.article_id for d in relevance.disagreements_for(coders=("ana", "ben"))] == [ids[1]]
    assert [d.article_id for d in relevance.disagreements_for(coders=("ana", "cleo"))] == [ids[3]]
    assert len(relevance.disagreements_for(coders=("ben", "cleo"))) == 2
    only = agreement_report(project, coders=["cleo", "ana"], n_bootstrap=0)
    assert only.coders == ("ana", "cleo") and only.pairs == (("ana", "cleo"),)
    assert only.n_excluded_articles == 2  # article 5 (ana only) and 6 (cleo only)
    pair_units = [{c: u[c] for c in ("ana", "cleo")} for u in units[:5]]
    assert only.measure("question:relevance").figure("krippendorff_alpha").value == pytest.approx(
        krippendorff_alpha(pair_units).value
    )
    # alpha_U of all three over the articles all three finished (0-4); of a pair, over
    # the articles both finished (ana and ben: 0-5).
    start, end = study.where(0, "Anton Korolev")
    kiresk, _ = study.where(1, "Kiresk")
    spans = [(c, start, end - start, "Actor") for c in ("ana", "ben", "cleo")]
    spans.append(("cleo", study.offset(1) + kiresk, 6, "Actor"))
    actor = report.measure("span:Actor")
    assert actor.figure("unitizing_alpha").value == pytest.approx(
        unitizing_alpha(spans, 0, study.offset(5), coders=["ana", "ben", "cleo"]).value
    )
    pair = [s for s in spans if s[0] != "cleo"] + [
        ("ana", study.offset(5) + kiresk, 6, "Actor"), ("ben", study.offset(5) + start, end - start, "Actor")
    ]
    (ana_ben,) = [f for f in actor.pairs if f.coefficient == "unitizing_alpha" and f.coders == ("ana", "ben")]
    assert ana_ben.value == pytest.approx(unitizing_alpha(pair, 0, study.offset(6), coders=["ana", "ben"]).value)
    gold = agreement_report(project, coders=["ana", "gold"], n_bootstrap=0)
    assert [a.id for a in gold.articles] == [ids[0]]


def test_refusals_are_one_sentence(project: Project, tmp_path: Path) -> None:
    study = Study(project, tmp_path / "texts", 2)
    study.coder("ana")
    study.coder("ben")
    study.answers("relevance", {"ana": ["yes", "yes"], "ben": ["yes", "no"]})
    study.done("ana", 0, 1)  # ben has coded but finished nothing
    with pytest.raises(NotEnoughCodersError, match=r"^No article has been finished by two or more coders yet; "):
        agreement_report(project)
    with pytest.raises(UnknownCoderError, match="no coder named 'zoe'.*ana, ben"):
        agreement_report(project, coders=["ana", "zoe"])


CODEBOOK = """
name: Options study
version: "1"
description: Choices with several options, yes/no and numbers.
span_labels:
  - name: Actor
    key: "1"
    color: "#56B4E9"
    attributes:
      - {name: armed, type: boolean}
      - name: roles
        type: multi_choice
        options: [{value: speaker}, {value: target}]
      - {name: age, type: number}
      - {name: comment, type: text}
relation_types:
  - name: about
    source: [Actor]
    target: [Actor]
    attributes: [{name: certain, type: boolean}]
questions:
  - name: topics
    type: multi_choice
    prompt: Topics?
    options: [{value: war}, {value: law}]
  - {name: summary, type: text, prompt: "Summary?"}
"""


def test_options_yes_no_numbers_and_what_is_not_measured(project_location: str | Path, tmp_path: Path) -> None:
    (tmp_path / "options.yaml").write_text(CODEBOOK, encoding="utf-8")
    with create_project(project_location, codebook_path=tmp_path / "options.yaml") as project:
        study = Study(project, tmp_path / "texts", 4)
        study.coder("ana")
        study.coder("ben")
        study.answers("topics", {"ana": [["war"], ["war", "law"], [], None],
                                 "ben": [["war"], ["law"], ["law"], ["war"]]})
        coded = {"ana": [(True, ["speaker"], 30), (False, ["speaker"], 40), (False, [], 50)],
                 "ben": [(True, ["speaker", "target"], 32), (True, ["speaker"], 40), (False, [], 50)]}
        for name, rows in coded.items():
            for k, (armed, roles, age) in enumerate(rows):
                study.span(name, k, "Actor", "Anton Korolev", armed=armed, roles=roles, age=age)
            study.done(name, 0, 1, 2, 3)
        report = agreement_report(project, n_bootstrap=0)
    war = report.measure("question:topics: war")
    assert war.kind == "option of a multiple choice"
    war_units = [{"ana": True, "ben": True}, {"ana": True, "ben": False},
                 {"ana": False, "ben": False}, {"ana": None, "ben": True}]
    assert war.figure("krippendorff_alpha").value == pytest.approx(krippendorff_alpha(war_units).value)
    assert war.figure("krippendorff_alpha").n_units == 3  # ana did not answer article 3
    assert [d.article_id for d in war.disagreements] == [study.articles[1].id]
    law = report.measure("question:topics: law")
    assert [d.article_id for d in law.disagreements] == [study.articles[2].id]
    armed = report.measure("attribute:Actor.armed").figure("krippendorff_alpha")
    pairs = [{"A": True, "B": True}, {"A": False, "B": True}, {"A": False, "B": False}]
    assert armed.value == pytest.approx(krippendorff_alpha(pairs).value)
    target = report.measure("attribute:Actor.roles: target")
    assert target.figure("percent_agreement").value == pytest.approx(2 / 3)
    age = report.measure("attribute:Actor.age").figure("krippendorff_alpha")
    ages = [{"A": 30, "B": 32}, {"A": 40, "B": 40}, {"A": 50, "B": 50}]
    assert age.level == "interval" and age.value == pytest.approx(krippendorff_alpha(ages, "interval").value)
    assert {(n.section, n.name) for n in report.not_measured} == {
        ("questions", "summary"), ("attributes", "Actor.comment"), ("relations", "about.certain")
    }


def test_overlapping_spans_of_one_coder_are_merged_for_unitizing(project: Project, tmp_path: Path) -> None:
    study = Study(project, tmp_path / "texts", 1)
    study.coder("ana")
    study.coder("ben")
    study.span("ana", 0, "Claim", "40 migrants were forced")
    study.span("ana", 0, "Claim", "forced to sign contracts")
    study.span("ben", 0, "Claim", "40 migrants were forced to sign contracts")
    deleted = study.span("ben", 0, "Claim", "Kiresk")
    apply_edit(project, RemoveAnnotation(deleted.id))
    study.answer("ana", 0, "relevance", "yes")
    apply_edit(project, SetAnswer(study.articles[0].id, study.ids["ana"], "relevance", None))
    study.answer("ben", 0, "relevance", "no")
    study.done("ana", 0)
    study.done("ben", 0)
    report = agreement_report(project, n_bootstrap=0)
    assert report.measure("question:relevance").disagreements == ()  # ana's answer was cleared
    claim = report.measure("span:Claim")
    start, _ = study.where(0, "40 migrants")
    _, end = study.where(0, "sign contracts")
    union = [("ana", start, end - start, "Claim"), ("ben", start, end - start, "Claim")]
    alpha_u = claim.figure("unitizing_alpha")
    assert alpha_u.components["merged_spans"] == 1
    assert alpha_u.value == pytest.approx(unitizing_alpha(union, 0, len(study.articles[0].text)).value)
    assert alpha_u.value == pytest.approx(1.0)
    # F1 counts the spans as marked (not merged); the deleted span does not count.
    assert claim.figure("f1", "overlap").value == pytest.approx(2 / 3)
