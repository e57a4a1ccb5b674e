"""The article list's model: the order of ids in memory, the rows read when drawn.

A coder's list may hold 100,000 articles. The model keeps only their ids, in the order
the store sorted and filtered them (:func:`app.services.coding.listing_order`), and reads
the columns of the rows a view asks for in windows of :data:`WINDOW` rows
(:func:`app.services.coding.listing_rows`), kept in a bounded cache. Marking the open
article, or changing one article's status, repaints that one row. Sorting asks the
panel for a new order (:attr:`ArticleListModel.sort_requested`); nothing is sorted here.
GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from app.services.coding import ListedArticle
from app.ui.colors import dot_icon, swatch_icon
from app.ui.row_model import LazyRowModel

STATUS_TEXT = {"todo": "To do", "in_progress": "In progress", "done": "Done"}
STATUS_COLORS = {"todo": "#B0B0B0", "in_progress": "#E8A33D", "done": "#4CAF50"}
TRAINING_COLOR = "#C9A227"
TRAINING_TIP = (
    "Training article: once you mark it done, your coding is compared with the gold standard."
)
#: The id of the article in a row (any column).
ARTICLE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Rows read from the project at once when a view draws one that is not cached.
WINDOW = LazyRowModel.WINDOW

_Index = QModelIndex | QPersistentModelIndex
#: (article ids) -> their rows, by id.
RowReader = Callable[[Sequence[str]], Mapping[str, ListedArticle]]


class Column(IntEnum):
    NUMBER = 0
    TITLE = 1
    SOURCE = 2
    DATE = 3
    STATUS = 4
    LANGUAGE = 5


HEADERS = ("#", "Title", "Source", "Date", "Status", "Lang.")
#: The store's sort key of each column.
SORT_KEYS = {
    Column.NUMBER: "position", Column.TITLE: "title", Column.SOURCE: "source",
    Column.DATE: "published", Column.STATUS: "status", Column.LANGUAGE: "language",
}


def display(row: ListedArticle, column: Column) -> str:
    if column == Column.NUMBER:
        return str(row.position)
    if column == Column.TITLE:
        return row.title
    if column == Column.SOURCE:
        return row.source or ""
    if column == Column.DATE:
        return (row.published or "")[:10]  # the date of an ISO timestamp
    if column == Column.LANGUAGE:
        return row.language or ""
    return STATUS_TEXT.get(row.status, row.status)


class ArticleListModel(LazyRowModel):
    """The coder's articles in the asked order; the open article is drawn bold."""

    HEADERS = HEADERS

    def __init__(self, read_rows: RowReader | None = None, parent: QWidget | None = None) -> None:
        super().__init__(read_rows, parent)
        self._current_id: str | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ARTICLE_ID_ROLE:
            return self._ids[index.row()]
        row = self.row_at(index.row())
        if row is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return display(row, column)
        if role == Qt.ItemDataRole.FontRole and row.id == self._current_id:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return dot_icon(QColor(STATUS_COLORS.get(row.status, STATUS_COLORS["todo"])))
        if role == Qt.ItemDataRole.DecorationRole and column == Column.TITLE and row.training:
            return swatch_icon(QColor(TRAINING_COLOR))
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.TITLE, Column.SOURCE):
            tip = row.title if not row.source else f"{row.title}\n{row.source}"
            return f"{tip}\n{TRAINING_TIP}" if row.training else tip
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def set_order(self, article_ids: Sequence[str]) -> None:
        """Show these articles in this order (rows are read again when drawn)."""
        self.set_ids(article_ids)

    def listing_at(self, row: int) -> ListedArticle | None:
        """The row's record, read with its neighbours if it is not cached."""
        found: ListedArticle | None = self.row_at(row)
        return found

    def set_current(self, article_id: str | None) -> None:
        """Mark the article that is open (drawn bold)."""
        previous, self._current_id = self._current_id, article_id
        for changed in (previous, article_id):
            if changed is not None:
                self.replace(changed, roles=[Qt.ItemDataRole.FontRole])

    def set_status(self, article_id: str, status: str) -> None:
        """One article's status changed: that row alone is updated and repainted."""
        cached = self._cache.get(article_id)
        self.replace(article_id, None if cached is None else replace(cached, status=status))
