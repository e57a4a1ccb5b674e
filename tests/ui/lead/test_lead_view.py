"""The lead's views driven offscreen: agreement drill-down, adjudication, feedback, merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QMessageBox, QPushButton

from app.cli.main import main
from app.services.projects import Project, open_project
from tests.services.test_adjudication import Gold
from tests.services.test_feedback import adjudicate


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return Gold(project, tmp_path / "texts")


@pytest.fixture
def lead(qtbot, gold: Gold):  # noqa: ANN001, ANN201
    from app.ui.lead.lead_window import LeadWindow

    window = LeadWindow(Path(gold.project.store.location))
    qtbot.addWidget(window)
    yield window
    window.close()


def click(qtbot, view: QAbstractItemView, index: QModelIndex) -> None:  # noqa: ANN001
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def gold_spans(path: str, gold: Gold) -> list[tuple[str, int, int]]:
    with open_project(path) as project:
        return [(a.label, a.start, a.end) for a in project.store.annotations.for_article(gold.a0, gold.gail)]


def test_agreement_numbers_and_drill_down_to_the_article(
    qtbot, qtmodeltester, lead, gold: Gold, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    view = lead.agreement
    view.resamples.setValue(0)
    with qtbot.waitSignal(view.computed, timeout=60_000):
        lead.show_agreement()
    assert main(["agreement", gold.project.store.location, "--json", "--bootstrap", "0"]) == 0
    cli = json.loads(capsys.readouterr().out)
    for heading, key in (("Article questions", "questions"), ("Spans", "spans"),
                         ("Attributes", "attributes"), ("Relations", "relations")):
        model = view.section_models[heading]
        qtmodeltester.check(model)
        expected = [(m["name"], f["coefficient"], f["value"]) for m in cli[key] for f in m["figures"]]
        shown = []
        for row in range(model.rowCount()):
            value = model.data(model.index(row, 2), Qt.ItemDataRole.UserRole)
            shown.append((model.data(model.index(row, 0)), model.data(model.index(row, 1), Qt.ItemDataRole.UserRole),
                          None if value != value else value))
            text = model.data(model.index(row, 2))
            assert text == ("n/a" if value != value else f"{value:.3f}")
        assert shown == expected, heading

    # From the Claim figure to its disagreements, narrowed to one pair, to the article.
    lead.agreement.sections.setCurrentIndex(1)
    spans = view.section_views["Spans"]
    claim_row = next(i for i, r in enumerate(view.section_models["Spans"].rows) if r.measure.name == "Claim")
    click(qtbot, spans, view.section_models["Spans"].index(claim_row, 2))
    assert view.measure is not None and view.measure.name == "Claim"
    for model in (view.pairs, view.articles, view.disagreements):
        qtmodeltester.check(model)
    assert {d.kind for d in view.disagreements.rows} == {"boundary", "unmatched"}
    pair = next(i for i, r in enumerate(view.pairs.rows) if r.figure.coders == ("ana", "ben"))
    click(qtbot, view.pairs_view, view.pairs.index(pair, 0))
    (boundary,) = view.disagreements.rows
    assert boundary.kind == "boundary" and boundary.coders == ("ana", "ben")
    click(qtbot, view.disagreements_view, view.disagreements.index(0, 0))
    dialog = view.compare_dialog
    assert dialog is not None and dialog.isVisible() and dialog.coders == ("ana", "ben")
    text = gold.articles[0].text
    assert dialog.view.toPlainText() == text
    assert sorted(text[m.start : m.end] for m in dialog.view.fills) == [
        "40 migrants were forced", "Anton Korolev", "Kiresk",
    ]
    assert "40 migrants were forced to sign" in [text[m.start : m.end] for m in dialog.view.outlines]


def test_accepting_a_disagreement_puts_the_adjudicators_annotation_in_the_file(
    qtbot, qtmodeltester, lead, gold: Gold  # noqa: ANN001
) -> None:
    path = gold.project.store.location
    assert lead.show_adjudication("gail")
    panel = lead.adjudication
    qtmodeltester.check(panel.progress)
    qtmodeltester.check(panel.groups)
    assert panel.progress.all_rows()[0].title == "Report 0"
    # The first open disagreement is selected: the Claim group, with each coder's version.
    claim = gold.view().groups[1]
    assert panel.group_key == claim.key
    qtbot.mouseClick(panel.choices.findChild(QPushButton, "accept_ben"), Qt.MouseButton.LeftButton)
    assert gold_spans(path, gold) == [("Claim", 29, 60)]
    row = panel.groups.rows[panel.groups.row_of(claim.key)]
    assert row.decision == "accepted (ben)" and not row.open
    assert panel.progress.all_rows()[0].decided == 1

    panel.controller.undo_stack.undo()
    assert gold_spans(path, gold) == []
    assert panel.groups.rows[panel.groups.row_of(claim.key)].decision == "\u2014"
    panel.controller.undo_stack.redo()
    assert gold_spans(path, gold) == [("Claim", 29, 60)]

    coercion = gold.view().groups[2]
    click(qtbot, panel.groups_view, panel.groups.index(panel.groups.row_of(coercion.key), 0))
    qtbot.mouseClick(panel.choices.findChild(QPushButton, "rejectGroup"), Qt.MouseButton.LeftButton)
    assert panel.groups.rows[panel.groups.row_of(coercion.key)].decision == "rejected"
    panel.controller.undo_stack.undo()
    assert panel.groups.rows[panel.groups.row_of(coercion.key)].decision == "\u2014"
    panel.controller.undo_stack.redo()

    qtbot.mouseClick(panel.findChild(QPushButton, "acceptAgreements"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.answers.findChild(QPushButton, "answer_sourcing_1"), Qt.MouseButton.LeftButton)
    with open_project(path) as project:
        answers = project.store.answers.for_article(gold.a0, gold.gail)
    assert {q: a.value for q, a in answers.items()} == {"relevance": "yes", "sourcing": "single_source"}
    qtbot.mouseClick(panel.findChild(QPushButton, "finishGold"), Qt.MouseButton.LeftButton)
    assert "2 decisions are still open" in panel.status.text()


def test_compare_with_gold_refused_before_done_then_lists_the_differences(
    qtbot, qtmodeltester, gold: Gold, settings_file: Path  # noqa: ANN001
) -> None:
    from app.ui.application import open_window
    from app.ui.lead.feedback_dialog import FeedbackDialog

    adjudicate(gold)
    gold.project.store.assignments.set_status(gold.a0, gold.ids["cara"], "in_progress", "2031-01-01T00:00:00+00:00")
    window = open_window(gold.project.store.location, "cara", settings_path=settings_file)
    qtbot.addWidget(window)
    window.controller.open_article(gold.a0)
    assert window.team.compare_with_gold() is None
    box = window.findChild(QMessageBox, "feedbackRefusal")
    assert box is not None and box.isVisible()
    assert box.text().startswith("Mark 'Report 0' done first")
    box.close()
    assert window.controller.set_status("done")
    window.actions_by_name["compare_with_gold"].trigger()
    dialog = window.findChild(FeedbackDialog)
    assert dialog is not None and dialog.isVisible()
    qtmodeltester.check(dialog.differences)
    qtmodeltester.check(dialog.scores)
    rows = [(r.kind, r.item) for r in dialog.differences.rows]
    assert rows == [("missed", "Claim"), ("missed", "Actor"), ("extra", "Coercion"), ("answer", "sourcing")]
    assert "state_authority" not in repr(dialog.differences.rows)
    window.close()


def test_merge_coder_files_from_the_window(qtbot, gold: Gold, settings_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from app.services.editing import add_annotation
    from app.services.packages import write_package
    from app.ui.application import open_window

    project = gold.project
    project.store.assigning.apply([(gold.a0, gold.ids["ana"])], [])
    package = tmp_path / "ana.loupe"
    write_package(project, "ana", package)
    with open_project(package) as opened:
        add_annotation(opened, article_id=gold.a0, coder_id=gold.ids["ana"], label="Coercion", start=46, end=70)
    window = open_window(project.store.location, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    lead = window.team.show_agreement()
    assert lead is not None
    lead.agreement.resamples.setValue(0)
    with qtbot.waitSignal(lead.agreement.computed, timeout=60_000):
        lead.agreement.compute()
    before = lead.agreement.report.measure("span:Coercion").figure("f1", "overlap").value
    assert "merge_coder_files" in window.actions_by_name
    with qtbot.waitSignals([window.team.merged, lead.agreement.computed], timeout=60_000):
        task = window.team.merge([package])
    assert task.report_box is not None and task.report_box.objectName() == "mergeReport"
    assert "ana: annotations +1" in task.report_box.text()
    assert len(window.controller.bundle.annotations) == 4
    after = lead.agreement.report.measure("span:Coercion").figure("f1", "overlap").value
    assert (before, after) == (0.0, 0.5)  # pooled over pairs: 2 x 1 matched / 4 spans
    window.close()


def test_closing_the_windows_while_agreement_is_computed(qtbot, gold: Gold, settings_file: Path) -> None:  # noqa: ANN001
    from app.ui.application import open_window

    window = open_window(gold.project.store.location, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    lead = window.team.show_agreement()
    task = lead.agreement.task
    assert task is not None
    with qtbot.waitSignal(task.done, timeout=60_000):
        window.close()  # closes the lead window too; the computation ends on its own
    assert window.team.lead is None and not task.worker_thread.isRunning()


def test_assignments_tab_shows_progress_and_gives_articles(qtbot, lead, gold: Gold) -> None:  # noqa: ANN001
    lead.show_assignments()
    view = lead.assignments
    assert lead.tabs.currentWidget() is view
    loads = view.findChild(QAbstractItemView, "coderLoadTable").model()
    rows = {loads.index(r, 0).data(): r for r in range(loads.rowCount())}
    assert set(rows) == {"ana", "ben", "cara"}  # the adjudicator codes no assigned articles
    third = gold.articles[2].id
    assert view.give("ben", [third]) == 1
    with open_project(gold.project.store.location) as project:
        from app.services.assignment import assignment_table

        row = next(r for r in assignment_table(project) if r.article_id == third)
        assert row.assigned_to == ("ben",)
    lead.agreement.resamples.setValue(0)
    with qtbot.waitSignal(lead.agreement.computed, timeout=60_000):
        lead.refresh()  # what a merge triggers: the tables are read again
    assert view.findChild(QAbstractItemView, "articleAssignmentTable").model().rowCount() == 3


def test_training_tab_refusal_reaches_the_status_bar(qtbot, lead, gold: Gold) -> None:  # noqa: ANN001
    lead.show_training()
    assert lead.tabs.currentWidget() is lead.training
    assert [lead.tabs.tabText(i) for i in range(lead.tabs.count())] == [
        "Assignments", "Agreement", "Adjudication", "Training",
    ]
    assert lead.training.mark([gold.a0]) is False  # its gold is not finished yet
    message = lead.statusBar().currentMessage()
    assert message.endswith(".") and "gold" in message
    from app.services.training import training_articles

    assert training_articles(lead.project) == []


def test_switching_section_clears_the_details_and_colours_match_the_chart(qtbot, lead) -> None:  # noqa: ANN001
    from app.services.exporting import READING_COLORS, reading
    from app.ui.lead.alpha_chart import bar_color

    view = lead.agreement
    view.resamples.setValue(0)
    with qtbot.waitSignal(view.computed, timeout=60_000):
        lead.show_agreement()
    questions = view.section_views["Article questions"]
    click(qtbot, questions, view.section_models["Article questions"].index(0, 0))
    assert view.measure is not None and view.pairs.rowCount() > 0
    view.sections.setCurrentIndex(1)  # Spans: nothing selected there yet
    assert view.measure is None and view.pairs.rowCount() == 0 and view.disagreements.rowCount() == 0
    assert view.detail.text() == view.PROMPT
    view.sections.setCurrentIndex(0)  # back: the row selected there shows again
    assert view.measure is not None

    # One colour scheme: a table cell and its bar in the chart say the same reading.
    model = view.section_models["Spans"]
    checked = 0
    for row, figure_row in enumerate(model.rows):
        f = figure_row.figure
        if f.coefficient != "unitizing_alpha" or f.value != f.value:
            continue
        fill, strong = READING_COLORS[reading(f.value)]
        assert model.data(model.index(row, 2), Qt.ItemDataRole.BackgroundRole).name().upper() == fill.upper()
        assert bar_color(f.value).name().upper() == strong.upper()
        checked += 1
    assert checked
    low = bar_color(0.5)
    assert low.hue() < 15 or low.hue() > 345  # red, as the table and the Excel sheet, not orange
