"""Every Loupe window carries Loupe's icon (taskbar, window switcher, title bar)."""

from __future__ import annotations

from app.ui.application import ensure_application, window_icon


def test_the_application_icon_loads_from_the_svg_and_every_window_has_it(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMainWindow

    app = ensure_application()
    assert not window_icon().pixmap(64, 64).isNull()  # the SVG image plugin read the file
    assert not app.windowIcon().isNull()
    window = QMainWindow()
    qtbot.addWidget(window)
    assert window.windowIcon().cacheKey() == app.windowIcon().cacheKey()
    image = window.windowIcon().pixmap(48, 48).toImage()
    assert len({image.pixel(x, y) for x in range(0, 48, 4) for y in range(0, 48, 4)}) > 2  # drawn, not blank
