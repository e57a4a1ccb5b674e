"""Article text with two codings painted over it: one as fills, one as outlines.

Coder A's spans (or the gold) are translucent fills under the text, drawn by the same
:class:`~app.ui.span_painter.SpanPainter` as the coding window; coder B's (or the group
being decided) are outlines over it, so both stay readable where they overlap. Read
only. Offsets arrive as code points and are converted here. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QTextCursor, QTextOption
from PySide6.QtWidgets import QTextEdit, QWidget

from app.core.offsets import OffsetMap
from app.ui.colors import background_for, is_dark, label_color
from app.ui.span_painter import Span, SpanPainter, span_rects


@dataclass(frozen=True)
class Marked:
    """A span to paint: code-point offsets and its label."""

    start: int
    end: int
    label: str


class CompareView(QTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setAccessibleName("Article text with two codings")
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        option = self.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        self.document().setDefaultTextOption(option)
        self.document().setDocumentMargin(12)
        self.offsets = OffsetMap("")
        self.fills: list[Marked] = []
        self.outlines: list[Marked] = []
        self._colors: dict[str, QColor] = {}
        self._painter = SpanPainter()

    def show_codings(
        self, text: str, fills: Iterable[Marked], outlines: Iterable[Marked],
        colors: Mapping[str, str] | None = None,
    ) -> None:
        """Show ``text`` with ``fills`` and ``outlines``; ``colors`` maps labels to #RRGGBB."""
        if text != self.toPlainText():
            self.setPlainText(text)
            self.offsets = OffsetMap(text)
        self._colors = {label: label_color(c) for label, c in (colors or {}).items()}
        self.fills, self.outlines = list(fills), list(outlines)
        dark = is_dark(self.palette())
        to16 = self.offsets.to_utf16
        self._painter.set_spans(
            (Span(to16(m.start), to16(m.end), background_for(self._color(m.label), dark)) for m in self.fills),
            (),
        )
        self.viewport().update()

    def _color(self, label: str) -> QColor:
        return self._colors.get(label, QColor("#9E9E9E"))

    def scroll_to(self, offset: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.offsets.to_utf16(min(offset, self.offsets.length)))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _rects(self, start: int, end: int) -> list[QRectF]:
        s16, e16 = self.offsets.to_utf16(start), self.offsets.to_utf16(end)
        block = self.document().findBlock(s16)
        rects: list[QRectF] = []
        while block.isValid() and block.position() < e16:
            rects.extend(span_rects(self.document(), block, s16, e16))
            block = block.next()
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        area = event.rect()
        top, bottom = dy + area.top(), dy + area.bottom()
        painter = QPainter(self.viewport())
        painter.translate(-dx, -dy)
        self._painter.paint_fills(painter, self.document(), top, bottom)
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-dx, -dy)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for marked in self.outlines:
            painter.setPen(QPen(self._color(marked.label).darker(140), 2))
            for rect in self._rects(marked.start, marked.end):
                if rect.bottom() >= top and rect.top() <= bottom:
                    painter.drawRoundedRect(rect.adjusted(-1, 0, 1, 0), 3, 3)
        painter.end()
