"""The coding window: the only package that imports Qt.

Widgets call :mod:`app.services` through :class:`~app.ui.controller.CodingController`,
never the store. May import: PySide6, :mod:`app.services`, :mod:`app.core`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def open_window(project_path: str | Path, coder_name: str, *, settings_path: str | Path | None = None) -> MainWindow:
    """Build and show the main window on a project as ``coder_name``, without starting
    the event loop (for tests and the screenshot script). Creates the QApplication if
    there is none yet."""
    from app.ui.application import ensure_application
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    ensure_application()
    window = MainWindow(Settings(settings_path))
    window.open_project(Path(project_path), coder_name)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
