"""What the parts of the coding window know of it, so that none imports ``main_window``.

The main window composes its menus, docks, dialogs and background tasks; they receive
what they use from it: the controller, a widget to parent to, the menus to fill. The
two types here name that for the modules that need the same things:

- :class:`Menus`, the window's menus in menu-bar order, created by the window and
  filled by the builders (:mod:`app.ui.actions`, :mod:`app.ui.lead.team_menu`);
- :class:`ProjectWindow`, the window as the tasks and dialogs it starts see it (a
  window to parent them to, with the controller of its open project).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QMainWindow, QMenu

from app.core.errors import LoupeError
from app.core.location import Location
from app.ui.controller import CodingController


@dataclass(frozen=True)
class Menus:
    """The menus of the main window; ``recent`` is File > Open Recent."""

    file: QMenu
    recent: QMenu
    edit: QMenu
    go: QMenu
    code: QMenu
    view: QMenu
    team: QMenu
    help: QMenu


class ProjectWindow(QMainWindow):
    """The main window as the tasks and dialogs it starts (import, export, merge, the
    Team menu) see it. :class:`app.ui.main_window.MainWindow` is the one subclass; its
    parts name this type instead of importing it back."""

    #: The controller of the project open in this window.
    controller: CodingController

    # Opening a project, as signing in to a team server (app.ui.server_sign_in) uses it.
    def ask_coder(self, path: Location) -> str | None:
        raise NotImplementedError

    def open_project(self, path: Location, coder_name: str) -> None:
        raise NotImplementedError

    def open_offline(self, path: Location, unreachable: LoupeError) -> None:
        raise NotImplementedError
