"""Relations drawn over the article text as arcs, from the source span to the target span.

Each arc leaves the top centre of the source span's first line, rises above the higher
of the two lines and comes down onto the top centre of the target span's first line,
where an arrowhead points into it; the relation type sits on the arc's top in a small
label with a light background. The arc is a cubic curve whose control points lie
straight above its ends, so it leaves and meets the spans vertically; it rises higher
the further apart its ends are (up to :data:`MAX_RISE`), so a long arc passes over a
short one between the same lines instead of through it.

Like the highlights (:mod:`app.ui.span_painter`), arcs are computed at paint time and
only for relations with an end in the visible band: a relation whose both ends are off
screen is skipped; one with a single end on screen is drawn whole and clipped by the
viewport, so the part on screen heads off towards its other end. Offsets are UTF-16.

Room above the lines: while an article has relations drawn, its lines are spaced by
:data:`RELATION_LINE_HEIGHT` percent (the extra space goes between lines), so short
arcs and their labels sit in the gap above a line instead of on the previous line's
text. Longer arcs may still cross that line: they are translucent unless they belong to
the selected annotation, and labels keep a light background, so the text stays
readable. Articles without relations keep the normal spacing. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)

from app.ui.span_painter import span_rects

#: Rise (pixels) of an arc between spans side by side, above the higher anchor.
MIN_RISE = 9.0
#: Extra rise per pixel of horizontal distance between the ends.
RISE_PER_PIXEL = 0.06
#: The highest an arc rises above its higher anchor.
MAX_RISE = 30.0
#: Line height (percent) of an article while its relations are drawn.
RELATION_LINE_HEIGHT = 160
#: Length and half-width (pixels) of the arrowhead.
HEAD_LENGTH, HEAD_HALF_WIDTH = 7.0, 3.5


@dataclass(frozen=True, slots=True)
class ArcRelation:
    """What an arc shows: one relation, its ends as UTF-16 ranges, its colour."""

    id: str
    label: str
    source: tuple[int, int]
    target: tuple[int, int]
    color: QColor
    emphasised: bool = False


@dataclass(frozen=True, slots=True)
class Arc:
    """The geometry of one arc, in document coordinates."""

    relation: ArcRelation
    start: QPointF
    end: QPointF
    path: QPainterPath
    top: QPointF
    head: QPolygonF


def anchor(document: QTextDocument, start: int, end: int) -> QPointF | None:
    """Top centre of the first line rectangle of ``[start, end)``, or None if empty."""
    block = document.findBlock(start)
    while block.isValid() and block.position() < end:
        rects = span_rects(document, block, start, end)
        if rects:
            return QPointF(rects[0].center().x(), rects[0].top())
        block = block.next()
    return None


def rise_for(dx: float) -> float:
    return min(MAX_RISE, MIN_RISE + RISE_PER_PIXEL * abs(dx))


def arc_between(relation: ArcRelation, start: QPointF, end: QPointF) -> Arc:
    """A cubic from ``start`` to ``end`` whose top lies :func:`rise_for` above the higher end."""
    peak = min(start.y(), end.y()) - rise_for(end.x() - start.x())
    # A cubic's midpoint is (p0 + 3 c1 + 3 c2 + p3) / 8: put the controls where it peaks at ``peak``.
    control_y = (8 * peak - start.y() - end.y()) / 6
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), control_y), QPointF(end.x(), control_y), end)
    top = QPointF((start.x() + end.x()) / 2, peak)
    # The curve meets the target vertically, from above: the head points straight down.
    tip = QPointF(end.x(), end.y())
    head = QPolygonF([
        tip,
        QPointF(tip.x() - HEAD_HALF_WIDTH, tip.y() - HEAD_LENGTH),
        QPointF(tip.x() + HEAD_HALF_WIDTH, tip.y() - HEAD_LENGTH),
    ])
    return Arc(relation, start, end, path, top, head)


def visible_arcs(
    document: QTextDocument, relations: Iterable[ArcRelation], first: int, last: int
) -> list[Arc]:
    """Arcs of the relations with an end starting in the UTF-16 range ``[first, last)``."""
    arcs = []
    for relation in relations:
        if not (first <= relation.source[0] < last or first <= relation.target[0] < last):
            continue
        start, end = anchor(document, *relation.source), anchor(document, *relation.target)
        if start is not None and end is not None:
            arcs.append(arc_between(relation, start, end))
    return arcs


def label_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(6.5, base.pointSizeF() * 0.72))
    return font


def paint_arcs(painter: QPainter, arcs: list[Arc], font: QFont, background: QColor) -> None:
    """Light arcs first, then the emphasised ones over them; labels over every curve."""
    arcs = sorted(arcs, key=lambda arc: arc.relation.emphasised)
    small = label_font(font)
    metrics = QFontMetricsF(small)
    painter.setFont(small)
    for arc in arcs:
        color = _stroke(arc.relation)
        painter.setPen(QPen(color, 2.0 if arc.relation.emphasised else 1.3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(arc.path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(arc.head)
    for arc in arcs:
        color = _stroke(arc.relation)
        width = metrics.horizontalAdvance(arc.relation.label) + 8
        height = metrics.height() + 1
        box = QRectF(arc.top.x() - width / 2, arc.top.y() - height / 2, width, height)
        fill = QColor(background)
        fill.setAlpha(235 if arc.relation.emphasised else 200)
        painter.setPen(QPen(color, 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, height / 2, height / 2)
        text = QColor(color)
        text.setAlpha(255 if arc.relation.emphasised else 190)
        painter.setPen(text)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, arc.relation.label)


def _stroke(relation: ArcRelation) -> QColor:
    color = relation.color.darker(125 if relation.emphasised else 105)
    color.setAlpha(255 if relation.emphasised else 120)
    return color


def set_line_height(document: QTextDocument, percent: int) -> None:
    """Space every line of ``document`` by ``percent`` of its natural height."""
    block_format = QTextBlockFormat()
    block_format.setLineHeight(percent, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    undo = document.isUndoRedoEnabled()
    document.setUndoRedoEnabled(False)  # a read-only view: no undo record per block
    cursor = QTextCursor(document)
    cursor.setPosition(document.characterCount() - 1, QTextCursor.MoveMode.KeepAnchor)
    cursor.mergeBlockFormat(block_format)
    document.setUndoRedoEnabled(undo)
