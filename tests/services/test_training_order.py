"""The training set through the services: training articles first in a coder's list,
the state of each article's gold, pooled scores, and the Training sheet of the export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.services.coding import article_listing, next_unfinished
from app.services.editing import add_annotation
from app.services.exporting import export_project
from app.services.projects import Project
from app.services.training import (
    GOLD_FINISHED,
    GOLD_IN_PROGRESS,
    NO_GOLD,
    mark_training,
    pooled_answers,
    pooled_spans,
    training_articles,
    training_candidates,
    training_report,
    unmark_training,
)
from tests.services.test_adjudication import Gold
from tests.services.test_feedback import adjudicate

pytestmark = pytest.mark.both_backends


def finish_gold(gold: Gold, k: int) -> None:
    """A finished gold standard of article ``k``: one Actor and the relevance answer."""
    gold.ids["gail"] = gold.gail
    gold.span("gail", k, "Actor", "Anton Korolev", actor_type="police", role="target")
    gold.answer("gail", k, "relevance", "yes")
    gold.done("gail", k)


def training_gold(project: Project, folder: Path) -> Gold:
    """Reports 0-2; the gold of 0 (adjudicated) and of 2 finished; 0 and 2 are training;
    dan is a new coder."""
    gold = Gold(project, folder)
    adjudicate(gold)
    finish_gold(gold, 2)
    gold.coder("dan")
    assert mark_training(project, [gold.articles[2].id, gold.a0]) == [gold.a0, gold.articles[2].id]
    return gold


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return training_gold(project, tmp_path / "texts")


def ids(gold: Gold, *ks: int) -> list[str]:
    return [gold.articles[k].id for k in ks]


def test_training_articles_come_first_then_import_order(gold: Gold) -> None:
    project, dan = gold.project, gold.ids["dan"]
    listing = article_listing(project, dan)
    assert [row.id for row in listing] == ids(gold, 0, 2, 1)
    assert [row.training for row in listing] == [True, True, False]
    assert [row.position for row in listing] == [1, 3, 2]  # import numbers are kept
    assert next_unfinished(listing, None).id == gold.a0
    gold.done("dan", 0)
    listing = article_listing(project, dan)
    # After the first training article, the next one, not the next in import order.
    assert next_unfinished(listing, gold.a0).id == gold.articles[2].id
    assert next_unfinished(listing, gold.articles[1].id).id == gold.articles[2].id

    # The adjudicator codes the gold: their list keeps import order, nothing marked.
    gail = article_listing(project, gold.gail)
    assert [row.id for row in gail] == ids(gold, 0, 1, 2) and not any(row.training for row in gail)

    unmark_training(project, [gold.a0])
    assert [row.id for row in article_listing(project, dan)] == ids(gold, 2, 0, 1)
    unmark_training(project, [gold.articles[2].id])
    assert [row.id for row in article_listing(project, dan)] == ids(gold, 0, 1, 2)


def test_only_the_coders_own_training_articles_come_first(gold: Gold) -> None:
    project, dan = gold.project, gold.ids["dan"]
    project.store.assigning.apply([(a, dan) for a in ids(gold, 1, 2)], [])
    listing = article_listing(project, dan)
    assert [(row.id, row.training) for row in listing] == [
        (gold.articles[2].id, True), (gold.articles[1].id, False),
    ]


def test_candidates_show_the_state_of_each_gold(gold: Gold) -> None:
    project = gold.project
    add_annotation(project, article_id=gold.articles[1].id, coder_id=gold.gail, label="Claim", start=0, end=6)
    rows = training_candidates(project)
    assert [(r.article_id, r.title, r.gold, r.training) for r in rows] == [
        (gold.a0, "Report 0", GOLD_FINISHED, True),
        (gold.articles[1].id, "Report 1", GOLD_IN_PROGRESS, False),
        (gold.articles[2].id, "Report 2", GOLD_FINISHED, True),
    ]
    unmark_training(project, [gold.a0])
    assert [r.training for r in training_candidates(project)] == [False, False, True]
    assert training_articles(project) == [gold.articles[2].id]
    project.store.assignments.set_status(gold.articles[2].id, gold.gail, "in_progress", "2031-01-01T00:00:00+00:00")
    assert [r.gold for r in training_candidates(project)] == [GOLD_FINISHED, GOLD_IN_PROGRESS, GOLD_IN_PROGRESS]
    assert training_candidates(project)[2].gold != NO_GOLD


def test_pooled_scores_sum_over_labels(gold: Gold) -> None:
    rows = {c.coder: c for c in training_report(gold.project).coders}
    assert (rows["cara"].assigned, rows["cara"].done) == (2, 1)
    assert (rows["dan"].assigned, rows["dan"].done, rows["dan"].scores.n_articles) == (2, 0, 0)
    # cara on Report 0: 3 gold spans, 2 of hers, the Actor "Anton Korolev" matched.
    cara = pooled_spans(rows["cara"].scores)
    assert (cara.n_gold, cara.n_coded, cara.matched) == (3, 2, 1)
    assert (cara.precision, cara.recall, cara.f1) == (0.5, 1 / 3, 0.4)
    assert pooled_answers(rows["cara"].scores) == (1, 2)  # relevance as the gold; sourcing not
    ana = rows["ana"].scores
    assert pooled_spans(ana).f1 == 1.0 and pooled_spans(ana, "exact").matched == 2
    assert pooled_spans(rows["dan"].scores).f1 is None


def test_training_sheet_of_the_excel_export(gold: Gold, tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    report = export_project(gold.project, out)
    assert report.sheets[-1] == "Training"
    sheet = openpyxl.load_workbook(out)["Training"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:3] == ("Coder", "Training articles given", "Done")
    assert sorted(body) == ["ana", "ben", "cara", "dan"]
    cara = body["cara"]
    assert (cara["Training articles given"], cara["Done"], cara["Gold spans"], cara["Matched"]) == (2, 1, 3, 1)
    assert (cara["Precision"], cara["F1"]) == (0.5, 0.4)
    assert (cara["Answers as gold"], cara["Answers compared"]) == (1, 2)
    # ben: both Actors matched, two attributes each; Kiresk's actor_type differs.
    assert (body["ben"]["Attributes as gold"], body["ben"]["Attributes compared"]) == (3, 4)

    one = export_project(gold.project, tmp_path / "cara.xlsx", coder="cara")
    rows = list(openpyxl.load_workbook(one.path)["Training"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["cara"]

    unmark_training(gold.project, training_articles(gold.project))
    assert "Training" not in export_project(gold.project, tmp_path / "none.xlsx").sheets
