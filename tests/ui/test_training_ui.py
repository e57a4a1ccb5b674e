"""Training in the coding window: training articles first in the list, and the
comparison with the gold after each training article marked done."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox

from app.services.packages import write_package
from app.services.projects import Project
from tests.services.test_adjudication import Gold
from tests.services.test_training_order import ids, training_gold

NOW = "2031-01-01T00:00:00+00:00"


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return training_gold(project, tmp_path / "texts")


@pytest.fixture
def window_on(qtbot, settings_file: Path):  # noqa: ANN001, ANN201
    from app.ui.application import open_window

    opened = []

    def make(path: str | Path, coder: str):  # noqa: ANN202
        win = open_window(Path(path), coder, settings_path=settings_file)
        qtbot.addWidget(win)
        win.article_panel.view.setFocus()
        qtbot.waitUntil(win.isActiveWindow)  # window shortcuts need the active window
        opened.append(win)
        return win

    yield make
    for win in opened:
        win.close()


def feedback_dialogs(window) -> list:  # noqa: ANN001
    from app.ui.lead.feedback_dialog import FeedbackDialog

    return [d for d in window.findChildren(FeedbackDialog) if d.isVisible()]


def ctrl(qtbot, window, key: Qt.Key) -> None:  # noqa: ANN001
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def test_training_articles_lead_the_list_and_ctrl_u(qtbot, gold: Gold, window_on) -> None:  # noqa: ANN001
    from app.ui.article_list import Column

    window = window_on(gold.project.store.location, "dan")
    c, panel = window.controller, window.article_list
    assert [row.id for row in c.order] == ids(gold, 0, 2, 1)
    proxy = panel.model
    shown = [proxy.index(r, Column.TITLE).data() for r in range(proxy.rowCount())]
    assert shown == ["Report 0", "Report 2", "Report 1"]
    assert [proxy.index(r, Column.NUMBER).data() for r in range(3)] == ["1", "3", "2"]
    for row, training in enumerate((True, True, False)):
        title = proxy.index(row, Column.TITLE)
        assert isinstance(title.data(Qt.ItemDataRole.DecorationRole), QIcon) is training
        assert ("Training article" in title.data(Qt.ItemDataRole.ToolTipRole)) is training
    c.open_article(gold.articles[1].id)
    ctrl(qtbot, window, Qt.Key.Key_U)  # wraps to the first training article, not on to Report 2
    assert c.bundle.article.id == gold.a0
    gold.done("dan", 0)
    c.refresh_listing()
    ctrl(qtbot, window, Qt.Key.Key_U)
    assert c.bundle.article.id == gold.articles[2].id


def code_report_0(c) -> None:  # noqa: ANN001
    """dan on Report 0: Korolev as the gold but state_authority, a shorter Claim, an extra
    Coercion, no Kiresk; relevance as the gold, sourcing not."""
    text = c.bundle.article.text

    def where(needle: str) -> tuple[int, int]:
        start = text.index(needle)
        return start, start + len(needle)

    actor = c.create_annotation("Actor", *where("Anton Korolev"))
    assert c.change_annotation(actor, attributes={"actor_type": "state_authority", "role": "target"})
    c.create_annotation("Claim", *where("40 migrants were forced"))
    c.create_annotation("Coercion", *where("forced to sign contracts"))
    assert c.set_answer("relevance", "yes") and c.set_answer("sourcing", "single_source")


def test_feedback_opens_after_each_training_article_in_a_package(
    qtbot, qtmodeltester, gold: Gold, window_on, tmp_path: Path  # noqa: ANN001
) -> None:
    project = gold.project
    project.store.assigning.apply([(a, gold.ids["dan"]) for a in ids(gold, 0, 1, 2)], [])
    # The gold of Report 2 was reopened after it was made a training article: the set
    # still names it, but no finished gold travels for it.
    project.store.assignments.set_status(gold.articles[2].id, gold.gail, "in_progress", NOW)
    package = tmp_path / "dan.loupe"
    write_package(project, "dan", package)
    window = window_on(package, "dan")
    c = window.controller
    assert [(row.id, row.training) for row in c.order] == [
        (gold.a0, True), (gold.articles[2].id, True), (gold.articles[1].id, False),
    ]
    assert c.bundle.article.id == gold.a0

    # Before done: no gold anywhere in the window, and comparing is refused.
    code_report_0(c)
    assert {a.coder_id for a in c.bundle.annotations} == {gold.ids["dan"]}
    assert window.team.compare_with_gold() is None
    box = window.findChild(QMessageBox, "feedbackRefusal")
    assert box.isVisible() and box.text().startswith("Mark 'Report 0' done first")
    box.close()
    assert feedback_dialogs(window) == []

    with qtbot.waitSignal(c.training_done) as done:
        ctrl(qtbot, window, Qt.Key.Key_D)
    assert done.args == [gold.a0] and c.bundle.status == "done"
    (dialog,) = feedback_dialogs(window)
    qtmodeltester.check(dialog.differences)
    text, none = c.bundle.article.text, "\u2014"

    def shown(needle: str) -> str:
        start = text.index(needle)
        return f"\u201c{needle}\u201d [{start}\u2013{start + len(needle)}]"

    assert [(r.kind, r.item, r.gold, r.yours) for r in dialog.differences.rows] == [
        ("other boundaries", "Claim", shown("40 migrants were forced to sign"), shown("40 migrants were forced")),
        ("missed", "Actor", shown("Kiresk"), none),
        ("extra", "Coercion", none, shown("forced to sign contracts")),
        ("attribute", "Actor \u201cAnton Korolev\u201d actor_type", "police", "state_authority"),
        ("answer", "sourcing", "unsourced", "single_source"),
    ]
    dialog.close()

    # The next unfinished article is the other training article; its gold is not here.
    ctrl(qtbot, window, Qt.Key.Key_U)
    assert c.bundle.article.id == gold.articles[2].id
    assert c.set_answer("relevance", "no")
    with qtbot.waitSignal(c.training_done):
        ctrl(qtbot, window, Qt.Key.Key_D)
    assert c.bundle.status == "done" and feedback_dialogs(window) == []
    assert window.statusBar().currentMessage() == "There is no finished gold standard for 'Report 2' yet."

    # Not a training article: nothing opens.
    ctrl(qtbot, window, Qt.Key.Key_U)
    assert c.bundle.article.id == gold.articles[1].id
    assert c.set_answer("relevance", "no")
    with qtbot.assertNotEmitted(c.training_done):
        ctrl(qtbot, window, Qt.Key.Key_D)
    assert c.bundle.status == "done" and feedback_dialogs(window) == []


def test_marking_done_again_does_not_reopen_the_comparison(qtbot, gold: Gold, window_on) -> None:  # noqa: ANN001
    window = window_on(gold.project.store.location, "cara")  # cara finished Report 0 already
    c = window.controller
    assert c.bundle.article.id == gold.a0 and c.bundle.status == "done"
    with qtbot.assertNotEmitted(c.training_done):
        ctrl(qtbot, window, Qt.Key.Key_D)
    assert feedback_dialogs(window) == []
    assert c.set_status("in_progress")
    with qtbot.waitSignal(c.training_done):
        ctrl(qtbot, window, Qt.Key.Key_D)
    (dialog,) = feedback_dialogs(window)
    assert [(r.kind, r.item) for r in dialog.differences.rows] == [
        ("missed", "Claim"), ("missed", "Actor"), ("extra", "Coercion"), ("answer", "sourcing"),
    ]
