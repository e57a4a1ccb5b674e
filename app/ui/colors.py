"""Colours of labels and entity types, and the small icons that show them.

Entity types (spaCy's labels) get a fixed palette so that PERSON is the same blue in
every article and on every coder's laptop; unknown types get a colour derived from a
hash of the name, which is stable across runs (Python's ``hash()`` is not). Span
labels carry their colour in the codebook.

Highlights are drawn as translucent fills under the text, so the text colour of the
palette (dark on light, light on dark) stays readable: :func:`background_for` keeps
the fill light in a light palette and dark in a dark one. GUI thread only (pixmaps).
"""

from __future__ import annotations

import functools
import hashlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap

#: Colours for the entity types of spaCy's English pipelines that coders meet most.
ENTITY_COLORS: dict[str, str] = {
    "PERSON": "#4E79A7",
    "NORP": "#B07AA1",
    "ORG": "#F28E2B",
    "GPE": "#59A14F",
    "LOC": "#76B7B2",
    "FAC": "#9C755F",
    "DATE": "#EDC948",
    "EVENT": "#E15759",
}

#: Shown for a codebook colour that Qt cannot parse (a codebook is data, not code).
FALLBACK_COLOR = "#9E9E9E"


def entity_color(label: str) -> QColor:
    """The colour of an entity type: fixed for the common ones, else hash-derived."""
    fixed = ENTITY_COLORS.get(label.upper())
    if fixed is not None:
        return QColor(fixed)
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    # Mid saturation and lightness: distinct from each other, never neon or muddy.
    return QColor.fromHsl(hue, 140 + digest[2] % 60, 120 + digest[3] % 30)


def label_color(hex_color: str) -> QColor:
    """The colour of a codebook span label given as ``#RRGGBB``."""
    color = QColor(hex_color)
    return color if color.isValid() else QColor(FALLBACK_COLOR)


def background_for(color: QColor, dark: bool) -> QColor:
    """A translucent fill of ``color`` under text that stays readable.

    On a light palette the fill is lightened so dark text keeps its contrast; on a
    dark palette it is darkened so light text does. The alpha lets overlapping
    highlights show through each other.
    """
    hue = max(color.hslHueF(), 0.0)  # achromatic colours report a hue of -1
    saturation, lightness = color.hslSaturationF(), color.lightnessF()
    if dark:
        return QColor.fromHslF(hue, saturation, min(lightness, 0.42), 0.55)
    return QColor.fromHslF(hue, saturation, max(lightness, 0.62), 0.38)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws text on a dark background: its Base, the colour behind
    the article text and tables, where the highlight fills are drawn."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@functools.lru_cache(maxsize=256)
def _icon(rgba: int, size: int, round_dot: bool) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor.fromRgba(rgba)
    painter.setPen(QPen(color.darker(140), 1))
    painter.setBrush(color)
    rect = QRectF(0.5, 0.5, size - 1, size - 1)
    if round_dot:
        painter.drawEllipse(rect.adjusted(size / 6, size / 6, -size / 6, -size / 6))
    else:
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 2, 2)
    painter.end()
    return QIcon(pixmap)


def swatch_icon(color: QColor, size: int = 14) -> QIcon:
    """A small rounded square of ``color`` (labels in lists and tables)."""
    return _icon(color.rgba(), size, False)


def dot_icon(color: QColor, size: int = 12) -> QIcon:
    """A small filled circle of ``color`` (statuses)."""
    return _icon(color.rgba(), size, True)
