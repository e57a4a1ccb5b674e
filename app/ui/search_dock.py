"""Find in Project: search the articles the coder may see, open a hit at its match, and
code every chosen hit with one label as one undo step.

The panel lives in a dock of the main window (Edit > Find in Project, Ctrl+Shift+F). A
search runs on Enter through :mod:`app.services.search` (at most :data:`LIMIT` hits, all
from the coder's own articles in a project with assignments); a refusal (a query FTS5
cannot read, a date it cannot use) is one sentence in the panel. Choosing a hit (a click,
the arrow keys) opens its article through the controller and selects the match in the
article view; Enter or a double click also moves the focus there, so a label key codes
it. *Code…* plans one annotation per chosen hit (:func:`~app.services.search.plan_coding`),
shows the count in a preview, and applies the plan's one edit through
``controller.apply``: one transaction, one undo step. GUI thread only.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRegularExpression, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import LoupeError
from app.services.search import (
    CodingPlan,
    Hit,
    SearchResult,
    plan_coding,
    search,
    search_filters,
    search_sources,
)
from app.ui.article_view import ArticleView
from app.ui.controller import CodingController
from app.ui.search_hits import Column, KwicDelegate, SearchHitModel

#: Hits shown at most; the summary says when there were more.
LIMIT = 500
#: The syntax, as the query field's placeholder.
PLACEHOLDER = 'Words, "a phrase", prefix*, OR, NOT \u2014 Enter searches'
STATUSES = (("Any status", None), ("To do", "todo"), ("In progress", "in_progress"), ("Done", "done"))
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_text(result: SearchResult) -> str:
    """"37 hits in 12 articles"; with "first 500 shown" when there were more."""
    if not result.hits:
        return "No hits."
    if result.truncated:
        shown = len(result.hits)
        articles = ("more than " if result.articles_at_least else "") + _plural(result.articles, "article")
        return f"More than {shown} hits in {articles}; the first {shown} are shown."
    return f"{_plural(len(result.hits), 'hit')} in {_plural(result.articles, 'article')}."


def preview_text(plan: CodingPlan, title_only: int) -> str:
    """The question before coding: "Code 37 occurrences as Actor? 5 hits already carry it." """
    text = f"Code {_plural(plan.count, 'occurrence')} as {plan.label}?"
    if plan.already:
        text += f" {_plural(plan.already, 'hit')} already {'carries' if plan.already == 1 else 'carry'} it."
    if title_only:
        text += f" {_plural(title_only, 'title match')} cannot be coded and {'is' if title_only == 1 else 'are'} left out."
    return text


class SearchPanel(QWidget):
    """The content of the Find in Project dock; objectName ``searchPanel``."""

    def __init__(self, controller: CodingController, view: ArticleView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.setAccessibleName("Find in Project")
        self.controller = controller
        self.view = view
        #: The open coding preview (a window-modal message box), if any.
        self.preview: QMessageBox | None = None
        self._sources_stale = True
        self._searched = False

        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setAccessibleName("Search query")
        self.query.setPlaceholderText(PLACEHOLDER)
        self.query.setClearButtonEnabled(True)
        self.query.setToolTip(
            'Words must all occur; "a phrase" in quotes; deport* for every word beginning so; '
            "OR between alternatives; NOT before a word to leave out; title: to search titles only."
        )
        self.query.returnPressed.connect(self.run_search)
        self.query.installEventFilter(self)
        go = QPushButton("Search")
        go.setObjectName("searchButton")
        go.clicked.connect(self.run_search)

        self.source = QComboBox()
        self.source.setObjectName("searchSource")
        self.source.addItem("Any source", None)
        self.source.setToolTip("Only articles from this source")
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        validator = QRegularExpressionValidator(QRegularExpression(r"\d{0,4}(-\d{0,2}(-\d{0,2})?)?"), self)
        for edit, name, hint in ((self.date_from, "searchDateFrom", "From"), (self.date_to, "searchDateTo", "To")):
            edit.setObjectName(name)
            edit.setPlaceholderText(f"{hint} (YYYY-MM-DD)")
            edit.setValidator(validator)
            edit.setClearButtonEnabled(True)
            edit.setToolTip(f"{hint} this publication date (a year, a month or a day)")
            edit.returnPressed.connect(self.run_search)
        self.status = QComboBox()
        self.status.setObjectName("searchStatus")
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.status.setToolTip("Only articles with this status of yours")
        for combo in (self.source, self.status):
            combo.currentIndexChanged.connect(self._filter_changed)

        self.summary = QLabel()
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.model = SearchHitModel(self)
        self.table = QTableView()
        self.table.setObjectName("searchResults")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Column.MATCH, KwicDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()  # fixed heights: no row is measured
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.MATCH, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.NUMBER, 56)
        header.resizeSection(Column.TITLE, 220)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.clicked.connect(lambda index: self.open_hit(index.row()))
        self.table.activated.connect(lambda index: self.open_hit(index.row(), focus=True))

        self.select_all_button = QPushButton("Select All")
        self.select_all_button.setObjectName("searchSelectAll")
        self.select_all_button.setToolTip("Choose every hit shown (Ctrl+A in the table)")
        self.select_all_button.clicked.connect(self.select_all)
        self.label = QComboBox()
        self.label.setObjectName("searchLabel")
        self.label.setToolTip("The span label to give the chosen hits")
        self.code_button = QPushButton("Code\u2026")
        self.code_button.setObjectName("searchCode")
        self.code_button.setToolTip("Give the chosen hits the label, one annotation each (one undo step)")
        self.code_button.clicked.connect(self.code_selected)
        self.note = QLabel()
        self.note.setObjectName("searchNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)

        search_row = QHBoxLayout()
        search_row.addWidget(self.query, 1)
        search_row.addWidget(go)
        filter_row = QHBoxLayout()
        for widget in (self.source, self.date_from, self.date_to, self.status):
            filter_row.addWidget(widget, 1)
        code_row = QHBoxLayout()
        code_row.addWidget(self.select_all_button)
        code_row.addWidget(self.note, 1)
        code_row.addWidget(QLabel("Label:"))
        code_row.addWidget(self.label)
        code_row.addWidget(self.code_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(code_row)
        self.setFocusProxy(self.query)
        controller.project_opened.connect(self._project_opened)
        self._project_opened()

    # -- project -----------------------------------------------------------------------
    def _project_opened(self) -> None:
        """A project (or another coder) is open: no hits, its labels, its sources later."""
        self.model.set_rows([])
        self.summary.clear()
        self.note.clear()
        self._searched = False
        self.label.clear()
        project = self.controller.project
        for spec in project.codebook.span_labels if project is not None else ():
            self.label.addItem(f"{spec.name} ({spec.key})", spec.name)
        self._sources_stale = True
        if self.isVisible():
            self._fill_sources()
        self._selection_changed()

    def _fill_sources(self) -> None:
        """The source filter's choices, read when the panel is first shown (not at start)."""
        c = self.controller
        if not self._sources_stale or c.project is None or c.coder is None:
            return
        self._sources_stale = False
        sources = search_sources(c.project, search_filters(c.project, c.coder.id))
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("Any source", None)
        for source in sources:
            self.source.addItem(source, source)
        self.source.blockSignals(False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self._fill_sources()
        super().showEvent(event)

    def focus_query(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # -- searching ---------------------------------------------------------------------
    def run_search(self) -> SearchResult | None:
        """Search with the query and filters; the hits go into the table, a refusal
        into the summary line. Returns the result (None when refused)."""
        c = self.controller
        if c.project is None or c.coder is None:
            return None
        self.note.clear()
        dates = [edit.text().strip() for edit in (self.date_from, self.date_to)]
        try:
            if any(date and not _DATE.fullmatch(date) for date in dates):
                raise LoupeError("Write a date as a year, a month or a day: 2024, 2024-03 or 2024-03-01.")
            filters = search_filters(
                c.project, c.coder.id, source=self.source.currentData(), date_from=dates[0],
                date_to=dates[1], status=self.status.currentData(),
            )
            result = search(c.project, self.query.text(), filters, limit=LIMIT)
        except LoupeError as exc:
            self.model.set_rows([])
            self.summary.setText(exc.message)
            self._selection_changed()
            return None
        self._searched = True
        self.model.set_rows(result.hits)
        self.summary.setText(summary_text(result))
        self._selection_changed()
        return result

    def _filter_changed(self) -> None:
        if self._searched and self.query.text().strip():
            self.run_search()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Down in the query field goes to the hits."""
        if (
            watched is self.query and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down and self.model.rowCount() > 0
        ):
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, Column.MATCH))
            return True
        return super().eventFilter(watched, event)

    # -- opening a hit -----------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.open_hit(current.row())

    def open_hit(self, row: int, *, focus: bool = False) -> None:
        """Open the hit's article (unless it is open) and select the match in the text."""
        c = self.controller
        if c.project is None or not 0 <= row < self.model.rowCount():
            return
        hit = self.model.hit(row)
        try:
            if c.bundle is None or c.bundle.article.id != hit.article_id:
                c.open_article(hit.article_id)
        except LoupeError as exc:
            self.summary.setText(exc.message)
            return
        if hit.start >= 0:
            self.view.show_match(hit.start, hit.end)
        if focus:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- coding the chosen hits --------------------------------------------------------
    def select_all(self) -> None:
        self.table.selectAll()

    def selected_hits(self) -> list[Hit]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.hit(row) for row in rows]

    def _selection_changed(self) -> None:
        chosen = len(self.table.selectionModel().selectedRows())
        total = self.model.rowCount()
        self.code_button.setEnabled(chosen > 0 and self.label.count() > 0)
        self.select_all_button.setEnabled(total > 0)
        self.note.setText(f"{chosen} of {_plural(total, 'hit')} chosen" if total else "")

    def code_selected(self) -> QMessageBox | None:
        """Plan the chosen hits' annotations and show the preview (Code / Cancel); the
        preview is returned (None when there is nothing to code: said in the panel)."""
        c, hits, label = self.controller, self.selected_hits(), self.label.currentData()
        if c.project is None or c.coder is None or not hits or label is None:
            return None
        title_only = sum(1 for hit in hits if hit.start < 0)
        try:
            plan = plan_coding(c.project, c.coder.id, label, hits)
        except LoupeError as exc:
            self.note.setText(exc.message)
            return None
        if plan.edit is None:
            text = (
                f"All {_plural(plan.already, 'hit')} already carry {label}." if plan.already
                else "Title matches cannot be coded: choose hits in the text."
            )
            self.note.setText(text)
            c.message.emit(text)
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Code all occurrences", preview_text(plan, title_only), parent=self)
        box.setObjectName("codeHitsPreview")
        code = box.addButton("Code", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(code)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._answered(plan, button is code))
        self.preview = box
        box.open()
        return box

    def _answered(self, plan: CodingPlan, accepted: bool) -> None:
        self.preview = None
        if accepted:
            self.apply_plan(plan)

    def apply_plan(self, plan: CodingPlan) -> bool:
        """Write the plan as one undo step; the status bar says so."""
        if plan.edit is None or not self.controller.apply(plan.edit):
            return False
        text = f"Coded {_plural(plan.count, 'occurrence')} as {plan.label} (Ctrl+Z to undo)"
        self.note.setText(text)
        self.controller.message.emit(text)
        return True

