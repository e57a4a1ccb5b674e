"""Every command of the window as a QAction with a shortcut, and the menus holding them.

Coding gestures (label keys, Delete, link, nudges) are attached to the article view
with a widget shortcut context, so typing in a form field never triggers them; the
rest are window-wide. Help > Shortcuts lists all of them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.ui.article_panel import ArticlePanel
from app.ui.controller import CodingController
from app.ui.settings import Settings
from app.ui.window_parts import Menus

StandardKey = QKeySequence.StandardKey
Key = QKeySequence | QKeySequence.StandardKey | str


class WindowCommands(Protocol):
    """The main window's own commands, as its menus call them."""

    def choose_project(self) -> None: ...
    def fill_recent_menu(self) -> None: ...
    def choose_import(self) -> None: ...
    def choose_export(self) -> None: ...
    def switch_coder(self) -> None: ...
    def close(self) -> bool: ...
    def toggle_snap(self) -> None: ...
    def toggle_relations(self) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_codebook(self, label: str | None = None) -> None: ...
    def find_in_project(self) -> None: ...


def _action(
    parent: QObject, text: str, slot: Callable[[], object], *shortcuts: Key, name: str = "",
) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name or text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
    keys = [s if isinstance(s, QKeySequence) else QKeySequence(s) for s in shortcuts]
    if keys:
        action.setShortcuts(keys)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_menus(
    window: QObject, commands: WindowCommands, controller: CodingController, panel: ArticlePanel,
    settings: Settings, menus: Menus,
) -> dict[str, QAction]:
    """Fill ``menus`` (all but Team) with actions parented to ``window``; returns the
    actions by name."""
    c = controller
    view = panel.view
    actions: dict[str, QAction] = {}

    def fill(m: QMenu, items: Sequence[QAction | QMenu | None]) -> QMenu:
        for item in items:
            if item is None:
                m.addSeparator()
            elif isinstance(item, QMenu):
                m.addMenu(item)
            else:
                m.addAction(item)
                actions[item.objectName()] = item
        return m

    menus.recent.aboutToShow.connect(commands.fill_recent_menu)
    quit_action = _action(window, "&Quit", commands.close, StandardKey.Quit)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    fill(menus.file, [
        _action(window, "&Open Project…", commands.choose_project, StandardKey.Open),
        menus.recent,
        _action(window, "&Import Articles…", commands.choose_import, "Ctrl+I"),
        _action(window, "&Export…", commands.choose_export, "Ctrl+E"),
        _action(window, "Switch &Coder…", commands.switch_coder, "Ctrl+Shift+C"),
        None,
        quit_action,
    ])
    undo = c.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(QKeySequence.keyBindings(StandardKey.Undo))
    undo.setObjectName("undo")
    redo = c.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([*QKeySequence.keyBindings(StandardKey.Redo), QKeySequence("Ctrl+Y")])
    redo.setObjectName("redo")
    fill(menus.edit, [
        undo, redo, None,
        _action(window, "&Find in Article…", panel.show_find, StandardKey.Find),
        _action(window, "Find &Next", panel.find_next, StandardKey.FindNext),
        _action(window, "Find &Previous", lambda: panel.find_next(backward=True), StandardKey.FindPrevious),
        _action(window, "Find in Pro&ject…", commands.find_in_project, "Ctrl+Shift+F"),
    ])
    fill(menus.go, [
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
    fill(menus.code, coding)
    menus.code.addSeparator()  # the label actions of the open project's codebook follow
    fill(menus.view, [
        _action(window, "Zoom &In", lambda: view.zoom(1), StandardKey.ZoomIn, "Ctrl+="),
        _action(window, "Zoom &Out", lambda: view.zoom(-1), StandardKey.ZoomOut),
        None,
        _action(window, "&Snap Selections to Words", commands.toggle_snap, name="snap_to_words"),
        _action(window, "Show &Relations", commands.toggle_relations, name="showRelationsAction"),
    ])
    for name, checked in (("snap_to_words", settings.snap_to_words),
                          ("showRelationsAction", settings.show_relations)):
        actions[name].setCheckable(True)
        actions[name].setChecked(checked)
    fill(menus.help, [
        _action(window, "&Keyboard Shortcuts", commands.show_shortcuts, "F1", "Ctrl+/"),
        _action(window, "&Codebook", commands.show_codebook, "F2"),
    ])
    return actions


def build_label_actions(
    window: QObject, controller: CodingController, panel: ArticlePanel, code_menu: QMenu,
    previous: Sequence[QAction] = (),
) -> list[QAction]:
    """One action per span label of the open project, on its codebook key, attached to
    the article view and listed in ``code_menu``; ``previous`` (the last call's) are
    removed first. Returns the new ones."""
    view = panel.view
    for action in previous:
        view.removeAction(action)
        code_menu.removeAction(action)
    codebook = controller.project.codebook if controller.project else None
    created: list[QAction] = []
    for label in codebook.span_labels if codebook else ():
        action = _action(
            window, f"Apply {label.name}", _applier(panel, label.name), label.key, name=f"label_{label.name}",
        )
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(label.description)
        view.addAction(action)
        code_menu.addAction(action)
        created.append(action)
    return created


def _applier(panel: ArticlePanel, name: str) -> Callable[[], object]:
    return lambda: panel.view.apply_label(name)
