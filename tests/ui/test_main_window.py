"""The real main window, driven offscreen like a coder would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.services.projects import open_project


@pytest.fixture
def window(qtbot, project_file: Path, settings_file: Path):  # noqa: ANN001, ANN201
    from app.ui.application import open_window

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    win.article_panel.view.setFocus()
    yield win
    win.close()


def in_file(path: Path) -> list:
    with open_project(path) as project:
        return [
            a for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        ]


def select_text(window, needle: str, occurrence: int = 0) -> tuple[int, int]:  # noqa: ANN001
    """Select ``needle`` in the view as a drag would; returns its code-point span."""
    controller = window.controller
    text = controller.bundle.article.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    view = window.article_panel.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(controller.offsets.to_utf16(start))
    cursor.setPosition(controller.offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    return start, end


def test_select_and_press_a_label_key_saves_the_annotation(qtbot, window, project_file: Path) -> None:
    start, end = select_text(window, "ton Korol")  # a sloppy selection snaps to words
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    (annotation,) = in_file(project_file)
    text = window.controller.bundle.article.text
    assert annotation.label == "Actor"
    assert text[annotation.start : annotation.end] == "Anton Korolev"
    assert window.controller.selected_id == annotation.id
    assert "Saved" in window.statusBar().currentMessage()


def test_click_an_entity_then_one_key(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    entity = next(e for e in window.controller.bundle.entities if e.label == "GPE")
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.controller.offsets.to_utf16(entity.start) + 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    assert view.current_entity == entity
    qtbot.keyClick(view, Qt.Key.Key_1)
    (annotation,) = in_file(project_file)
    assert (annotation.start, annotation.end, annotation.label) == (entity.start, entity.end, "Actor")


def test_undo_and_redo_from_the_keyboard(qtbot, window, project_file: Path) -> None:
    select_text(window, "Anton Korolev")
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    assert len(in_file(project_file)) == 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert in_file(project_file) == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(in_file(project_file)) == 1


def test_delete_and_nudge_edges_with_keys(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    select_text(window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    (annotation,) = in_file(project_file)
    text = window.controller.bundle.article.text
    assert text[annotation.start : annotation.end] == "nton Korole"
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert in_file(project_file) == []


def test_relation_by_link_key_and_click(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    select_text(window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)
    actor_id = window.controller.selected_id
    select_text(window, "40 migrants were forced to sign army contracts")
    qtbot.keyClick(view, Qt.Key.Key_2)  # Claim
    qtbot.keyClick(view, Qt.Key.Key_L)
    text = window.controller.bundle.article.text
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.controller.offsets.to_utf16(text.index("Korolev")))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    with open_project(project_file) as project:
        (relation,) = project.store.relations.for_article(window.controller.bundle.article.id)
    assert relation.label == "said_by" and relation.target_id == actor_id


def test_mark_done_is_refused_naming_what_is_missing(qtbot, window) -> None:
    select_text(window, "Anton Korolev")
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    message = window.statusBar().currentMessage()
    assert message.startswith("Not done yet") and "actor_type" in message
    assert window.controller.bundle.status != "done"


def test_next_unfinished_skips_done_articles(qtbot, window) -> None:
    controller = window.controller
    first, second, third = (row.id for row in controller.order)
    controller.project.store.assignments.set_status(second, controller.coder.id, "done", "t")
    controller.refresh_listing()
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert controller.bundle.article.id == third
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert controller.bundle.article.id == first


def test_offsets_survive_emoji_combining_marks_and_cyrillic(qtbot, window, project_file: Path) -> None:
    window.controller.go_relative(1)  # "Prisoners 😀 recruited with pardons"
    view = window.article_panel.view
    for needle, key in (("Wagner Group", Qt.Key.Key_1), ("Zoe\u0301 Dupre\u0301", Qt.Key.Key_1),
                        ("Заключённые", Qt.Key.Key_1)):
        select_text(window, needle)
        qtbot.keyClick(view, key)
    text = window.controller.bundle.article.text
    assert sorted(text[a.start : a.end] for a in in_file(project_file)) == sorted(
        ["Wagner Group", "Zoe\u0301 Dupre\u0301", "Заключённые"]
    )


def test_shortcuts_window_lists_every_action(qtbot, window) -> None:
    window.show_shortcuts()
    from app.ui.shortcuts_dialog import ShortcutsDialog

    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    names = {a.objectName() for a in window.findChildren(type(window.actions_by_name["undo"])) if a.shortcuts()}
    assert {"undo", "redo", "label_Actor", "next_unfinished_article", "mark_article_done"} <= names


def test_layout_last_article_and_coder_are_remembered(qtbot, project_file: Path, settings_file: Path) -> None:
    from app.ui.application import open_window
    from app.ui.settings import Settings

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    win.controller.go_relative(2)
    last = win.controller.bundle.article.id
    win.close()
    settings = Settings(settings_file)
    assert settings.last_coder(str(project_file)) == "ana"
    assert settings.recent_projects() == [str(project_file)]
    again = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(again)
    assert again.controller.bundle.article.id == last
    again.close()


def test_right_to_left_paragraphs_are_laid_out_from_the_right(qtbot, window) -> None:
    window.controller.go_relative(2)  # the Arabic article
    view = window.article_panel.view
    text = window.controller.bundle.article.text
    start = text.index("وصل")
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.controller.offsets.to_utf16(start))
    begins_at = view.cursorRect(cursor).x()
    latin = QTextCursor(view.document())
    latin.setPosition(window.controller.offsets.to_utf16(text.index("Later")))
    assert begins_at > view.viewport().width() * 0.8  # the Arabic paragraph starts at the right
    assert view.cursorRect(latin).x() < view.viewport().width() * 0.2  # the Latin one at the left


def test_dragging_an_edge_moves_it(qtbot, window, project_file: Path) -> None:
    view = window.article_panel.view
    select_text(window, "Anton Korolev")
    qtbot.keyClick(view, Qt.Key.Key_1)
    controller = window.controller
    text = controller.bundle.article.text
    end16 = controller.offsets.to_utf16(text.index("Anton Korolev") + len("Anton Korolev"))
    at_end, target = QTextCursor(view.document()), QTextCursor(view.document())
    at_end.setPosition(end16)
    target.setPosition(controller.offsets.to_utf16(text.index(", a lawyer") + len(", a lawyer")))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(at_end).center())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(target).center())
    (annotation,) = in_file(project_file)
    assert text[annotation.start : annotation.end] == "Anton Korolev, a lawyer"


def test_a_coder_package_opens_as_its_coder_without_asking(qtbot, project_file: Path, tmp_path: Path) -> None:
    from app.services.assignment import assign
    from app.services.packages import write_package
    from app.services.projects import open_project as open_
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    with open_(project_file) as project:
        project.store.coders.get_or_create("alice")
        assign(project, ["alice"], overlap=0.0, seed=1)
        write_package(project, "alice", tmp_path / "alice.loupe")
    window = MainWindow(Settings(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    assert window.ask_coder(tmp_path / "alice.loupe") == "alice"
