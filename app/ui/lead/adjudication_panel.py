"""Adjudication in the window: deciding, group by group, what the gold standard holds.

The panel codes as the adjudicator through its own
:class:`~app.ui.controller.CodingController`, so every decision is an edit committed at
once and undoable (Ctrl+Z in the lead window): accepting or rejecting plans edits with
:mod:`app.services.adjudication_edits` and applies them as one undo step. Left, the
overlap articles with their progress; in the middle, the article with the gold as fills
and the selected group's versions as outlines; right, the groups (open disagreements
highlighted), the versions of the selected one, and the article questions. GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.core.adjudication import SetRejected
from app.core.errors import LoupeError
from app.services import adjudication_edits as plans
from app.services.adjudication import (
    AdjudicationView,
    adjudication_progress,
    adjudication_view,
    ensure_adjudicator,
    finish_article,
)
from app.services.projects import open_project
from app.ui.controller import CodingController
from app.ui.lead.adjudication_models import GroupModel, ProgressModel, group_rows
from app.ui.lead.agreement_view import table
from app.ui.lead.compare_view import CompareView, Marked
from app.ui.lead.decisions import AnswerBox, ChoiceBox, RejectionCommand


class AdjudicationPanel(QWidget):
    """objectName ``adjudicationPanel``; :meth:`start` opens it as an adjudicator."""

    #: A decision was refused: the one-sentence reason.
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adjudicationPanel")
        self.controller = CodingController(self)
        self.controller.refused.connect(self._refuse)
        self.controller.undo_stack.indexChanged.connect(lambda _i: self.refresh())
        self.view: AdjudicationView | None = None
        self.group_key: str | None = None
        self.progress = ProgressModel(self)
        self.groups = GroupModel(self)
        self.articles_view = table(self.progress, "adjudicationArticles")
        self.articles_view.clicked.connect(lambda i: self.open_article(self.progress.rows[i.row()].article_id))
        self.groups_view = table(self.groups, "adjudicationGroups")
        self.groups_view.clicked.connect(lambda i: self.select_group(self.groups.rows[i.row()].key))
        self.text = CompareView()
        self.choices = ChoiceBox()
        self.choices.accepted.connect(self.accept)
        self.choices.rejected.connect(self.reject)
        self.answers = AnswerBox()
        self.answers.accepted.connect(self.accept_answer)
        self.who = QLabel("No adjudicator yet.")
        self.status = QLabel()
        self.status.setObjectName("adjudicationStatus")
        self.status.setWordWrap(True)
        agree_all = QPushButton("Accept All Agreements")
        agree_all.setObjectName("acceptAgreements")
        agree_all.clicked.connect(self.accept_agreements)
        finish = QPushButton("Mark Gold Done")
        finish.setObjectName("finishGold")
        finish.clicked.connect(self.finish)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.groups_view, 2)
        right_layout.addWidget(self.choices)
        right_layout.addWidget(self.answers)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.articles_view, self.text, right):
            splitter.addWidget(widget)
        splitter.setSizes([260, 520, 460])
        bar = QHBoxLayout()
        for widget in (self.who, agree_all, finish):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    # -- opening -----------------------------------------------------------------------
    def start(self, path: Path, adjudicator: str) -> None:
        """Adjudicate ``path`` as ``adjudicator`` (created with that role if new). Raises LoupeError."""
        with open_project(path) as project:
            ensure_adjudicator(project, adjudicator)
        self.controller.open_project(path, adjudicator)
        self.who.setText(f"Gold standard by <b>{adjudicator}</b>")
        self.refresh_progress()
        if self.progress.rows:
            self.open_article(self.progress.rows[0].article_id)

    @property
    def adjudicator_id(self) -> str:
        assert self.controller.coder is not None
        return self.controller.coder.id

    def refresh_progress(self) -> None:
        if self.controller.project is None:
            return
        rows = adjudication_progress(self.controller.project, self.adjudicator_id)
        self.progress.set_rows(rows)
        if not rows:
            self.status.setText("No article has been finished by two or more coders yet.")

    def open_article(self, article_id: str) -> None:
        self.controller.open_article(article_id)
        self.group_key = None
        self.refresh()
        row = next((i for i, r in enumerate(self.progress.rows) if r.article_id == article_id), -1)
        if row >= 0:
            self.articles_view.selectRow(row)
        first = next((r for r in self.groups.rows if r.open and r.status != "agreed"), None)
        if first is not None:
            self.select_group(first.key)

    def refresh(self) -> None:
        """Re-read the current article's groups and decisions (after any edit or undo)."""
        project, bundle = self.controller.project, self.controller.bundle
        if project is None or bundle is None:
            return
        try:
            self.view = adjudication_view(project, bundle.article.id, self.adjudicator_id)
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
        found = None
        if view is not None and key is not None:
            found = next((g for g in (*view.groups, *view.relations) if g.key == key), None)
        self.choices.show_group(view, found)
        row = self.groups.row_of(key) if key else -1
        if row >= 0:
            self.groups_view.selectionModel().select(
                self.groups.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        if view is None:
            return
        gold = [a for g in view.groups for a in g.gold] + list(view.gold_only)
        outlined = []
        group = next((g for g in view.groups if g.key == key), None)
        if group is not None:
            outlined = [Marked(a.start, a.end, a.label) for v in group.versions for a in v.spans]
        colors = {label.name: label.color for label in self.controller.project.codebook.span_labels}
        self.text.show_codings(view.article.text, (Marked(a.start, a.end, a.label) for a in gold), outlined, colors)
        if group is not None:
            self.text.scroll_to(group.start)

    # -- deciding ----------------------------------------------------------------------
    def _refuse(self, message: str) -> None:
        self.status.setText(message)
        self.refused.emit(message)

    def _decide(self, plan: Callable[[], list], text: str) -> bool:
        """Plan edits and apply them through the controller as one undo step."""
        project, bundle = self.controller.project, self.controller.bundle
        if project is None or bundle is None:
            return False
        try:
            edits = plan()
        except LoupeError as exc:
            self._refuse(exc.message)
            return False
        if not edits:
            self.status.setText("Already so in the gold standard.")
            return True
        stack = self.controller.undo_stack
        applied = True
        stack.beginMacro(text)
        for edit in edits:
            if isinstance(edit, SetRejected):
                stack.push(RejectionCommand(lambda: self.controller.project, edit))
            elif not self.controller.apply(edit):
                applied = False
                break
        stack.endMacro()
        self.status.setText(f"{text}: saved." if applied else self.status.text())
        self.refresh()
        return applied

    def _ids(self) -> tuple[str, str]:
        assert self.controller.project is not None and self.controller.bundle is not None
        return self.controller.bundle.article.id, self.adjudicator_id

    def accept(self, coder: str) -> bool:
        key = self.group_key
        if key is None:
            return False
        article_id, adjudicator_id = self._ids()
        project = self.controller.project
        if any(r.key == key and r.kind == "relation" for r in self.groups.rows):
            return self._decide(lambda: plans.accept_relation(project, article_id, adjudicator_id, key), "Accept relation")
        return self._decide(
            lambda: plans.accept_span(project, article_id, adjudicator_id, key, coder), f"Accept {coder}'s version"
        )

    def reject(self) -> bool:
        key = self.group_key
        if key is None:
            return False
        article_id, adjudicator_id = self._ids()
        project = self.controller.project
        if any(r.key == key and r.kind == "relation" for r in self.groups.rows):
            return self._decide(lambda: plans.reject_relation(project, article_id, adjudicator_id, key), "Reject relation")
        return self._decide(lambda: plans.reject_group(project, article_id, adjudicator_id, key), "Reject group")

    def accept_answer(self, question: str, value: object) -> bool:
        article_id, adjudicator_id = self._ids()
        project = self.controller.project
        return self._decide(
            lambda: plans.accept_answer(project, article_id, adjudicator_id, question, value), f"Answer {question}"
        )

    def accept_agreements(self) -> bool:
        article_id, adjudicator_id = self._ids()
        project = self.controller.project
        return self._decide(
            lambda: plans.accept_all_agreements(project, article_id, adjudicator_id), "Accept all agreements"
        )

    def finish(self) -> bool:
        article_id, adjudicator_id = self._ids()
        try:
            finish_article(self.controller.project, article_id, adjudicator_id)
        except LoupeError as exc:
            self._refuse(exc.message)
            return False
        self.status.setText("The gold standard of this article is done.")
        self.refresh()
        return True

    def close_project(self) -> None:
        self.controller.close_project()
