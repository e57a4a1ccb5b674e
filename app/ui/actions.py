"""Every command of the window as a QAction with a shortcut, and the menus holding them.

Coding gestures (label keys, Delete, link, nudges) are attached to the article view
with a widget shortcut context, so typing in a form field never triggers them; the
rest are window-wide. Help > Shortcuts lists all of them from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

StandardKey = QKeySequence.StandardKey


def _action(
    window: MainWindow, text: str, slot: Callable[[], object], *shortcuts: QKeySequence | str,
    name: str = "",
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name or text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
    keys = [QKeySequence(s) if isinstance(s, str) else s for s in shortcuts]
    if keys:
        action.setShortcuts(keys)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """Create the menus and their actions on ``window``; returns the actions by name."""
    c = window.controller
    panel = window.article_panel
    view = panel.view
    actions: dict[str, QAction] = {}

    def menu(title: str, items: list[QAction | QMenu | None]) -> QMenu:
        m = window.menuBar().addMenu(title)
        for item in items:
            if item is None:
                m.addSeparator()
            elif isinstance(item, QMenu):
                m.addMenu(item)
            else:
                m.addAction(item)
                actions[item.objectName()] = item
        return m

    window.recent_menu = QMenu("Open &Recent", window)
    window.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    quit_action = _action(window, "&Quit", window.close, StandardKey.Quit)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    menu("&File", [
        _action(window, "&Open Project…", window.choose_project, StandardKey.Open),
        window.recent_menu,
        _action(window, "&Import Articles…", window.choose_import, "Ctrl+I"),
        _action(window, "&Export…", window.choose_export, "Ctrl+E"),
        _action(window, "Switch &Coder…", window.switch_coder, "Ctrl+Shift+C"),
        None,
        quit_action,
    ])
    undo = c.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(QKeySequence.keyBindings(StandardKey.Undo))
    undo.setObjectName("undo")
    redo = c.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([*QKeySequence.keyBindings(StandardKey.Redo), QKeySequence("Ctrl+Y")])
    redo.setObjectName("redo")
    menu("&Edit", [
        undo, redo, None,
        _action(window, "&Find in Article…", panel.show_find, StandardKey.Find),
        _action(window, "Find &Next", panel.find_next, StandardKey.FindNext),
        _action(window, "Find &Previous", lambda: panel.find_next(backward=True), StandardKey.FindPrevious),
    ])
    menu("&Go", [
        _action(window, "&Previous Article", lambda: c.go_relative(-1), "Ctrl+PgUp", "Alt+Left"),
        _action(window, "&Next Article", lambda: c.go_relative(1), "Ctrl+PgDown", "Alt+Right"),
        _action(window, "Next &Unfinished Article", c.go_next_unfinished, "Ctrl+U"),
        None,
        _action(window, "Mark Article &Done", lambda: c.set_status("done"), "Ctrl+D"),
        _action(window, "Mark Article In &Progress", lambda: c.set_status("in_progress"), "Ctrl+Shift+D"),
    ])
    coding = [
        _action(window, "&Delete Annotation", c.delete_selected, "Del", "Backspace"),
        _action(window, "&Link to Next Clicked Annotation", view.request_link, "L"),
        _action(window, "Clear Selection", view.clear_selection, "Esc"),
        _action(window, "Move End Right", lambda: view.nudge_end(1), "Shift+Right"),
        _action(window, "Move End Left", lambda: view.nudge_end(-1), "Shift+Left"),
        _action(window, "Move Start Right", lambda: view.nudge_start(1), "Ctrl+Shift+Right"),
        _action(window, "Move Start Left", lambda: view.nudge_start(-1), "Ctrl+Shift+Left"),
    ]
    for action in coding:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        view.addAction(action)
    window.label_menu = menu("&Code", coding)
    window.label_menu.addSeparator()
    menu("&View", [
        _action(window, "Zoom &In", lambda: view.zoom(1), StandardKey.ZoomIn, "Ctrl+="),
        _action(window, "Zoom &Out", lambda: view.zoom(-1), StandardKey.ZoomOut),
        None,
        _action(window, "&Snap Selections to Words", window.toggle_snap, name="snap_to_words"),
        _action(window, "Show &Relations", window.toggle_relations, name="showRelationsAction"),
    ])
    for name, checked in (("snap_to_words", window.settings.snap_to_words),
                          ("showRelationsAction", window.settings.show_relations)):
        actions[name].setCheckable(True)
        actions[name].setChecked(checked)
    menu("&Help", [
        _action(window, "&Keyboard Shortcuts", window.show_shortcuts, "F1", "Ctrl+/"),
        _action(window, "&Codebook", window.show_codebook, "F2"),
    ])
    return actions


def build_label_actions(window: MainWindow) -> list[QAction]:
    """One action per span label, on its codebook key, attached to the article view."""
    view = window.article_panel.view
    for action in getattr(window, "label_actions", []):
        view.removeAction(action)
        window.label_menu.removeAction(action)
    codebook = window.controller.project.codebook if window.controller.project else None
    created: list[QAction] = []
    for label in codebook.span_labels if codebook else ():
        action = _action(
            window, f"Apply {label.name}", lambda name=label.name: view.apply_label(name), label.key,
            name=f"label_{label.name}",
        )
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(label.description)
        view.addAction(action)
        window.label_menu.addAction(action)
        created.append(action)
    window.label_actions = created
    return created
