"""Render Loupe's icon (``resources/icons/loupe.svg``) for the installers.

    python packaging/icons.py OUT_DIR

Writes ``loupe.png`` (256 px, for Linux launchers), ``loupe.ico`` (Windows) and
``loupe.icns`` (macOS) into OUT_DIR, a build folder: the SVG is the only source kept in
the repository. Uses Qt's SVG renderer and image writers, so it needs no other tool.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "loupe.svg"


def render(out_dir: Path) -> dict[str, Path]:
    """Write the icon files; returns {format: path} of those Qt could write."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")

    def image(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        return img

    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    supported = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for fmt, size in (("png", 256), ("ico", 256), ("icns", 512)):
        if fmt not in supported:
            continue
        path = out_dir / f"loupe.{fmt}"
        if image(size).save(str(path), fmt.upper()):
            written[fmt] = path
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    for fmt, path in render(target).items():
        print(f"{fmt}: {path}")
