"""Starting Qt: the application object, the GUI entry point of ``loupe`` and
``open_window`` (the window without the event loop, for tests and scripts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.errors import LoupeError
from app.core.location import Location, is_server, location_of
from app.paths import resources_dir
from app.services.sample import ensure_sample_project

if TYPE_CHECKING:  # the window is imported when one is built, not when Qt starts
    from app.ui.main_window import MainWindow


def window_icon() -> QIcon:
    """Loupe's icon (``resources/icons/loupe.svg``) for every window; null if the SVG
    image plugin is missing (``loupe self-test`` reports that)."""
    return QIcon(str(resources_dir() / "icons" / "loupe.svg"))


def ensure_application() -> QApplication:
    """The QApplication, created once with Loupe's names (used by QSettings)."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Loupe")
        app.setOrganizationName("Loupe")
        app.setApplicationDisplayName("Loupe")
    assert isinstance(app, QApplication)
    if app.windowIcon().isNull():
        app.setWindowIcon(window_icon())
    return app


def show_refusal(message: str) -> None:
    """The one sentence of a refusal in a dialog, for a start without a terminal (a
    launcher, a double-click on a file), where a line on stderr would go unseen."""
    ensure_application()
    QMessageBox.critical(None, "Loupe", message)


def open_window(project_path: str | Path, coder_name: str, *, settings_path: str | Path | None = None) -> MainWindow:
    """Build and show the main window on a project as ``coder_name``, without starting
    the event loop (for tests and the screenshot script). Creates the QApplication if
    there is none yet."""
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    ensure_application()
    window = MainWindow(Settings(settings_path))
    window.open_project(location_of(project_path), coder_name)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def run_gui(project_path: Location | None, coder_name: str | None = None) -> int:
    """Open the window (signing in to a team server and asking for the coder if needed)
    and run the event loop."""
    from app.ui.crash import install_crash_handler
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    app = ensure_application()
    install_crash_handler()  # an uncaught error writes a log and the window says where
    settings = Settings()
    window = MainWindow(settings)
    if project_path is None:
        recent = [Path(p) for p in settings.recent_projects() if Path(p).is_file()]
        project_path = recent[0] if recent else ensure_sample_project()
    try:
        if is_server(project_path):
            from app.ui.server_sign_in import open_on_server

            if not open_on_server(window, str(project_path), coder_name):
                return 0
        else:
            coder = coder_name or window.ask_coder(project_path)
            if coder is None:
                return 0
            window.open_project(project_path, coder)
    except LoupeError as exc:
        QMessageBox.critical(None, "Loupe", exc.message)
        return 1
    window.show()
    if os.environ.get("LOUPE_QUIT_WHEN_SHOWN"):
        # For start-up measurements: quit once the shown window has been drawn.
        QTimer.singleShot(0, app.quit)
        code = app.exec()
        print(f"ready spacy_loaded={'spacy' in sys.modules}")
        return code
    return app.exec()
