"""The coder's article list: status at a glance, filters, and a way to jump anywhere.

The list shows only what the controller's listing holds (the coder's own articles and
statuses, blinded to other coders), in its order: the training articles first, marked
with a swatch. Opening an article always goes through the controller, and the list
follows the controller's current article, so the keyboard commands "next" and "next
unfinished" and a click here stay in step. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.records import STATUSES, ArticleListing
from app.ui.colors import dot_icon, swatch_icon
from app.ui.controller import CodingController
from app.ui.row_model import RowTableModel

STATUS_TEXT = {"todo": "To do", "in_progress": "In progress", "done": "Done"}
STATUS_COLORS = {"todo": "#B0B0B0", "in_progress": "#E8A33D", "done": "#4CAF50"}
TRAINING_COLOR = "#C9A227"
TRAINING_TIP = (
    "Training article: once you mark it done, your coding is compared with the gold standard."
)

#: The widest the Source column starts, in average characters.
SOURCE_CHARS = 14
#: The title keeps at least this many average characters before the Source column shrinks.
TITLE_CHARS = 12
#: The id of the article in a row (any column).
ARTICLE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: A value that sorts naturally (numbers as numbers, statuses in workflow order).
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
#: Subtracted from a training article's number in the sort key, so that it sorts first.
_TRAINING_FIRST = 1 << 30  # keeps the key a 32-bit int, which the proxy compares


class Column(IntEnum):
    NUMBER = 0
    TITLE = 1
    SOURCE = 2
    DATE = 3
    STATUS = 4
    LANGUAGE = 5



class ArticleListModel(RowTableModel):
    """Rows of :class:`ArticleListing`; the current article is shown bold."""

    HEADERS = ("#", "Title", "Source", "Date", "Status", "Lang.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_id: str | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def cells(self, row: ArticleListing) -> tuple[str, ...]:
        return tuple(self._display(row, column) for column in Column)

    def tooltip(self, row: ArticleListing, column: int) -> Any:
        if column in (Column.TITLE, Column.SOURCE):
            tip = row.title if not row.source else f"{row.title}\n{row.source}"
            return f"{tip}\n{TRAINING_TIP}" if getattr(row, "training", False) else tip
        return None

    def extra(self, row: ArticleListing, column: int, role: int) -> Any:
        if role == SORT_ROLE:
            return self._sort_key(row, Column(column))
        if role == ARTICLE_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.FontRole and row.id == self._current_id:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return dot_icon(QColor(STATUS_COLORS.get(row.status, STATUS_COLORS["todo"])))
        if role == Qt.ItemDataRole.DecorationRole and column == Column.TITLE and getattr(row, "training", False):
            return swatch_icon(QColor(TRAINING_COLOR))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: ArticleListing, column: Column) -> str:
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

    @staticmethod
    def _sort_key(row: ArticleListing, column: Column) -> Any:
        if column == Column.NUMBER:  # the listing's order: training articles first, by number
            return row.position - _TRAINING_FIRST if getattr(row, "training", False) else row.position
        if column == Column.STATUS:
            return STATUSES.index(row.status) if row.status in STATUSES else len(STATUSES)
        return ArticleListModel._display(row, column).casefold()

    def set_rows(self, rows: Sequence[ArticleListing]) -> None:
        """Show ``rows``. The same articles in the same order only repaint, so the view
        keeps its selection and scroll position; anything else resets the model."""
        if [r.id for r in rows] != [r.id for r in self.rows]:
            super().set_rows(rows)
            return
        self.rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(Column) - 1))

    def listing_at(self, row: int) -> ArticleListing:
        return self.rows[row]

    def row_for_id(self, article_id: str | None) -> int:
        """The row of ``article_id``, or -1."""
        return next((i for i, r in enumerate(self.rows) if r.id == article_id), -1)

    def set_current(self, article_id: str | None) -> None:
        """Mark the article that is open (drawn bold)."""
        changed = [self.row_for_id(self._current_id), self.row_for_id(article_id)]
        self._current_id = article_id
        for row in (r for r in changed if r >= 0):
            self.dataChanged.emit(
                self.index(row, 0), self.index(row, len(Column) - 1), [Qt.ItemDataRole.FontRole]
            )


class ArticleFilterProxy(QSortFilterProxyModel):
    """Filters by status and by a case-insensitive search over title and source."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status: str | None = None
        self._needle = ""
        self.setSortRole(SORT_ROLE)

    def set_status_filter(self, status: str | None) -> None:
        """Show only articles with ``status`` ("todo", "in_progress", "done"), or all."""
        self._change_filter(lambda: setattr(self, "_status", status))

    def set_search_text(self, text: str) -> None:
        needle = text.strip().casefold()
        self._change_filter(lambda: setattr(self, "_needle", needle))

    def _change_filter(self, apply: Any) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10+; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ArticleListModel):
            return True
        row = model.listing_at(source_row)
        if self._status is not None and row.status != self._status:
            return False
        if self._needle:
            haystack = f"{row.title}\n{row.source or ''}".casefold()
            return self._needle in haystack
        return True


