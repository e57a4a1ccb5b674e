"""The coder's article list: status at a glance, filters, and a way to jump anywhere.

The list shows the controller's coder's articles (their own statuses, blinded to other
coders), training articles first, marked with a swatch. Sorting and filtering ask the
project for a new order of ids (SQL does the work); the rows are read when they are
drawn (:mod:`app.ui.article_list_model`), so a list of 100,000 articles opens, sorts and
follows the coder as fast as one of ten. Opening an article always goes through the
controller, and the list follows the controller's current article, so the keyboard
commands "next" and "next unfinished" and a click here stay in step. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
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

from app.core.records import STATUSES
from app.services import coding
from app.services.coding import ListedArticle
from app.ui.article_list_model import (
    ARTICLE_ID_ROLE,
    SORT_KEYS,
    STATUS_COLORS,
    STATUS_TEXT,
    TRAINING_COLOR,
    TRAINING_TIP,
    ArticleListModel,
    Column,
)
from app.ui.controller import CodingController

__all__ = [
    "ARTICLE_ID_ROLE", "STATUS_COLORS", "STATUS_TEXT", "TRAINING_COLOR", "TRAINING_TIP",
    "ArticleListModel", "ArticleListPanel", "Column",
]

#: The widest the Source column starts, in average characters.
SOURCE_CHARS = 14
#: The title keeps at least this many average characters before the Source column shrinks.
TITLE_CHARS = 12
#: Typing in the search box asks for a new order after this pause (milliseconds).
SEARCH_PAUSE_MS = 150


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

        self.model = ArticleListModel(self._read_rows, self)
        self.model.sort_requested.connect(self._on_sort_requested)
        self._sort: tuple[Column, Qt.SortOrder] = (Column.NUMBER, Qt.SortOrder.AscendingOrder)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._reorder)

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
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(Column.NUMBER, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        # Widths from the font, not from the contents: measuring contents would read
        # rows the view does not show (of 100,000).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        # A source can be a long URL or file name: sized to its contents it would leave
        # the title "Co…". It gets at most SOURCE_CHARS characters (elided, whole in the
        # tooltip) and the coder can widen it; the title takes the rest.
        header.setSectionResizeMode(Column.SOURCE, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Lang.") + 12)
        self._fit_fixed_columns(1)
        self.model.modelReset.connect(self.fit_columns)
        self.view.verticalScrollBar().valueChanged.connect(lambda _value: self.fit_columns())

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
        controller.status_changed.connect(self._on_status_changed)
        controller.article_opened.connect(self._on_article_opened)
        self._on_listing_changed()

    def _current_id(self) -> str | None:
        bundle = self._controller.bundle
        return None if bundle is None else bundle.article.id

    def _open_index(self, index: QModelIndex) -> None:
        article_id = index.data(ARTICLE_ID_ROLE)
        if article_id is not None and article_id != self._current_id():
            self._controller.open_article(article_id)

    def _read_rows(self, article_ids: Sequence[str]) -> Mapping[str, ListedArticle]:
        c = self._controller
        if c.project is None or c.coder is None:
            return {}
        return coding.listing_rows(c.project, c.coder.id, article_ids)

    def _on_status_filter_changed(self) -> None:
        self._reorder()

    def _on_search_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_sort_requested(self, column: int, order: Qt.SortOrder) -> None:
        self._sort = (Column(column), order)
        self._reorder()

    def _reorder(self) -> None:
        """Ask the project for the articles in the chosen order and filter."""
        self._search_timer.stop()
        c = self._controller
        column, order = self._sort
        status, needle = self.status_filter.currentData(), self.search.text().strip()
        descending = order == Qt.SortOrder.DescendingOrder
        if c.project is None or c.coder is None:
            ids: list[str] = []
        elif column == Column.NUMBER and not descending and status is None and not needle:
            ids = c.order.ids  # the controller's own order: nothing to ask
        else:
            ids = coding.listing_order(
                c.project, c.coder.id, sort=SORT_KEYS[column], descending=descending,
                status=status, needle=needle,
            )
        self.model.set_order(ids)
        self.model.set_current(self._current_id())
        self._select_current(scroll=True)

    def _on_listing_changed(self) -> None:
        c = self._controller
        summary = None if c.project is None or c.coder is None else coding.listing_summary(c.project, c.coder.id)
        # Source and date are often missing (plain-text imports): no empty columns in a dock.
        self.view.setColumnHidden(Column.SOURCE, summary is None or not summary.with_source)
        self.view.setColumnHidden(Column.DATE, summary is None or not summary.with_date)
        # One language throughout says nothing: the column appears when there are several.
        self.view.setColumnHidden(Column.LANGUAGE, summary is None or summary.languages < 2)
        self._fit_fixed_columns(len(c.order))
        self._reorder()
        self.fit_columns()
        self._show_counts()
        self._show_why_empty()

    def _on_status_changed(self, article_id: str, status: str) -> None:
        self.model.set_status(article_id, status)
        self._show_counts()
        self.fit_columns()  # a wider status ("In progress") takes room from the source

    def _show_counts(self) -> None:
        order = self._controller.order
        self.counts.setText(f"{order.done()} of {len(order)} done")

    def _fit_fixed_columns(self, articles: int) -> None:
        """Widths of the short columns from the font: the number of digits of the largest
        article number, a date, a language code (the status follows the rows in view)."""
        metrics, pad = self.fontMetrics(), 16
        header = self.view.horizontalHeader()
        digits = max(len(str(max(articles, 1))) + 1, 2)
        widths = {
            Column.NUMBER: metrics.horizontalAdvance("9" * digits) + pad,
            Column.DATE: metrics.horizontalAdvance("2024-12-31") + pad,
            Column.LANGUAGE: metrics.horizontalAdvance("Lang.") + pad,
        }
        for column, width in widths.items():
            header.resizeSection(column, max(width, header.minimumSectionSize()))

    def fit_columns(self) -> None:
        """Size the Source column to the sources of the rows in view, at most SOURCE_CHARS
        characters wide and never so wide that the title has less than TITLE_CHARS in a
        narrow dock. The Status column first takes the width of the statuses in view."""
        header = self.view.horizontalHeader()
        status = self._shown_width(lambda row: STATUS_TEXT.get(row.status, row.status))
        header.resizeSection(Column.STATUS, max(status + 20, header.minimumSectionSize()))
        if self.view.isColumnHidden(Column.SOURCE):
            return
        chars = self.fontMetrics().averageCharWidth()
        others = sum(
            header.sectionSize(c) for c in Column
            if c not in (Column.TITLE, Column.SOURCE) and not self.view.isColumnHidden(c)
        )
        room = self.view.viewport().width() - others - chars * TITLE_CHARS
        wanted = min(self._shown_width(lambda row: row.source or ""), chars * SOURCE_CHARS, room)
        self.view.setColumnWidth(Column.SOURCE, max(wanted, header.minimumSectionSize()))

    def _shown_width(self, text: Callable[[ListedArticle], str]) -> int:
        """The widest ``text`` of the rows the view shows (not all rows: of 100,000)."""
        rows = self.model.rowCount()
        if not rows:
            return 0
        top = max(self.view.rowAt(0), 0)
        bottom = self.view.rowAt(self.view.viewport().height() - 1)
        bottom = min(rows - 1, bottom if bottom >= 0 else top + 50)
        metrics = self.view.fontMetrics()
        widths = (
            metrics.horizontalAdvance(text(listed))
            for listed in (self.model.listing_at(r) for r in range(top, bottom + 1))
            if listed is not None
        )
        return max(widths, default=0) + 16

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_columns()

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
        index = self.model.index(row, 0) if row >= 0 else QModelIndex()
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
