"""The hits of Find in Project as a table: #, title and the match in its sentence.

The sentence is drawn keyword-in-context by :class:`KwicDelegate`: the match in bold on
a highlighter tint at a fixed point of the column, the words before it cut at their far
end and the words after it cut at theirs, so that the matches of many rows stand in one
column and can be read down it. A right-to-left sentence (Arabic) is mirrored. Only the
rows on screen are split and painted; the model keeps the hits as they came. GUI thread
only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.search import Hit
from app.ui.row_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex

#: The (before, match, after) parts of a hit's sentence, or None when the match cannot
#: be found in it (a title-only hit); see :func:`kwic_split`.
KWIC_ROLE = Qt.ItemDataRole.UserRole + 1
#: Where the match starts, as a share of the column's width (mirrored for right-to-left).
ANCHOR = 0.4
#: The tint behind the match (translucent: readable on light and dark rows).
MATCH_TINT = QColor(255, 200, 0, 90)


class Column:
    NUMBER = 0
    TITLE = 1
    MATCH = 2


def kwic_split(sentence: str, matched: str, occurrence: int = 0) -> tuple[str, str, str] | None:
    """``sentence`` cut around the ``occurrence``-th (from 0) whole-word appearance of
    ``matched`` (its white space may have been folded to single spaces in the sentence);
    None when it is not there."""
    words = matched.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    for pattern in (rf"(?<!\w){body}(?!\w)", body):
        found = list(re.finditer(pattern, sentence))
        if found:
            match = found[min(occurrence, len(found) - 1)]
            return sentence[: match.start()], match.group(), sentence[match.end() :]
    return None


def is_right_to_left(text: str) -> bool:
    """Whether the first letter with a strong direction is right-to-left (Arabic, Hebrew)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


class SearchHitModel(RowTableModel):
    """One row per :class:`~app.services.search.Hit`; the row under ``UserRole``."""

    HEADERS = ("#", "Title", "Match")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: For each row, how many hits before it matched the same words in the same
        #: sentence of the same article (which appearance in the sentence is its own).
        self._occurrence: list[int] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        occurrence = []
        for hit in rows:
            key = (hit.article_id, hit.sentence, hit.matched)
            occurrence.append(seen.get(key, 0))
            seen[key] = occurrence[-1] + 1
        self._occurrence = occurrence
        super().set_rows(rows)

    def cells(self, row: Hit) -> tuple[str, ...]:
        return str(row.number), row.title, row.sentence

    def extra(self, row: Hit, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == KWIC_ROLE:
            if not index.isValid() or not 0 <= index.row() < len(self.rows):
                return None
            hit = self.rows[index.row()]
            return kwic_split(hit.sentence, hit.matched, self._occurrence[index.row()])
        return super().data(index, role)

    def hit(self, row: int) -> Hit:
        return self.rows[row]


class KwicDelegate(QStyledItemDelegate):
    """Draws a hit's sentence keyword-in-context (see the module docstring); a cell
    without a match found in it is drawn as plain elided text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        parts = index.data(KWIC_ROLE)
        if parts is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(3, 0, -3, 0)
        if rect.width() <= 0:
            return
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal if opt.state & QStyle.StateFlag.State_Active else QPalette.ColorGroup.Inactive
        pen = opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        painter.save()
        painter.setPen(pen)
        self._draw(painter, rect, opt.font, parts, is_right_to_left(parts[0] + parts[1]))
        painter.restore()

    @staticmethod
    def _draw(painter: QPainter, rect: QRect, font: QFont, parts: tuple[str, str, str], rtl: bool) -> None:
        before, match, after = parts
        bold = QFont(font)
        bold.setBold(True)
        plain_metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
        width = rect.width()
        match = bold_metrics.elidedText(match, Qt.TextElideMode.ElideRight, width)
        match_width = bold_metrics.horizontalAdvance(match)
        # The room before the match, in reading order (the same in every row, so the
        # matches stand in one column); what is left goes to the words after it.
        lead = max(0, min(int(width * ANCHOR), width - match_width))
        tail = max(0, width - lead - match_width)
        before = plain_metrics.elidedText(before, Qt.TextElideMode.ElideLeft, lead)
        after = plain_metrics.elidedText(after, Qt.TextElideMode.ElideRight, tail)
        top, height = rect.top(), rect.height()
        if rtl:  # mirrored: before on the right, after on the left
            painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            match_rect = QRect(rect.right() - lead - match_width + 1, top, match_width, height)
            before_rect = QRect(match_rect.right() + 1, top, lead, height)
            after_rect = QRect(rect.left(), top, tail, height)
            before_align, after_align = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
        else:
            match_rect = QRect(rect.left() + lead, top, match_width, height)
            before_rect = QRect(rect.left(), top, lead, height)
            after_rect = QRect(match_rect.right() + 1, top, tail, height)
            before_align, after_align = Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft
        # Absolute: in a right-to-left painter, AlignLeft would otherwise mean the right edge.
        middle = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignAbsolute | Qt.TextFlag.TextSingleLine
        painter.setFont(font)
        painter.drawText(before_rect, before_align | middle, before)
        painter.drawText(after_rect, after_align | middle, after)
        painter.fillRect(match_rect.adjusted(-1, 2, 1, -2), MATCH_TINT)
        painter.setFont(bold)
        painter.drawText(match_rect, Qt.AlignmentFlag.AlignLeft | middle, match)