class ArticleListPanel(QWidget):
    """Filter, search and the table of the coder's articles; the status count below.

    An empty list says why (no articles yet, none assigned to this coder, the lead) in a
    banner, with a button to Team > Assignments where that is the way on."""

    #: The banner's button: open Team > Assignments.
    assignments_requested = Signal()

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleListPanel")
        self._controller = controller

        self.model = ArticleListModel(self)
        self.proxy = ArticleFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("articleStatusFilter")
        self.status_filter.setAccessibleName("Show articles")
        self.status_filter.addItem("All", None)
        for status in STATUSES:
            self.status_filter.addItem(STATUS_TEXT[status], status)

        self.search = QLineEdit(self)
        self.search.setObjectName("articleSearch")
        self.search.setAccessibleName("Search articles")
        self.search.setPlaceholderText("Search titles and sources")
        self.search.setClearButtonEnabled(True)

        self.view = QTableView(self)
        self.view.setObjectName("articleList")
        self.view.setAccessibleName("Article list")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        # A source can be a long URL or file name: sized to its contents it would leave
        # the title "Co…". It gets at most SOURCE_CHARS characters (elided, whole in the
        # tooltip) and the coder can widen it; the title takes the rest.
        header.setSectionResizeMode(Column.SOURCE, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Lang.") + 12)
        self.model.modelReset.connect(self.fit_source_column)

        self.counts = QLabel(self)
        self.counts.setObjectName("articleCounts")

        self.empty_banner = QWidget(self)
        self.empty_banner.setObjectName("emptyListBanner")
        self.empty_text = QLabel(self.empty_banner)
        self.empty_text.setObjectName("emptyListText")
        self.empty_text.setWordWrap(True)
        self.assignments_button = QPushButton("Open Team > Assignments\u2026", self.empty_banner)
        self.assignments_button.setObjectName("openAssignmentsButton")
        self.assignments_button.clicked.connect(self.assignments_requested.emit)
        banner = QVBoxLayout(self.empty_banner)
        banner.setContentsMargins(8, 8, 8, 8)
        banner.addWidget(self.empty_text)
        banner.addWidget(self.assignments_button, 0, Qt.AlignmentFlag.AlignLeft)
        banner.addStretch(1)
        self.empty_banner.hide()

        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_banner, 1)
        layout.addWidget(self.counts)

        self.status_filter.currentIndexChanged.connect(self._on_status_filter_changed)
        self.search.textChanged.connect(self._on_search_changed)
        self.view.clicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        controller.listing_changed.connect(self._on_listing_changed)
        controller.article_opened.connect(self._on_article_opened)
        self._on_listing_changed()

    def _current_id(self) -> str | None:
        bundle = self._controller.bundle
        return None if bundle is None else bundle.article.id

    def _open_index(self, index: QModelIndex) -> None:
        article_id = index.data(ARTICLE_ID_ROLE)
        if article_id is not None and article_id != self._current_id():
            self._controller.open_article(article_id)

    def _on_status_filter_changed(self) -> None:
        self.proxy.set_status_filter(self.status_filter.currentData())
        self._select_current()

    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search_text(text)
        self._select_current()

    def _on_listing_changed(self) -> None:
        listing = self._controller.listing
        self.model.set_rows(listing)
        self.model.set_current(self._current_id())
        # Source and date are often missing (plain-text imports): no empty columns in a dock.
        self.view.setColumnHidden(Column.SOURCE, not any(row.source for row in listing))
        self.fit_source_column()
        self.view.setColumnHidden(Column.DATE, not any(row.published for row in listing))
        # One language throughout says nothing: the column appears when there are several.
        self.view.setColumnHidden(Column.LANGUAGE, len({row.language for row in listing}) < 2)
        done = sum(1 for row in listing if row.status == "done")
        self.counts.setText(f"{done} of {len(listing)} done")
        self._show_why_empty()
        self._select_current()

    def fit_source_column(self) -> None:
        """Size the Source column to its contents, at most SOURCE_CHARS characters wide
        and never so wide that the title has less than TITLE_CHARS in a narrow dock."""
        if self.view.isColumnHidden(Column.SOURCE):
            return
        header = self.view.horizontalHeader()
        chars = self.fontMetrics().averageCharWidth()
        others = sum(
            header.sectionSize(c) for c in Column
            if c not in (Column.TITLE, Column.SOURCE) and not self.view.isColumnHidden(c)
        )
        room = self.view.viewport().width() - others - chars * TITLE_CHARS
        wanted = min(self.view.sizeHintForColumn(Column.SOURCE), chars * SOURCE_CHARS, room)
        self.view.setColumnWidth(Column.SOURCE, max(wanted, header.minimumSectionSize()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_source_column()

    def _show_why_empty(self) -> None:
        reason = self._controller.empty_listing_reason()
        self.empty_banner.setVisible(reason is not None)
        self.view.setVisible(reason is None)
        if reason is not None:
            text, to_assignments = reason
            self.empty_text.setText(text)
            self.assignments_button.setVisible(to_assignments)

    def _on_article_opened(self, _bundle: object) -> None:
        self.model.set_current(self._current_id())
        self._select_current(scroll=True)

    def _select_current(self, scroll: bool = False) -> None:
        """Select the open article's row without opening anything (selecting is not
        clicking), or clear the selection if the filters hide it."""
        selection = self.view.selectionModel()
        row = self.model.row_for_id(self._current_id())
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
        if not index.isValid():
            selection.clearSelection()
            return
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection.setCurrentIndex(index, flags)
        if scroll:
            self.view.scrollTo(index)
