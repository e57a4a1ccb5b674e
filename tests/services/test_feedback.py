"""Feedback against the gold standard, the training set, and gold in coders' packages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.adjudication import REJECTIONS, apply_all, finish_article
from app.services.adjudication_edits import (
    accept_agreements,
    accept_answer,
    accept_relation,
    accept_span,
    reject_group,
)
from app.services.editing import add_annotation
from app.services.feedback import FeedbackError, feedback
from app.services.merging import merge_files
from app.services.packages import write_package
from app.services.projects import Project, open_project
from app.services.training import mark_training, training_articles, training_report, unmark_training
from tests.services.test_adjudication import Gold
from tests.team_fixtures import dump

pytestmark = pytest.mark.both_backends


def adjudicate(gold: Gold) -> None:
    """Gold of article 0: the agreed Actor, ben's Claim, ana's Kiresk, no Coercion, the relation."""
    project, a0, gail = gold.project, gold.a0, gold.gail
    accept_agreements(project, gail)
    view = gold.view()
    apply_all(project, accept_span(project, a0, gail, view.groups[1].key, "ben"))
    apply_all(project, accept_span(project, a0, gail, view.groups[3].key, "ana"))
    apply_all(project, reject_group(project, a0, gail, view.groups[2].key))
    apply_all(project, accept_relation(project, a0, gail, view.relations[0].key))
    apply_all(project, accept_answer(project, a0, gail, "sourcing", "unsourced"))
    finish_article(project, a0, gail)


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return Gold(project, tmp_path / "texts")


def test_refused_before_done_or_without_finished_gold(gold: Gold) -> None:
    with pytest.raises(FeedbackError, match="no finished gold standard for 'Report 0'"):
        feedback(gold.project, "ana", gold.a0)
    adjudicate(gold)
    with pytest.raises(FeedbackError) as refused:
        feedback(gold.project, "ana", gold.articles[2].id)
    assert refused.value.message == (
        "Mark 'Report 2' done first: your coding is compared with the gold standard only once "
        "you have finished the article."
    )
    with pytest.raises(FeedbackError, match="no finished gold standard for 'Report 1'"):
        feedback(gold.project, "ana", gold.articles[1].id)
    with pytest.raises(FeedbackError, match="no coder named 'zed'"):
        feedback(gold.project, "zed", gold.a0)


def test_lists_exactly_the_differences(gold: Gold) -> None:
    adjudicate(gold)
    ana = feedback(gold.project, "ana", gold.a0)
    assert ana.gold_by == "gail" and ana.missed == () and ana.extra == () and ana.attributes == ()
    (boundary,) = [m for m in ana.matched if not m.exact]
    assert (boundary.gold.text, boundary.coded.text) == (
        "40 migrants were forced to sign", "40 migrants were forced",
    )
    assert [(a.question, a.gold, a.coded, a.agree) for a in ana.answers] == [
        ("relevance", "yes", "yes", True), ("sourcing", "unsourced", "unsourced", True),
    ]
    assert ana.differences == 1

    ben = feedback(gold.project, "ben", gold.a0)
    assert all(m.exact for m in ben.matched) and len(ben.matched) == 3
    (difference,) = ben.attributes
    assert (difference.label, difference.attribute, difference.text, difference.gold, difference.coded) == (
        "Actor", "actor_type", "Kiresk", "police", "state_authority",
    )

    cara = feedback(gold.project, "cara", gold.a0)
    assert [(r.label, r.text) for r in cara.missed] == [
        ("Claim", "40 migrants were forced to sign"), ("Actor", "Kiresk"),
    ]
    assert [(r.label, r.text) for r in cara.extra] == [("Coercion", "forced to sign contracts")]
    assert [a.agree for a in cara.answers] == [True, False]
    assert "state_authority" not in repr(cara)  # ben's version of Kiresk never shows
    scores = {(s.label, s.mode): s for s in cara.running.labels}
    assert cara.running.n_articles == 1
    assert (scores["Actor", "exact"].n_gold, scores["Actor", "exact"].matched) == (2, 1)
    assert scores["Actor", "exact"].precision == 1.0 and scores["Actor", "exact"].recall == 0.5
    assert scores["Coercion", "overlap"].f1 == 0.0
    ana_scores = {(s.label, s.mode): s for s in ana.running.labels}
    assert ana_scores["Claim", "exact"].f1 == 0.0 and ana_scores["Claim", "overlap"].f1 == 1.0


def test_training_set_and_gold_in_packages(gold: Gold, tmp_path: Path) -> None:
    adjudicate(gold)
    project, a0, a1 = gold.project, gold.a0, gold.articles[1].id
    add_annotation(project, article_id=a1, coder_id=gold.gail, label="Actor", start=10, end=23,
                   attributes={"actor_type": "police", "role": "target"})
    with pytest.raises(FeedbackError, match="'Report 1' has no finished gold standard yet"):
        mark_training(project, [a1])
    project.store.assigning.apply([(a0, gold.ids["ana"]), (a1, gold.ids["ana"])], [])
    plain = tmp_path / "plain.loupe"
    write_package(project, "ana", plain)
    assert dump(plain)["coder"] == [row for row in dump(plain)["coder"] if row[1] == "ana"]

    assert mark_training(project, [a0]) == [a0] == training_articles(project)
    package = tmp_path / "ana.loupe"
    report = write_package(project, "ana", package)
    assert (report.annotations, report.relations) == (3, 1)  # ana's own rows only
    tables = dump(package)
    assert sorted(row[1] for row in tables["coder"]) == ["ana", "gail"]
    gold_rows = [row for row in tables["annotation"] if row[2] == gold.gail]
    assert {row[1] for row in gold_rows} == {a0} and len(gold_rows) == 3
    assert all(row[12] is None for row in gold_rows)  # no replaced version travels (deleted_at)
    with sqlite3.connect(package) as conn:
        (settings,) = conn.execute("SELECT settings FROM project").fetchone()
    assert REJECTIONS not in json.loads(settings)
    others = {gold.ids["ben"], gold.ids["cara"], "ben", "cara"}
    assert not [cell for rows in tables.values() for row in rows for cell in row if cell in others]
    with open_project(package) as opened:
        in_package = feedback(opened, "ana", a0)
    assert in_package.matched == feedback(project, "ana", a0).matched
    before = dump(project.store.location)
    merged = merge_files(project, [package], make_backup=False)
    assert not merged.changed and dump(project.store.location) == before

    report = training_report(project)
    rows = {c.coder: c for c in report.coders}
    assert (rows["ana"].assigned, rows["ana"].done, rows["ana"].scores.n_articles) == (1, 1, 1)
    assert unmark_training(project, [a0]) == []


def test_cli_feedback_and_training(gold: Gold, capsys: pytest.CaptureFixture[str]) -> None:
    path = gold.project.store.location
    assert main(["feedback", path, "--coder", "cara", "--article", gold.a0]) == 1
    assert "no finished gold standard" in capsys.readouterr().err
    adjudicate(gold)
    assert main(["feedback", path, "--coder", "cara", "--article", gold.a0]) == 0
    out = capsys.readouterr().out
    assert "1 matched exactly, 0 with other boundaries, 2 missed, 1 extra." in out
    assert "extra     Coercion \u201cforced to sign contracts\u201d" in out
    assert main(["feedback", path, "--coder", "ben", "--article", gold.a0, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["differences"] == 2 and data["attributes"][0]["coded"] == "state_authority"
    assert main(["training", path, "--mark", gold.a0]) == 0
    assert "Training set: 1 article(s)." in capsys.readouterr().out
    assert main(["training", path, "--report", "--json"]) == 0
    coders = {c["coder"]: c for c in json.loads(capsys.readouterr().out)["coders"]}
    assert coders["ben"]["done"] == 1 and coders["ben"]["scores"]["n_articles"] == 1
    assert main(["training", path, "--mark", "nope"]) == 1
    assert capsys.readouterr().err == "loupe: There is no article with the id 'nope' in this project.\n"
