"""The lead's training panel: marking and unmarking training articles, refusals in the
service's sentence, and the per-coder training report."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QPushButton

from app.services.projects import Project
from app.services.training import pooled_spans, training_articles, training_report
from tests.services.test_adjudication import Gold
from tests.services.test_feedback import adjudicate

NOW = "2031-01-01T00:00:00+00:00"


@pytest.fixture
def panel(qtbot, project: Project, tmp_path: Path):  # noqa: ANN001, ANN201
    """The training view on Reports 0-2: gold of 0 finished, of 1 in progress, none of 2."""
    from app.ui.lead.training_view import TrainingView

    gold = Gold(project, tmp_path / "texts")
    adjudicate(gold)
    gold.ids["gail"] = gold.gail
    gold.span("gail", 1, "Actor", "Anton Korolev", actor_type="police", role="target")
    view = TrainingView(lambda: project)
    qtbot.addWidget(view)
    view.show()
    return view, gold


def articles_shown(view) -> list[tuple[str, str, Qt.CheckState]]:  # noqa: ANN001
    model = view.articles
    check = Qt.ItemDataRole.CheckStateRole
    return [
        (model.index(r, 2).data(), model.index(r, 3).data(), Qt.CheckState(model.index(r, 0).data(check)))
        for r in range(model.rowCount())
    ]


def select_rows(view, *rows: int) -> None:  # noqa: ANN001
    table = view.articles_view
    table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        table.selectionModel().select(view.articles.index(row, 0), flags)


def test_training_view_marks_unmarks_and_refuses(qtbot, qtmodeltester, panel) -> None:  # noqa: ANN001
    view, gold = panel
    project = gold.project
    assert view.objectName() == "trainingView"
    table = view.findChild(type(view.articles_view), "trainingArticleTable")
    assert table is view.articles_view
    qtmodeltester.check(view.articles)
    unchecked, checked = Qt.CheckState.Unchecked, Qt.CheckState.Checked
    assert articles_shown(view) == [
        ("Report 0", "finished gold", unchecked), ("Report 1", "gold in progress", unchecked),
        ("Report 2", "no gold", unchecked),
    ]
    mark = view.findChild(QPushButton, "markTrainingButton")
    unmark = view.findChild(QPushButton, "unmarkTrainingButton")

    select_rows(view, 0, 1)
    with qtbot.waitSignal(view.refused) as refused:
        qtbot.mouseClick(mark, Qt.MouseButton.LeftButton)
    sentence = (
        "'Report 1' has no finished gold standard yet: adjudicate it and mark the gold done first."
    )
    assert refused.args == [sentence] and view.status.text() == sentence
    assert training_articles(project) == []

    select_rows(view, 0)
    with qtbot.waitSignal(view.training_changed) as changed:
        qtbot.mouseClick(mark, Qt.MouseButton.LeftButton)
    assert changed.args == [[gold.a0]] and training_articles(project) == [gold.a0]
    assert [row[2] for row in articles_shown(view)] == [checked, unchecked, unchecked]

    select_rows(view, 0)
    qtbot.mouseClick(unmark, Qt.MouseButton.LeftButton)
    assert training_articles(project) == [] and articles_shown(view)[0][2] == unchecked
    assert not view.mark([gold.articles[2].id]) and "'Report 2' has no finished gold" in view.status.text()
    assert view.mark([gold.a0]) and training_articles(project) == [gold.a0]


def test_training_view_report_table(qtbot, qtmodeltester, panel) -> None:  # noqa: ANN001
    view, gold = panel
    assert view.mark([gold.a0])
    table = view.findChild(type(view.report_view), "trainingReportTable")
    model = table.model()
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    rows = {
        model.index(r, 0).data(): dict(zip(headers, (model.index(r, c).data() for c in range(len(headers))), strict=True))
        for r in range(model.rowCount())
    }
    assert sorted(rows) == ["ana", "ben", "cara"]
    report = {c.coder: c for c in training_report(gold.project).coders}
    cara = rows["cara"]
    assert (cara["Given"], cara["Done"]) == (str(report["cara"].assigned), str(report["cara"].done)) == ("1", "1")
    assert cara["F1"] == f"{pooled_spans(report['cara'].scores).f1:.0%}" == "40%"
    assert (cara["Precision"], cara["Recall"]) == ("50%", "33%")
    assert cara["Answers as gold"] == "1/2 (50%)"
    assert rows["ben"]["Attributes as gold"] == "3/4 (75%)"
    assert rows["ana"]["F1"] == "100%" and rows["ana"]["F1 (exact)"] == "67%"

    # cara reopens Report 0 (a merge brings it, say): Refresh shows it.
    gold.project.store.assignments.set_status(gold.a0, gold.ids["cara"], "in_progress", NOW)
    qtbot.mouseClick(view.findChild(QPushButton, "refreshTrainingButton"), Qt.MouseButton.LeftButton)
    cara_row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "cara")
    assert [model.index(cara_row, c).data() for c in (1, 2, 5)] == ["1", "0", "n/a"]
