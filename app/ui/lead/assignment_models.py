"""Models of the assignments panel: each coder's load, and every article's coders.

Rows are frozen records from :mod:`app.services.assignment`; a column's sort value is
given under :data:`SORT_ROLE` (numbers as numbers, statuses in the order of the work).
The article table is lazy: its order comes from the store, its rows are read when drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from app.core.team import ArticleAssignment, AssignmentCell, CoderLoad
from app.ui.row_model import Index, RowTableModel

#: The value a column sorts by (numbers as numbers, statuses in the order of the work).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done"}
STATUS_RANK = {None: 0, "todo": 1, "in_progress": 2, "done": 3}
STATUS_COLOR = {"in_progress": QColor(255, 214, 102, 90), "done": QColor(120, 200, 120, 90)}


def hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def percent_done(load: CoderLoad) -> int:
    """Done among every article the coder has a status on (assigned or worked on)."""
    total = load.todo + load.in_progress + load.done
    return round(100 * load.done / total) if total else 0


def cell_text(cell: AssignmentCell | None) -> str:
    if cell is None:
        return ""
    status = STATUS_TEXT.get(cell.status or "", "worked")
    return status if cell.assigned else f"{status} (not assigned)"


class LoadModel(RowTableModel):
    """One row per coder and lead: the figures of ``loupe assignments``."""

    HEADERS = ("Coder", "Role", "Assigned", "To do", "In progress", "Done", "Overlap", "Time", "Done %")

    def cells(self, row: CoderLoad) -> tuple[str, ...]:
        figures = (row.assigned, row.todo, row.in_progress, row.done, row.overlap)
        return (row.name, row.role, *map(str, figures), hours(row.seconds_spent), f"{percent_done(row)} %")

    def extra(self, row: CoderLoad, column: int, role: int) -> Any:
        if role == SORT_ROLE and column == len(self.HEADERS) - 1:
            return percent_done(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


#: Rows read from the project at once when a view draws one that is not cached.
WINDOW = 200
#: Rows kept; beyond this the cache starts afresh (a view shows a few dozen).
CACHE_ROWS = 5_000
#: (article ids) -> their rows, by id.
RowReader = Callable[[Sequence[str]], Mapping[str, ArticleAssignment]]


class ArticleModel(QAbstractTableModel):
    """Every article shown, one column per coder with their status on it, and the overlap.

    Lazy, as the coder's article list: the model keeps the ids in the order the store
    sorted and filtered them (:meth:`set_order`) and reads the rows a view draws in
    windows of :data:`WINDOW` (the reader given to :meth:`set_reader`). Sorting asks
    the view for a new order (:attr:`sort_requested`); nothing is sorted here.
    """

    #: The view asked to sort by (column, order): the panel reads a new order.
    sort_requested = Signal(int, Qt.SortOrder)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.coders: tuple[str, ...] = ()
        self.HEADERS: tuple[str, ...] = ("#", "Title", "Source", "Overlap")
        self._read_rows: RowReader = lambda _ids: {}
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, ArticleAssignment] = {}

    def set_reader(self, read_rows: RowReader) -> None:
        self._read_rows = read_rows

    def set_table(self, article_ids: Sequence[str], coders: Sequence[str]) -> None:
        """Show these articles in this order, with a column per coder (rows read when drawn)."""
        self.beginResetModel()
        self.coders = tuple(coders)
        self.HEADERS = ("#", "Title", "Source", *self.coders, "Overlap")
        self._ids = list(article_ids)
        self._index = {}  # built when first asked (40 ms at 100,000 rows)
        self._cache.clear()
        self.endResetModel()

    # -- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.UserRole:
            return row
        return self.extra(row, column, role)

    # -- our API -------------------------------------------------------------------------
    def ids(self) -> list[str]:
        return self._ids

    def row_for_id(self, article_id: str | None) -> int:
        """The row of ``article_id``, or -1."""
        if article_id is None or not self._ids:
            return -1
        if not self._index:
            self._index = {a: i for i, a in enumerate(self._ids)}
        return self._index.get(article_id, -1)

    def row_at(self, row: int) -> ArticleAssignment | None:
        """The row's record, read with its neighbours if it is not cached."""
        article_id = self._ids[row]
        found = self._cache.get(article_id)
        if found is None:
            if len(self._cache) > CACHE_ROWS:
                self._cache.clear()
            first = max(0, row - WINDOW // 4)
            wanted = [i for i in self._ids[first : first + WINDOW] if i not in self._cache]
            self._cache.update(self._read_rows(wanted))
            found = self._cache.get(article_id)
        return found

    def rows_of(self, article_ids: Sequence[str]) -> list[ArticleAssignment]:
        """The records of these articles, in this order (read in one go if not cached)."""
        missing = [a for a in article_ids if a not in self._cache]
        read = dict(self._read_rows(missing)) if missing else {}
        return [r for r in (self._cache.get(a) or read.get(a) for a in article_ids) if r is not None]

    def cells(self, row: ArticleAssignment) -> tuple[str, ...]:
        statuses = (cell_text(row.coders.get(name)) for name in self.coders)
        return (str(row.position), row.title, row.source or "", *statuses, "yes" if row.overlap else "no")

    def coder_at(self, column: int) -> str | None:
        return self.coders[column - 3] if 3 <= column < 3 + len(self.coders) else None

    def extra(self, row: ArticleAssignment, column: int, role: int) -> Any:
        coder = self.coder_at(column)
        cell = row.coders.get(coder) if coder else None
        if role == SORT_ROLE:
            if column == 0:
                return row.position
            if coder is not None:
                return (STATUS_RANK[cell.status] + 4 * (cell.assigned)) if cell else -1
            if column == 1:
                return row.title.casefold()
            return (row.source or "").casefold() if column == 2 else int(row.overlap)
        if role == Qt.ItemDataRole.BackgroundRole and cell is not None and cell.assigned:
            return STATUS_COLOR.get(cell.status or "")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ProgressDelegate(QStyledItemDelegate):
    """Draws the done share as a progress bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | Any) -> None:
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 2, -2, -2)
        bar.minimum, bar.maximum = 0, 100
        bar.progress = int(index.data(SORT_ROLE) or 0)
        bar.text = str(index.data())
        bar.textVisible = True
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


