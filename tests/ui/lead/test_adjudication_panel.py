"""The Adjudication tab of the real lead window: without an adjudicator, adding one in
Assignments, agreements of this article or of all, and undo that never raises out of Qt."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QPushButton

from app.services.adjudication_edits import accept_agreements
from app.services.projects import Project, open_project
from tests.services.test_adjudication import Gold

BUTTONS = ("acceptAgreements", "acceptAllAgreements", "finishGold")


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    """Article 0 coded by ana, ben and cara; article 1 by ana and ben, who agree on an Actor."""
    study = Gold(project, tmp_path / "texts")
    for name in ("ana", "ben"):
        study.span(name, 1, "Actor", "Anton Korolev", actor_type="police", role="target")
    study.done("ben", 1)
    return study


@pytest.fixture
def no_adjudicator(gold: Gold) -> Gold:
    """The same project before anyone was made its adjudicator."""
    with gold.project.store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM coder WHERE id = ?", (gold.gail,))
    return gold


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bool]]:
    """Answers of the modal input dialogs (default: cancelled), so that none blocks."""
    answers = {"getText": ("", False), "getItem": ("", False)}
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: answers["getText"])
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: answers["getItem"])
    return answers


def open_lead(qtbot, gold: Gold):  # noqa: ANN001, ANN201
    from app.ui.lead.lead_window import LeadWindow

    window = LeadWindow(Path(gold.project.store.location))
    qtbot.addWidget(window)
    return window


def button(panel, name: str) -> QPushButton:  # noqa: ANN001
    found = panel.findChild(QPushButton, name)
    assert found is not None, name
    return found


def gold_spans(gold: Gold) -> dict[str, list[tuple[str, int, int]]]:
    with open_project(gold.project.store.location) as project:
        return {
            article.id: [(a.label, a.start, a.end) for a in project.store.annotations.for_article(article.id, gold.gail)]
            for article in gold.articles[:2]
        }


def test_without_an_adjudicator_the_buttons_say_to_add_one_in_assignments(
    qtbot, no_adjudicator: Gold, dialogs: dict  # noqa: ANN001
) -> None:
    lead = open_lead(qtbot, no_adjudicator)
    panel = lead.adjudication
    assert lead.show_adjudication()  # Team > Adjudicate…
    assert lead.tabs.currentWidget() is panel
    assert "Assignments" in panel.findChild(type(panel.who), "adjudicatorLabel").text()
    for name in BUTTONS:
        assert not button(panel, name).isEnabled()
        assert "add one in the Assignments tab" in button(panel, name).toolTip()
        qtbot.mouseClick(button(panel, name), Qt.MouseButton.LeftButton)  # disabled: nothing happens
    # Called anyway (a shortcut, a script): refused in one sentence, no AssertionError.
    for act in (panel.accept_agreements, panel.accept_all_agreements, panel.finish):
        assert act() is False
        assert "add one in the Assignments tab" in lead.statusBar().currentMessage()
    lead.close()


def test_adding_an_adjudicator_in_assignments_opens_the_adjudication_tab(
    qtbot, no_adjudicator: Gold, dialogs: dict  # noqa: ANN001
) -> None:
    gold = no_adjudicator
    lead = open_lead(qtbot, gold)
    panel = lead.adjudication
    lead.show_adjudication()
    assert not button(panel, "acceptAgreements").isEnabled()
    lead.show_assignments()
    dialogs["getText"], dialogs["getItem"] = ("gail", True), ("adjudicator", True)
    qtbot.mouseClick(lead.assignments.findChild(QPushButton, "addCoderButton"), Qt.MouseButton.LeftButton)
    with open_project(gold.project.store.location) as project:
        gail = project.store.coders.find("gail")
    assert gail is not None and gail.role == "adjudicator"
    assert panel.adjudicator_id == gail.id
    assert "gail" in panel.who.text()
    assert [row.title for row in panel.progress.all_rows()] == ["Report 0", "Report 1"]
    assert all(button(panel, name).isEnabled() for name in BUTTONS)
    lead.tabs.setCurrentWidget(panel)
    gold.gail = gail.id
    qtbot.mouseClick(button(panel, "acceptAgreements"), Qt.MouseButton.LeftButton)
    assert gold_spans(gold)[gold.a0] == [("Actor", 10, 23)]
    lead.close()


def test_agreements_of_this_article_or_of_all_articles(qtbot, gold: Gold, dialogs: dict) -> None:  # noqa: ANN001
    lead = open_lead(qtbot, gold)
    panel = lead.adjudication
    assert lead.show_adjudication()  # the project's one adjudicator, without asking
    this, every = button(panel, "acceptAgreements"), button(panel, "acceptAllAgreements")
    assert (this.text(), every.text()) == ("Accept Agreements in This Article", "Accept All Agreements")
    a0, a1 = gold.a0, gold.articles[1].id
    assert panel.controller.bundle.article.id == a0

    qtbot.mouseClick(this, Qt.MouseButton.LeftButton)
    assert gold_spans(gold) == {a0: [("Actor", 10, 23)], a1: []}
    panel.controller.undo_stack.undo()
    assert gold_spans(gold) == {a0: [], a1: []}

    qtbot.mouseClick(every, Qt.MouseButton.LeftButton)
    everywhere = gold_spans(gold)
    assert everywhere == {a0: [("Actor", 10, 23)], a1: [("Actor", 10, 23)]}
    rows = {row.article_id: row for row in panel.progress.all_rows()}
    assert rows[a0].decided == rows[a1].decided == 1  # the other article's row is fresh too
    assert panel.controller.undo_stack.count() == 1  # two articles, one decision, one step
    panel.controller.undo_stack.undo()  # one step takes back both articles
    assert gold_spans(gold) == {a0: [], a1: []}
    assert {row.article_id: row.decided for row in panel.progress.all_rows()} == {a0: 0, a1: 0}
    # The same as `loupe adjudicate --accept-agreements`.
    with open_project(gold.project.store.location) as project:
        assert accept_agreements(project, gold.gail) == 3  # two Actors and the relevance of article 0
    assert gold_spans(gold) == everywhere
    lead.close()


def _forbid(panel, table: str, what: str) -> None:  # noqa: ANN001
    with panel.controller.project.store.engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TRIGGER forbid_{table} BEFORE {what} ON {table} BEGIN SELECT RAISE(ABORT, 'forbidden'); END"
        )


def _allow(panel, table: str) -> None:  # noqa: ANN001
    with panel.controller.project.store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS forbid_{table}")


def test_an_undo_the_file_refuses_is_reported_and_logged_not_raised(
    qtbot, gold: Gold, dialogs: dict, caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    lead = open_lead(qtbot, gold)
    panel = lead.adjudication
    lead.show_adjudication("gail")
    coercion = gold.view().groups[2].key
    panel.select_group(coercion)
    qtbot.mouseClick(panel.choices.findChild(QPushButton, "rejectGroup"), Qt.MouseButton.LeftButton)
    assert panel.groups.rows[panel.groups.row_of(coercion)].decision == "rejected"
    stack = panel.controller.undo_stack
    steps = stack.count()
    # The file refuses the write that undoing needs (before 0003 the settings held rejections).
    tables = {"project": "UPDATE", "adjudication_rejection": "DELETE"}
    with panel.controller.project.store.engine.connect() as conn:
        present = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, what in tables.items():
        if table in present:
            _forbid(panel, table, what)
    caplog.set_level(logging.INFO)
    try:
        stack.undo()  # an exception escaping QUndoCommand.undo would fail this test
    finally:
        for table in tables:
            _allow(panel, table)
    message = lead.statusBar().currentMessage()
    assert message.startswith("Undo of \u201cReject group\u201d was refused: The decision was not saved")
    assert "TRIGGER" not in message and "forbidden" not in message
    assert any(r.name.startswith("app.") and "rolled back" in r.getMessage() for r in caplog.records)
    assert stack.count() == steps - 1  # the step that cannot be undone is dropped
    assert panel.groups.rows[panel.groups.row_of(coercion)].decision == "rejected"  # nothing changed
    assert gold.view().group(coercion).decision == "rejected"
    lead.close()


def test_an_edit_undo_the_file_refuses_is_reported_and_logged_not_raised(
    qtbot, controller, caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    refused: list[str] = []
    controller.refused.connect(refused.append)
    assert controller.create_annotation(controller.project.codebook.span_labels[0].name, 0, 5)
    with controller.project.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER forbid BEFORE UPDATE ON annotation BEGIN SELECT RAISE(ABORT, 'forbidden'); END"
        )
    caplog.set_level(logging.INFO)
    try:
        controller.undo_stack.undo()
    finally:
        with controller.project.store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER forbid")
    assert refused and refused[-1].startswith("Undo of \u201cAdd ") and "log file" in refused[-1]
    assert "forbidden" not in refused[-1]
    assert any(r.name == "app.ui.undo" and r.exc_info for r in caplog.records)
    assert len(controller.bundle.annotations) == 1  # still there


def _gold_in_file(gold: Gold, key: str) -> tuple[str | None, list[tuple[str, int, int]]]:
    """The group's decision and article 0's gold spans, read from the file through the services."""
    from app.services.adjudication import adjudication_view

    with open_project(gold.project.store.location) as project:
        view = adjudication_view(project, gold.a0, gold.gail)
        spans = [(a.label, a.start, a.end) for a in project.store.annotations.for_article(gold.a0, gold.gail)]
    return next(g for g in view.groups if g.key == key).decision, spans


def test_a_decision_in_the_panel_is_written_by_the_controller_and_undone_on_its_stack(
    qtbot, gold: Gold, dialogs: dict, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    lead = open_lead(qtbot, gold)
    panel = lead.adjudication
    lead.show_adjudication("gail")
    controller, stack = panel.controller, panel.controller.undo_stack
    written: list[list] = []
    write = controller.apply_decision_without_undo

    def spy(edits):  # noqa: ANN001, ANN202
        written.append(list(edits))
        return write(edits)

    monkeypatch.setattr(controller, "apply_decision_without_undo", spy)
    claim = next(g for g in gold.view().groups if g.label == "Claim")
    assert _gold_in_file(gold, claim.key) == (None, [])
    before = stack.count()
    panel.select_group(claim.key)
    assert panel.accept("ana")
    assert len(written) == 1  # written by the controller, not around it
    assert stack.count() == before + 1 and stack.text(stack.index() - 1) == "Accept ana's version"
    ana = claim.version_of("ana")
    assert ana is not None
    accepted = _gold_in_file(gold, claim.key)
    assert accepted == ("accepted", [("Claim", s.start, s.end) for s in ana.spans])
    assert controller.bundle is not None and len(controller.bundle.annotations) == 1  # the controller re-read it
    assert not panel.groups.rows[panel.groups.row_of(claim.key)].open

    stack.undo()  # the same stack the lead window's Ctrl+Z drives
    assert len(written) == 2
    assert _gold_in_file(gold, claim.key) == (None, [])
    assert controller.bundle.annotations == []
    assert panel.groups.rows[panel.groups.row_of(claim.key)].open  # the panel shows it undecided again

    stack.redo()
    assert len(written) == 3
    assert _gold_in_file(gold, claim.key) == accepted
    lead.close()


def test_the_panel_imports_no_way_to_write_and_undo_knows_no_controller() -> None:
    """Writes of adjudication go through the controller: the panel reaches the services
    only to read and plan, and the undo commands are given functions, not the controller."""
    import ast

    import app.ui.lead.adjudication_panel as panel_module
    import app.ui.undo as undo_module

    def imported(module) -> set[str]:  # noqa: ANN001
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
        return names

    services = {name for name in imported(panel_module) if name.startswith("app.services.")}
    assert services <= {
        "app.services.adjudication_edits",  # imported as the module `plans`: planning reads only
        "app.services.adjudication.AdjudicationView",
        "app.services.adjudication.adjudication_progress",
        "app.services.adjudication.adjudication_view",
        "app.services.adjudication.overlap_articles",  # ids only
        "app.services.adjudication_writes.Planned",  # the type of a planned step
        "app.services.projects.Project",
    }, services
    assert not any(name.startswith("app.ui.undo") for name in imported(panel_module))
    assert not any("controller" in name for name in imported(undo_module))
