"""Models of the assignments panel: each coder's load, and every article's coders.

Rows are frozen records from :mod:`app.services.assignment`; a column's sort value is
given under :data:`SORT_ROLE` (numbers as numbers, statuses in the order of the work).
The article table is lazy: its order comes from the store, its rows are read when drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
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
from app.ui.row_model import Index, LazyRowModel, RowTableModel

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


#: (article ids) -> their rows, by id.
RowReader = Callable[[Sequence[str]], Mapping[str, ArticleAssignment]]


class ArticleModel(LazyRowModel):
    """Every article shown, one column per coder with their status on it, and the overlap.

    Lazy, as the coder's article list (:class:`~app.ui.row_model.LazyRowModel`): the ids
    in the order the store sorted and filtered them, the rows read when drawn; sorting
    asks the view for a new order (:attr:`sort_requested`).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(None, parent)
        self.coders: tuple[str, ...] = ()
        self.HEADERS: tuple[str, ...] = ("#", "Title", "Source", "Overlap")

    def set_table(self, article_ids: Sequence[str], coders: Sequence[str]) -> None:
        """Show these articles in this order, with a column per coder (rows read when drawn)."""
        self.coders = tuple(coders)
        self.HEADERS = ("#", "Title", "Source", *self.coders, "Overlap")
        self.set_ids(article_ids)

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


