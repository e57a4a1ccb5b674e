"""The lead's assignments: each coder's progress, and who codes which article.

Above, one row per coder and lead with the figures of ``loupe assignments``; below,
every article with each coder's status on it, filterable and sortable. Selected
articles are given to a coder or taken back from one, or the project is distributed
as ``loupe assign`` does: the window calls the same services as the command line, and
a refusal (work already done) is shown in the service's own sentence. GUI thread
only: every read and change is one short transaction on the lead window's project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.team import ArticleAssignment, AssignReport
from app.services.assignment import (
    ROLES,
    AssignmentError,
    add_coder,
    assign,
    assignable_coders,
    assignment_counts,
    assignment_order,
    assignment_rows,
    assignment_summary,
    give_articles,
    take_back_articles,
)
from app.services.projects import Project
from app.services.reliability_plan import overlap_articles, plan
from app.ui.lead.assignment_models import (
    ArticleModel,
    LoadModel,
    ProgressDelegate,
)
from app.ui.lead.distribute_dialog import DistributeDialog, report_text
from app.ui.tables import table


class AssignmentsView(QWidget):
    """objectName ``assignmentsView``. GUI thread; reads and writes through the services."""

    #: Assignments were changed from this view (given, taken back or distributed).
    assignments_changed = Signal()
    #: A change was refused: the service's one sentence.
    refused = Signal(str)

    def __init__(self, project_getter: Callable[[], Project], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assignmentsView")
        self.project = project_getter
        self.roles: dict[str, str] = {}
        self.message_box: QMessageBox | None = None
        self.distribute_dialog: DistributeDialog | None = None
        self.loads = LoadModel(self)
        self.loads_view = table(self.loads, "coderLoadTable")
        self.loads_view.setAccessibleName("Progress per coder")
        self.loads_view.setItemDelegateForColumn(len(LoadModel.HEADERS) - 1, ProgressDelegate(self.loads_view))
        self.articles = ArticleModel(self)
        self.articles.set_reader(lambda ids: assignment_rows(self.project(), ids))
        self.articles.sort_requested.connect(self._sort)
        #: The model sorts and filters through the store (kept under its former name).
        self.proxy = self.articles
        self.sort_by: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self.needle, self.showing = "", ""
        self.total = 0
        self._loaded = False
        self.articles_view = table(self.articles, "articleAssignmentTable", fit=False)
        self.articles_view.setAccessibleName("Articles and their coders")
        self.articles_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.articles_view.setSortingEnabled(True)
        self.articles_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.articles_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.articles_view.customContextMenuRequested.connect(self._show_context_menu)
        self.articles_view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.articles.modelReset.connect(self._size_columns)
        self.search = QLineEdit(placeholderText="Filter by title or source")
        self.search.setObjectName("assignmentFilter")
        self.search.setAccessibleName("Filter articles by title or source")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self._filter(needle=text))
        self.show_filter = QComboBox()
        self.show_filter.setObjectName("assignmentShow")
        self.show_filter.setAccessibleName("Which articles to show")
        self.show_filter.currentIndexChanged.connect(lambda _i: self._filter(show=self.show_filter.currentData()))
        self.count = QLabel()
        self.count.setObjectName("articleCount")
        self.status = QLabel()
        self.status.setObjectName("assignmentStatus")
        self.status.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, tip, slot in (
            ("addCoderButton", "Add coder\u2026", "Add a coder, lead or adjudicator to the project",
             self.ask_add_coder),
            ("giveButton", "Give to coder\u2026", "Assign the selected articles to a coder", self.ask_give),
            ("takeBackButton", "Take back from coder\u2026", "Unassign the selected articles from a coder",
             self.ask_take_back),
            ("distributeButton", "Distribute\u2026", "Assign articles to coders with an overlap, as loupe assign does",
             self.ask_distribute),
            ("refreshButton", "Refresh", "Read the assignments again", self.refresh),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.setToolTip(tip)
            button.setAccessibleName(text.rstrip("\u2026"))
            button.clicked.connect(lambda _c=False, f=slot: f())
            self.buttons[name] = button
        self.give_button, self.take_back_button = self.buttons["giveButton"], self.buttons["takeBackButton"]
        self.distribute_button = self.buttons["distributeButton"]
        self._build_layout()
        self._selection_changed()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.show_filter, 1)
        for button in self.buttons.values():
            bar.addWidget(button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(bar)
        lower_layout.addWidget(self.articles_view, 1)
        lower_layout.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.loads_view)
        split.addWidget(lower)
        split.setSizes([180, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    # -- reading -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read both tables again; the selected articles stay selected where still shown."""
        keep, current = self.selected_ids(), self.current_id()
        project = self.project()
        coders = assignable_coders(project)
        self.roles = {coder.name: coder.role for coder in coders}
        self.loads.set_rows([load for load in assignment_summary(project) if load.name in self.roles])
        self.total = assignment_counts(project)[0]
        self._loaded = True
        self._fill_show_filter()
        self._reorder()
        self.select_articles(keep, current)
        self._selection_changed()

    def _reorder(self) -> None:
        """Read the order of the shown articles from the store (rows are read when drawn)."""
        column, order = self.sort_by
        coders = list(self.roles)
        sort = {0: "position", 1: "title", 2: "source"}.get(column, "overlap")
        coder = coders[column - 3] if 3 <= column < 3 + len(coders) else None
        ids = assignment_order(
            self.project(), sort=sort, sort_coder=coder, descending=order == Qt.SortOrder.DescendingOrder,
            needle=self.needle, show=self.showing if self.showing in ("", "unassigned", "overlap") or
            self.showing in self.roles else "",
        )
        self.articles.set_table(ids, coders)

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        """The header (or a caller) asked for another order: the store sorts."""
        if (column, order) == self.sort_by and self.articles.rowCount():
            return  # sortByColumn asks twice (the header's indicator, then the view)
        self.sort_by = (column, order)
        if self._loaded:
            keep, current = self.selected_ids(), self.current_id()
            self._reorder()
            self.select_articles(keep, current)
            self._selection_changed()

    def _size_columns(self) -> None:
        """The title takes the room left; sizing every column to its contents would read
        every row of a large project."""
        header = self.articles_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        char = self.articles_view.fontMetrics().averageCharWidth()
        for column, chars in ((0, 8), (2, 22), (self.articles.columnCount() - 1, 10)):
            header.resizeSection(column, char * chars)
        for column in range(3, self.articles.columnCount() - 1):
            header.resizeSection(column, char * 16)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Coders' work arrives by merges and the coding window: read again when shown."""
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def _fill_show_filter(self) -> None:
        wanted = self.show_filter.currentData() or ""
        self.show_filter.blockSignals(True)
        self.show_filter.clear()
        for text, key in (("All articles", ""), ("Assigned to nobody", "unassigned"), ("In the overlap", "overlap")):
            self.show_filter.addItem(text, key)
        for name in self.roles:
            self.show_filter.addItem(f"Assigned to {name}", name)
        self.show_filter.setCurrentIndex(max(0, self.show_filter.findData(wanted)))
        self.show_filter.blockSignals(False)
        self.showing = self.show_filter.currentData() or ""

    def _filter(self, needle: str | None = None, show: str | None = None) -> None:
        keep, current = self.selected_ids(), self.current_id()
        self.needle = self.needle if needle is None else needle.strip()
        self.showing = self.showing if show is None else show
        if self._loaded:
            self._reorder()
        self.select_articles(keep, current)
        self._selection_changed()

    # -- selection ---------------------------------------------------------------------
    def selected_rows(self) -> list[ArticleAssignment]:
        """The selected articles that are shown, in the order shown."""
        return self.articles.rows_of(self.selected_ids())

    def selected_ids(self) -> list[str]:
        ids = self.articles.ids()
        return [ids[r] for r in sorted(index.row() for index in self.articles_view.selectionModel().selectedRows())]

    def current_id(self) -> str | None:
        index = self.articles_view.currentIndex()
        return self.articles.ids()[index.row()] if index.isValid() and index.row() < len(self.articles.ids()) else None

    def select_articles(self, article_ids: Sequence[str], current: str | None = None) -> None:
        """Select these articles (those shown), in contiguous ranges of rows."""
        shown = sorted(r for r in map(self.articles.row_for_id, article_ids) if r >= 0)
        selection = QItemSelection()
        last = self.articles.columnCount() - 1
        start = 0
        for i, row in enumerate(shown):
            if i + 1 == len(shown) or shown[i + 1] != row + 1:
                selection.select(self.articles.index(shown[start], 0), self.articles.index(row, last))
                start = i + 1
        model = self.articles_view.selectionModel()
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        current_row = self.articles.row_for_id(current)
        if current_row >= 0:
            model.setCurrentIndex(self.articles.index(current_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    def _selection_changed(self) -> None:
        selected = len(self.articles_view.selectionModel().selectedRows())
        self.give_button.setEnabled(selected > 0)
        self.take_back_button.setEnabled(selected > 0)
        self.count.setText(
            f"{self.articles.rowCount()} of {self.total} article(s) shown, {selected} selected"
        )

    # -- changes -----------------------------------------------------------------------
    def add_coder(self, name: str, role: str = "coder") -> bool:
        """Add a coder with ``role``; False (and ``refused``) if refused or already there."""
        try:
            coder, new = add_coder(self.project(), name, role)
        except AssignmentError as exc:
            self._refuse(exc.message)
            return False
        if not new:
            self._refuse(f"There is already a coder named '{coder.name}' ({coder.role}).")
            return False
        self._changed(f"Added {coder.name} ({coder.role}).")
        return True

    def ask_add_coder(self) -> None:
        name, ok = QInputDialog.getText(self, "Add coder", "Name (as the coder will sign in):")
        if not ok or not name.strip():
            return
        role, ok = QInputDialog.getItem(self, "Add coder", f"Role of {name.strip()}:", list(ROLES), 0, False)
        if ok:
            self.add_coder(name, role)

    def give(self, coder: str, article_ids: Sequence[str] | None = None) -> int | None:
        """Give the articles (default: the selected ones) to ``coder``; None if refused."""
        ids = self.selected_ids() if article_ids is None else list(article_ids)
        total, unassigned = assignment_counts(self.project())
        first = total == unassigned
        try:
            new = give_articles(self.project(), ids, coder)
        except AssignmentError as exc:
            self._refuse(exc.message)
            return None
        already = f" ({len(ids) - new} were theirs already)" if len(ids) > new else ""
        note = (
            " These are the project's first assignments: from now on each coder sees only "
            "the articles assigned to them." if first and new else ""
        )
        self._changed(f"Gave {new} article(s) to {coder}{already}.{note}")
        return new

    def take_back(self, coder: str, article_ids: Sequence[str] | None = None) -> int | None:
        """Take the articles (default: the selected ones) back from ``coder``; None if refused."""
        ids = self.selected_ids() if article_ids is None else list(article_ids)
        try:
            removed = take_back_articles(self.project(), ids, coder)
        except AssignmentError as exc:
            self._refuse(exc.message)
            return None
        self._changed(f"Took {removed} article(s) back from {coder}.")
        return removed

    def distribute(self, coders: Sequence[str], overlap: float, seed: int, replace: bool) -> AssignReport | None:
        """Distribute as ``loupe assign`` does and show what was done; None if refused."""
        try:
            report = assign(self.project(), coders, overlap=overlap, seed=seed, replace=replace)
        except AssignmentError as exc:
            self._refuse(exc.message)
            return None
        text = report_text(report)
        self._changed(text.splitlines()[0])
        self._tell(QMessageBox.Icon.Information, text, "distributeReport")
        return report

    def _changed(self, text: str) -> None:
        self.status.setText(text)
        self.refresh()
        self.assignments_changed.emit()

    def _refuse(self, text: str) -> None:
        self.status.setText(text)
        self._tell(QMessageBox.Icon.Warning, text, "assignmentRefusal")
        self.refused.emit(text)

    def _tell(self, icon: QMessageBox.Icon, text: str, name: str) -> None:
        """A window-modal message that does not block the caller."""
        if self.message_box is not None:
            self.message_box.close()
        self.message_box = QMessageBox(icon, "Assignments", text, parent=self)
        self.message_box.setObjectName(name)
        self.message_box.open()

    # -- asking the lead ---------------------------------------------------------------
    def ask_give(self) -> None:
        names, selected = list(self.roles), self.selected_ids()
        if not names:
            self.status.setText("This project has no coders yet; add one with Add coder\u2026")
            return
        if not selected:
            self.status.setText("Select the articles to give first.")
            return
        name, ok = QInputDialog.getItem(
            self, "Give to coder", f"Give {len(selected)} selected article(s) to:", names, 0, False
        )
        if ok and name:
            self.give(name, selected)

    def ask_take_back(self) -> None:
        selected = self.selected_rows()
        names = [n for n in self.roles if any(row.status(n) is not None for row in selected)]
        if not names:
            self.status.setText("None of the selected articles is assigned to anyone.")
            return
        name, ok = QInputDialog.getItem(
            self, "Take back from coder", f"Take {len(selected)} selected article(s) back from:", names, 0, False
        )
        if ok and name:
            self.take_back(name, [row.article_id for row in selected])

    def ask_distribute(self) -> DistributeDialog:
        """Open the distribution dialog (not blocking); OK distributes."""
        project = self.project()
        articles, unassigned = assignment_counts(project)
        dialog = DistributeDialog(
            list(self.roles.items()), unassigned, self, articles=articles, reliability=plan(project.codebook),
            overlap_now=overlap_articles(project),
        )
        dialog.accepted.connect(lambda: self.distribute(*dialog.choices()))
        dialog.finished.connect(dialog.deleteLater)
        self.distribute_dialog = dialog
        dialog.open()
        return dialog

    def context_menu(self) -> QMenu:
        """Give to / take back from each coder, and the buttons' actions."""
        menu = QMenu(self)
        selected = self.selected_rows()
        give, take = menu.addMenu("Give to"), menu.addMenu("Take back from")
        give.setObjectName("giveToMenu")
        take.setObjectName("takeBackFromMenu")
        for name in self.roles:
            give.addAction(name).triggered.connect(lambda _c=False, n=name: self.give(n))
            if any(row.status(name) is not None for row in selected):
                take.addAction(name).triggered.connect(lambda _c=False, n=name: self.take_back(n))
        give.setEnabled(bool(selected))
        take.setEnabled(not take.isEmpty())
        menu.addSeparator()
        for name, button in self.buttons.items():
            action = menu.addAction(button.text())
            action.setObjectName(name.replace("Button", "Action"))
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _c=False, b=button: b.click())
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.articles_view.viewport().mapToGlobal(pos))
        menu.deleteLater()
