"""Discontinuous spans in the real window: Ctrl+drag over more text and the label key of
the selected annotation add a fragment (one undoable edit); each fragment is drawn, and
the annotation table lists their texts joined by " … "."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QTextCursor

from app.services.projects import open_project

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, project_file: Path, settings_file: Path):  # noqa: ANN001, ANN201
    from app.ui.application import open_window

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    win.article_panel.view.setFocus()
    yield win
    win.close()


def in_file(path: Path) -> list:
    with open_project(path) as project:
        return [
            a for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        ]


def point_at(window, offset: int) -> QPoint:  # noqa: ANN001
    """The viewport point of code point ``offset`` (its left edge, mid-line)."""
    view = window.article_panel.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.controller.offsets.to_utf16(offset))
    rect = view.cursorRect(cursor)
    return QPoint(rect.center().x() + 1, rect.center().y())


def drag(qtbot, window, needle: str, modifier=Qt.KeyboardModifier.NoModifier) -> tuple[int, int]:  # noqa: ANN001
    """Select ``needle`` with the mouse (a press, a move and a release), ``modifier`` held."""
    view = window.article_panel.view
    text = window.controller.bundle.article.text
    start = text.index(needle)
    end = start + len(needle)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, modifier, point_at(window, start))
    qtbot.mouseMove(view.viewport(), point_at(window, end))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, modifier, point_at(window, end))
    assert view.textCursor().hasSelection()
    return start, end


def test_ctrl_drag_and_the_label_key_add_a_fragment_that_undo_takes_back(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    text = window.controller.bundle.article.text
    drag(qtbot, window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)  # an Actor
    (actor,) = in_file(project_file)
    assert window.controller.selected_id == actor.id
    drag(qtbot, window, "a lawyer", CTRL)
    qtbot.keyClick(view, Qt.Key.Key_1)
    (changed,) = in_file(project_file)
    first, second = text.index("Anton Korolev"), text.index("a lawyer")
    assert changed.id == actor.id and changed.revision == 2
    assert changed.fragments == ((first, first + 13), (second, second + 8))
    assert window.statusBar().currentMessage() == "Added a fragment to Actor"
    from PySide6.QtWidgets import QTableView

    from app.ui.annotation_table import Column

    table = window.findChild(QTableView, "annotationTable")
    model = table.model()
    assert model.rowCount() == 1
    assert model.index(0, Column.TEXT).data() == "Anton Korolev … a lawyer"
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # one undo takes the fragment back
    (undone,) = in_file(project_file)
    assert (undone.start, undone.end, undone.fragments) == (first, first + 13, ())
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert in_file(project_file)[0].fragments == changed.fragments


def test_a_drag_without_ctrl_still_makes_a_new_annotation(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    drag(qtbot, window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)
    drag(qtbot, window, "a lawyer")
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert sorted(a.fragments for a in in_file(project_file)) == [(), ()]


def test_another_label_key_adds_no_fragment_and_says_why(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    drag(qtbot, window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)
    drag(qtbot, window, "a lawyer", CTRL)
    qtbot.keyClick(view, Qt.Key.Key_2)  # Claim, not the selected Actor
    (actor,) = in_file(project_file)
    assert actor.fragments == () and "Select a Claim annotation" in window.statusBar().currentMessage()


def grab(view) -> QImage:  # noqa: ANN001
    view.viewport().repaint()
    return view.viewport().grab().toImage()


def test_each_fragment_is_highlighted_and_the_gap_is_not(qtbot, window) -> None:
    view = window.article_panel.view
    controller = window.controller
    text = controller.bundle.article.text
    controller.select(None)
    plain = grab(view)
    first, second = text.index("Anton Korolev"), text.index("a lawyer")
    gap = text.index(", ", first)
    from app.core.edits import AddAnnotation
    from app.services.editing import new_annotation

    claim = new_annotation(controller.bundle.article.id, controller.coder.id, "Claim", first, second + 8,
                           fragments=((first, first + 13), (second, second + 8)))
    assert controller.apply(AddAnnotation(claim))
    controller.select(None)
    painted = grab(view)
    ratio = painted.devicePixelRatio()

    def differs(offset: int) -> bool:
        p = point_at(window, offset)
        x, y = int(p.x() * ratio), int(p.y() * ratio)
        return any(plain.pixel(x + dx, y + dy) != painted.pixel(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-3, 0, 3))

    assert differs(first + 1) and differs(second + 1)  # both fragments are filled
    assert not differs(gap + 1)  # the words between are not
