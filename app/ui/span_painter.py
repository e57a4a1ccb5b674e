"""Painting entities and annotations under and over the article text.

Only the spans on screen are drawn, at paint time: opening an article costs a sort of
its spans, not a pass over every character, so a 100,000-character article with ten
thousand highlights opens as fast as plain text. Annotations are translucent fills
painted before the text, longest first, so nested and overlapping spans compose into
distinct shades; entities are dashed underlines painted after it. Offsets are UTF-16.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextDocument, QTextLine

#: Spans longer than this (UTF-16 units) are checked on every paint instead of indexed.
LONG_SPAN = 1024


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    color: QColor


class SpanIndex:
    """Spans sorted by start, answering "which spans touch [a, b)" quickly."""

    def __init__(self, spans: Iterable[Span]) -> None:
        short: list[Span] = []
        self.long: list[Span] = []
        for span in spans:
            if span.end > span.start:
                (self.long if span.end - span.start > LONG_SPAN else short).append(span)
        short.sort(key=lambda s: s.start)
        self.short = short
        self.starts = [s.start for s in short]

    def __len__(self) -> int:
        return len(self.short) + len(self.long)

    def touching(self, a: int, b: int) -> list[Span]:
        first = bisect_left(self.starts, a - LONG_SPAN)
        last = bisect_left(self.starts, b)
        found = [s for s in self.short[first:last] if s.end > a]
        found.extend(s for s in self.long if s.start < b and s.end > a)
        return found


def visible_blocks(document: QTextDocument, top: float, bottom: float) -> Iterator[QTextBlock]:
    """Blocks whose bounding rectangle meets the document's band [top, bottom]."""
    layout = document.documentLayout()
    position = layout.hitTest(QPointF(0, top), Qt.HitTestAccuracy.FuzzyHit)
    block = document.findBlock(max(0, position))
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        if rect.top() > bottom:
            break
        if rect.bottom() >= top:
            yield block
        block = block.next()


def span_rects(document: QTextDocument, block: QTextBlock, start: int, end: int) -> list[QRectF]:
    """Document rectangles of ``[start, end)`` within ``block``, one per line."""
    origin = document.documentLayout().blockBoundingRect(block).topLeft()
    layout = block.layout()
    b_start = max(start, block.position()) - block.position()
    b_end = min(end, block.position() + block.length() - 1) - block.position()
    rects = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        l_start = line.textStart()
        a, b = max(b_start, l_start), min(b_end, l_start + line.textLength())
        if a >= b:
            continue
        x1, x2 = _x_of(line, a), _x_of(line, b)
        left, right = min(x1, x2), max(x1, x2)
        rects.append(QRectF(origin.x() + left, origin.y() + line.y(), right - left, line.height()))
    return rects


class SpanPainter:
    """The fills and underlines of one article; paints the visible part on request."""

    def __init__(self) -> None:
        self.fills = SpanIndex(())
        self.underlines = SpanIndex(())

    def set_spans(self, fills: Iterable[Span], underlines: Iterable[Span]) -> None:
        self.fills = SpanIndex(fills)
        self.underlines = SpanIndex(underlines)

    def set_fills(self, fills: Iterable[Span]) -> None:
        self.fills = SpanIndex(fills)

    def _visible(
        self, index: SpanIndex, document: QTextDocument, top: float, bottom: float
    ) -> Iterator[tuple[Span, list[QRectF]]]:
        for block in visible_blocks(document, top, bottom):
            a, b = block.position(), block.position() + block.length()
            for span in index.touching(a, b):
                rects = span_rects(document, block, span.start, span.end)
                if rects:
                    yield span, rects

    def paint_fills(self, painter: QPainter, document: QTextDocument, top: float, bottom: float) -> None:
        """Translucent fills, outer (longer) spans first so inner ones sit on top."""
        found = list(self._visible(self.fills, document, top, bottom))
        found.sort(key=lambda item: item[0].start - item[0].end)
        painter.setPen(Qt.PenStyle.NoPen)
        for span, rects in found:
            painter.setBrush(span.color)
            for rect in rects:
                painter.drawRect(rect)

    def paint_underlines(self, painter: QPainter, document: QTextDocument, top: float, bottom: float) -> None:
        for span, rects in self._visible(self.underlines, document, top, bottom):
            pen = QPen(span.color, 1.6, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for rect in rects:
                y = rect.bottom() - 1.5
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))


def _x_of(line: QTextLine, position: int) -> float:
    """The x of ``position`` on ``line``. PySide6 returns ``(x, position)`` where C++
    returns x and updates the position; its stubs say ``object``."""
    x, _position = cast("tuple[float, int]", line.cursorToX(position))
    return x
