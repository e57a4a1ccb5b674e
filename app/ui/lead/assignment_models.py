"""Models of the assignments panel: each coder's load, and every article's coders.

Rows are frozen records from :mod:`app.services.assignment`; a column's sort value is
given under :data:`SORT_ROLE` (numbers as numbers, statuses in the order of the work).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QSortFilterProxyModel,
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


class ArticleModel(RowTableModel):
    """Every article, one column per coder with their status on it, and the overlap."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.coders: tuple[str, ...] = ()
        self.HEADERS = ("#", "Title", "Source", "Overlap")

    def set_table(self, rows: Sequence[ArticleAssignment], coders: Sequence[str]) -> None:
        self.beginResetModel()
        self.coders = tuple(coders)
        self.HEADERS = ("#", "Title", "Source", *self.coders, "Overlap")
        self.rows = list(rows)
        self.endResetModel()

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
        return None


class ArticleFilter(QSortFilterProxyModel):
    """A case-insensitive search over title and source, and which articles to show."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.needle = ""
        self.showing = ""  # "", "unassigned", "overlap", or a coder's name
        self.setSortRole(SORT_ROLE)

    def set_filter(self, needle: str | None = None, show: str | None = None) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10+; invalidateRowsFilter is deprecated
            self.beginFilterChange()
        self.needle = self.needle if needle is None else needle.strip().casefold()
        self.showing = self.showing if show is None else show
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802 - Qt override
        model = self.sourceModel()
        row: ArticleAssignment = model.rows[source_row]  # type: ignore[attr-defined]
        if self.showing == "unassigned" and row.assigned_to:
            return False
        if self.showing == "overlap" and not row.overlap:
            return False
        if self.showing not in ("", "unassigned", "overlap") and row.status(self.showing) is None:
            return False
        return not self.needle or self.needle in f"{row.title}\n{row.source or ''}".casefold()


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


