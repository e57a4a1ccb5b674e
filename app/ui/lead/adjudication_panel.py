"""Adjudication in the window: deciding, group by group, what the gold standard holds.

The panel works as the adjudicator through its own
:class:`~app.ui.controller.CodingController` (project, article, undo stack), and writes
only through it. A decision (accept a version, reject, accept the agreements of this
article or of every article) is planned here with :mod:`app.services.adjudication_edits`
(reads only) and handed to :meth:`~app.ui.controller.CodingController.decide`, which
writes it in one transaction and keeps it as one undo step (Ctrl+Z in the lead window);
Mark Gold Done is :meth:`~app.ui.controller.CodingController.finish_gold`. Left, the overlap
articles with their progress; in the middle, the article with the gold as fills and the
selected group's versions as outlines; right, the groups (open disagreements
highlighted), the versions of the selected one, and the article questions.

Until the project has an adjudicator (added in the Assignments tab, role adjudicator)
the decision buttons are disabled and say so. GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.adjudication import RelationGroup, SpanGroup
from app.core.errors import LoupeError
from app.core.location import Location
from app.services import adjudication_edits as plans
from app.services.adjudication import (
    AdjudicationView,
    adjudication_progress,
    adjudication_view,
    overlap_articles,
)
from app.services.adjudication_writes import Planned
from app.services.projects import Project
from app.ui.controller import CodingController
from app.ui.lead.adjudication_models import GroupModel, ProgressModel, group_rows
from app.ui.lead.compare_view import CompareView, Marked
from app.ui.lead.decisions import AnswerBox, ChoiceBox
from app.ui.tables import table

log = logging.getLogger(__name__)

#: Shown (and given as the buttons' tooltip) while the project has no adjudicator.
NO_ADJUDICATOR = (
    "No adjudicator yet: add one in the Assignments tab (Add coder\u2026, role adjudicator)."
)
#: Rows measured when the progress columns are fitted (about a screenful).
FIT_ROWS = 40
#: The reason the article buttons are disabled while no article is open.
NO_ARTICLE = "Open an overlap article first (the list on the left)."


class AdjudicationPanel(QWidget):
    """objectName ``adjudicationPanel``; :meth:`start` opens it as an adjudicator."""

    #: A decision was refused: the one-sentence reason.
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adjudicationPanel")
        self.controller = CodingController(self)
        self.controller.refused.connect(self._refuse)
        self.view: AdjudicationView | None = None
        self.group_key: str | None = None
        self.progress = ProgressModel(self)
        self.groups = GroupModel(self)
        self.articles_view = table(self.progress, "adjudicationArticles", fit=False)
        # The progress figures are short and what the adjudicator watches: each column
        # fits the rows in view (fitting all would read every overlap article), and the
        # title (elided, whole in its tooltip) takes the rest.
        header = self.articles_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 4)
        self.progress.modelReset.connect(self._fit_progress_columns)
        self.articles_view.clicked.connect(lambda i: self.open_article(self.progress.ids()[i.row()]))
        self.groups_view = table(self.groups, "adjudicationGroups")
        self.groups_view.clicked.connect(lambda i: self.select_group(self.groups.rows[i.row()].key))
        self.text = CompareView()
        self.choices = ChoiceBox()
        self.choices.accepted.connect(self.accept)
        self.choices.rejected.connect(self.reject)
        self.answers = AnswerBox()
        self.answers.accepted.connect(self.accept_answer)
        self.who = QLabel(NO_ADJUDICATOR)
        self.who.setObjectName("adjudicatorLabel")
        self.who.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("adjudicationStatus")
        self.status.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        self._tips: dict[str, str] = {}
        for name, text, tip, slot in (
            ("acceptAgreements", "Accept Agreements in This Article",
             "Accept into the gold every group, relation and answer all coders of this article agree on",
             self.accept_agreements),
            ("acceptAllAgreements", "Accept All Agreements",
             "Accept the agreements of every overlap article whose gold is not done, "
             "as loupe adjudicate --accept-agreements does", self.accept_all_agreements),
            ("finishGold", "Mark Gold Done", "Finish the gold standard of this article", self.finish),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            self._tips[name] = tip
            button.clicked.connect(lambda _c=False, f=slot: f())
            self.buttons[name] = button
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.groups_view, 2)
        right_layout.addWidget(self.choices)
        right_layout.addWidget(self.answers)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.articles_view, self.text, right):
            splitter.addWidget(widget)
        splitter.setSizes([460, 420, 400])  # room for the titles and all five progress columns
        bar = QHBoxLayout()
        bar.addWidget(self.who, 1)
        for button in self.buttons.values():
            bar.addWidget(button)
        bar.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _fit_progress_columns(self) -> None:
        """The figures' columns as wide as their header and the rows in view (at most
        :data:`FIT_ROWS` rows are measured, whatever the number of overlap articles)."""
        view, header = self.articles_view, self.articles_view.horizontalHeader()
        rows = min(self.progress.rowCount(), FIT_ROWS)
        for column in range(1, self.progress.columnCount()):
            grid = 1 if view.showGrid() else 0  # as QTableView.sizeHintForColumn counts
            hints = (view.sizeHintForIndex(self.progress.index(row, column)).width() + grid for row in range(rows))
            header.resizeSection(column, max(header.sectionSizeHint(column), *hints, 0))

    # -- opening -----------------------------------------------------------------------
    def start(self, path: Location, adjudicator: str) -> None:
        """Adjudicate ``path`` as ``adjudicator`` (created with that role if new). Raises LoupeError."""
        self.controller.open_project(path, adjudicator, adjudicating=True)
        self.who.setText(f"Gold standard by <b>{adjudicator}</b>")
        self.status.clear()
        self.refresh_progress()
        if self.progress.rowCount():
            self.open_article(self.progress.ids()[0])
        self._update_buttons()

    def show_missing(self, text: str = NO_ADJUDICATOR) -> None:
        """Say why nothing can be decided yet (no adjudicator, or none chosen)."""
        if self.adjudicator_id is None:
            self.who.setText(text)
            self._update_buttons()

    @property
    def adjudicator_id(self) -> str | None:
        return None if self.controller.coder is None else self.controller.coder.id

    def _update_buttons(self) -> None:
        """Enable what can act now; a disabled button's tooltip says why it is disabled."""
        reasons: dict[str, str | None]
        if self.adjudicator_id is None:
            reasons = dict.fromkeys(self.buttons, self.who.text())
        else:
            article = None if self.controller.bundle is not None else NO_ARTICLE
            everywhere = None if self.progress.rowCount() else "No article has been finished by two or more coders yet."
            reasons = {"acceptAgreements": article, "acceptAllAgreements": everywhere, "finishGold": article}
        for name, button in self.buttons.items():
            button.setEnabled(reasons[name] is None)
            button.setToolTip(reasons[name] or self._tips[name])

    def refresh_progress(self) -> None:
        project, adjudicator_id = self.controller.project, self.adjudicator_id
        if project is None or adjudicator_id is None:
            return
        self.progress.set_reader(lambda ids: adjudication_progress(project, adjudicator_id, ids))
        self.progress.set_ids(overlap_articles(project))
        if not self.progress.rowCount():
            self.status.setText("No article has been finished by two or more coders yet.")
        self._update_buttons()

    def open_article(self, article_id: str) -> None:
        self.controller.open_article(article_id)
        self.group_key = None
        self.refresh()
        self._update_buttons()
        row = self.progress.row_for_id(article_id)
        if row >= 0:
            self.articles_view.selectRow(row)
        first = next((r for r in self.groups.rows if r.open and r.status != "agreed"), None)
        if first is not None:
            self.select_group(first.key)

    def refresh(self) -> None:
        """Re-read the current article's groups and decisions (after any edit or undo)."""
        project, bundle, adjudicator_id = self.controller.project, self.controller.bundle, self.adjudicator_id
        if project is None or bundle is None or adjudicator_id is None:
            return
        try:
            self.view = adjudication_view(project, bundle.article.id, adjudicator_id)
        except LoupeError as exc:
            self.view = None
            self._refuse(exc.message)
            return
        self.groups.set_rows(group_rows(self.view))
        self.answers.show_answers(self.view.answers)
        self.progress.replace_row(self.view.progress)
        self.select_group(self.group_key)

    def select_group(self, key: str | None) -> None:
        view = self.view
        self.group_key = key
        found: SpanGroup | RelationGroup | None = None
        if view is not None and key is not None:
            groups: list[SpanGroup | RelationGroup] = [*view.groups, *view.relations]
            found = next((g for g in groups if g.key == key), None)
        self.choices.show_group(view, found)
        row = self.groups.row_of(key) if key else -1
        if row >= 0:
            self.groups_view.selectionModel().select(
                self.groups.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        project = self.controller.project
        if view is None or project is None:
            return
        gold = [a for g in view.groups for a in g.gold] + list(view.gold_only)
        outlined = []
        group = next((g for g in view.groups if g.key == key), None)
        if group is not None:
            outlined = [Marked(a.start, a.end, a.label) for v in group.versions for a in v.spans]
        colors = {label.name: label.color for label in project.codebook.span_labels}
        self.text.show_codings(view.article.text, (Marked(a.start, a.end, a.label) for a in gold), outlined, colors)
        if group is not None:
            self.text.scroll_to(group.start)

    # -- deciding ----------------------------------------------------------------------
    def _refuse(self, message: str) -> None:
        self.status.setText(message)
        self.refused.emit(message)

    def _ids(self) -> tuple[Project, str, str] | None:
        """(project, open article, adjudicator), or None after saying what is missing."""
        if self.adjudicator_id is None:
            self._refuse(self.who.text() or NO_ADJUDICATOR)
            return None
        project, bundle = self.controller.project, self.controller.bundle
        if project is None or bundle is None:
            self._refuse(NO_ARTICLE)
            return None
        return project, bundle.article.id, self.adjudicator_id

    def _decide(self, plan: Callable[[], list[Planned]], text: str, article_id: str | None) -> bool:
        """Plan a decision and hand it to the controller, which writes it in one
        transaction and keeps it as one undo step (refusals come back through its
        ``refused``).

        ``article_id``: the article it concerns (None: several), shown again on undo.
        """
        if self.controller.project is None:
            return False
        try:
            edits = plan()
        except LoupeError as exc:
            self._refuse(exc.message)
            return False
        except Exception:  # a slot of a button: report, log, never escape into Qt
            log.exception("Planning the decision %r failed", text)
            self._refuse(f"{text} failed and nothing was changed; the details are in the log file.")
            return False
        if not edits:
            self.status.setText("Already so in the gold standard.")
            return True
        if not self.controller.decide(text, edits, lambda: self._show_undone(article_id)):
            return False
        self.status.setText(f"{text}: saved.")
        self._after_decision(article_id)
        return True

    def _after_decision(self, article_id: str | None) -> None:
        if article_id is None:
            self.refresh_progress()
        self.refresh()

    def _show_undone(self, article_id: str | None) -> None:
        """After an undo or redo: show the article it concerns, with fresh figures."""
        bundle = self.controller.bundle
        if article_id is not None and (bundle is None or bundle.article.id != article_id):
            self.open_article(article_id)
        self._after_decision(article_id)

    def accept(self, coder: str) -> bool:
        key, ids = self.group_key, self._ids()
        if key is None or ids is None:
            return False
        project, article_id, adjudicator_id = ids
        if any(r.key == key and r.kind == "relation" for r in self.groups.rows):
            return self._decide(
                lambda: plans.accept_relation(project, article_id, adjudicator_id, key), "Accept relation", article_id
            )
        return self._decide(
            lambda: plans.accept_span(project, article_id, adjudicator_id, key, coder), f"Accept {coder}'s version",
            article_id,
        )

    def reject(self) -> bool:
        key, ids = self.group_key, self._ids()
        if key is None or ids is None:
            return False
        project, article_id, adjudicator_id = ids
        if any(r.key == key and r.kind == "relation" for r in self.groups.rows):
            return self._decide(
                lambda: plans.reject_relation(project, article_id, adjudicator_id, key), "Reject relation", article_id
            )
        return self._decide(
            lambda: plans.reject_group(project, article_id, adjudicator_id, key), "Reject group", article_id
        )

    def accept_answer(self, question: str, value: object) -> bool:
        ids = self._ids()
        if ids is None:
            return False
        project, article_id, adjudicator_id = ids
        return self._decide(
            lambda: plans.accept_answer(project, article_id, adjudicator_id, question, value), f"Answer {question}",
            article_id,
        )

    def accept_agreements(self) -> bool:
        """Accept the agreements of the open article (one decision)."""
        ids = self._ids()
        if ids is None:
            return False
        project, article_id, adjudicator_id = ids
        return self._decide(
            lambda: plans.accept_all_agreements(project, article_id, adjudicator_id),
            "Accept agreements in this article", article_id,
        )

    def accept_all_agreements(self) -> bool:
        """Accept the agreements of every overlap article not done, as ``loupe adjudicate
        --accept-agreements`` does (one decision, one undo step)."""
        adjudicator_id, project = self.adjudicator_id, self.controller.project
        if adjudicator_id is None or project is None:
            self._refuse(self.who.text() or NO_ADJUDICATOR)
            return False
        return self._decide(
            lambda: plans.accept_agreements_everywhere(project, adjudicator_id), "Accept all agreements", None
        )

    def finish(self) -> bool:
        if self._ids() is None or not self.controller.finish_gold():
            return False
        self.status.setText("The gold standard of this article is done.")
        self.refresh()
        return True

    def close_project(self) -> None:
        self.controller.close_project()
