"""A bar chart of alpha per span label, against Krippendorff's two thresholds.

Drawn with QPainter (QtCharts is not part of PySide6-Essentials): one bar per label,
red under 0.667 (no conclusions), amber under 0.800 (tentative ones only), green from
0.800, in the colours of the tables and the Excel sheet
(:data:`app.services.exporting.READING_COLORS`); dashed lines mark both thresholds. Undefined values show as "n/a".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.exporting import READING_COLORS, RELIABLE, TENTATIVE, reading

THRESHOLDS = (TENTATIVE, RELIABLE)


def reading_fill(value: float) -> QColor | None:
    """The pale fill behind a number with this reading (the Excel sheet's too)."""
    colors = READING_COLORS.get(reading(value))
    return None if colors is None else QColor(colors[0])


def bar_color(value: float) -> QColor:
    """The strong colour of the same reading, for bars and lines."""
    colors = READING_COLORS.get(reading(value))
    return QColor("#888888") if colors is None else QColor(colors[1])


class AlphaChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alphaChart")
        self.setAccessibleName("Alpha per label")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.title = "alpha_U per label"
        self.bars: list[tuple[str, float]] = []

    def set_bars(self, bars: Sequence[tuple[str, float]], title: str | None = None) -> None:
        self.bars = list(bars)
        if title:
            self.title = title
        self.setToolTip("\n".join(f"{name}: {'n/a' if math.isnan(v) else f'{v:.3f}'}" for name, v in self.bars))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(360, 220)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        line = metrics.height()
        margin = metrics.horizontalAdvance("0.000") + 10  # the thresholds' labels, beside the bars
        plot = QRectF(self.rect()).adjusted(44, line + 8, -margin, -(line + 10))
        painter.setPen(text)
        painter.drawText(QRectF(0, 2, self.width(), line), Qt.AlignmentFlag.AlignHCenter, self.title)
        if plot.height() < 20 or plot.width() < 20:
            painter.end()
            return

        def y_of(value: float) -> float:
            return plot.bottom() - max(0.0, min(1.0, value)) * plot.height()

        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        for value in (0.0, 0.5, 1.0):
            painter.drawText(QRectF(0, y_of(value) - line / 2, 40, line), Qt.AlignmentFlag.AlignRight, f"{value:.1f}")
        for value in THRESHOLDS:  # each line in the colour of the reading it starts
            painter.setPen(QPen(bar_color(value), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y_of(value)), QPointF(plot.right(), y_of(value)))
            painter.drawText(
                QRectF(plot.right() + 4, y_of(value) - line / 2, margin - 4, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{value:.3f}",
            )
        if self.bars:
            slot = plot.width() / len(self.bars)
            width = min(slot * 0.6, 60.0)
            for i, (name, value) in enumerate(self.bars):
                x = plot.left() + i * slot + (slot - width) / 2
                label_box = QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, line)
                painter.setPen(text)
                painter.drawText(label_box, Qt.AlignmentFlag.AlignHCenter, metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(slot)))
                if math.isnan(value):
                    painter.drawText(QRectF(x, plot.bottom() - line - 2, width, line), Qt.AlignmentFlag.AlignHCenter, "n/a")
                    continue
                top = y_of(value)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(bar_color(value))
                painter.drawRect(QRectF(x, top, width, plot.bottom() - top))
                painter.setPen(text)
                painter.drawText(QRectF(x - 10, top - line - 1, width + 20, line), Qt.AlignmentFlag.AlignHCenter, f"{value:.2f}")
        painter.end()
