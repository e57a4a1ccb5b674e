"""The coding window: the only package that imports Qt.

Widgets call :mod:`app.services` through :class:`~app.ui.controller.CodingController`,
never the store. May import: PySide6, :mod:`app.services`, :mod:`app.core`. The window
is built by :mod:`app.ui.application` (``run_gui``, ``open_window``).
"""
