"""The lead's training panel: which gold-standard articles new coders code first, and
how each coder does on them.

Above, every article with the state of its gold standard and whether it is a training
article; the lead selects rows and marks or unmarks them (an article needs a finished
gold; a refusal is the service's one sentence, shown beside the buttons). Below, the
per-coder training report of ``loupe training --report``: training articles given and
done, span precision, recall and F1 pooled over labels, answers and attributes as in
the gold. Reads and writes go through the lead window's project connection on the GUI
thread (a training set is a few dozen articles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import LoupeError
from app.services.projects import Project
from app.services.training import (
    GOLD_FINISHED,
    GOLD_IN_PROGRESS,
    CoderTraining,
    TrainingCandidate,
    mark_training,
    pooled_answers,
    pooled_spans,
    training_candidates,
    training_report,
    unmark_training,
)
from app.ui.row_model import RowTableModel
from app.ui.tables import table

GOLD_TEXT = {GOLD_FINISHED: "finished gold", GOLD_IN_PROGRESS: "gold in progress"}


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _share(agreed: int, compared: int) -> str:
    return f"{agreed}/{compared}" + (f" ({agreed / compared:.0%})" if compared else "")


class TrainingArticleModel(RowTableModel):
    """Rows of :class:`TrainingCandidate`; the first column is checked for training articles."""

    HEADERS = ("Training", "#", "Article", "Gold standard")

    def cells(self, row: TrainingCandidate) -> tuple[str, ...]:
        gold = GOLD_TEXT.get(row.gold, "no gold")
        return ("training" if row.training else "", str(row.position), row.title, gold)

    def extra(self, row: TrainingCandidate, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return Qt.CheckState.Checked if row.training else Qt.CheckState.Unchecked
        return None


class TrainingReportModel(RowTableModel):
    """Rows of :class:`CoderTraining`: spans pooled over labels, overlap matching as in
    the comparison with the gold, exact matching beside it."""

    HEADERS = (
        "Coder", "Given", "Done", "Precision", "Recall", "F1", "F1 (exact)", "Answers as gold",
        "Attributes as gold",
    )

    def cells(self, row: CoderTraining) -> tuple[str, ...]:
        spans, exact = pooled_spans(row.scores), pooled_spans(row.scores, "exact")
        return (
            row.coder, str(row.assigned), str(row.done), _percent(spans.precision), _percent(spans.recall),
            _percent(spans.f1), _percent(exact.f1), _share(*pooled_answers(row.scores)),
            _share(row.scores.attributes_agreed, row.scores.attributes_compared),
        )


class TrainingView(QWidget):
    """objectName ``trainingView``. GUI thread."""

    #: The training set changed: the ids now in it, in project order.
    training_changed = Signal(list)
    #: Marking or unmarking was refused: the one-sentence reason.
    refused = Signal(str)

    def __init__(self, project_getter: Callable[[], Project], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingView")
        self.project = project_getter
        self._loaded = False
        self.articles = TrainingArticleModel(self)
        self.report = TrainingReportModel(self)
        # Every article of the project: the columns are sized from the font, not from
        # their contents (fitting reads a thousand rows), and the title takes the rest.
        self.articles_view = table(self.articles, "trainingArticleTable", fit=False)
        header = self.articles_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        metrics = self.articles_view.fontMetrics()
        for column, sample in ((0, "☐ training"), (1, "1000000"), (3, "gold in progress")):
            header.resizeSection(column, max(metrics.horizontalAdvance(sample) + 24, header.sectionSizeHint(column)))
        self.articles_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.report_view = table(self.report, "trainingReportTable")
        self.mark_button = QPushButton("Mark as Training")
        self.mark_button.setObjectName("markTrainingButton")
        self.mark_button.clicked.connect(lambda _c=False: self.mark(self.selected_ids()))
        self.unmark_button = QPushButton("Remove from Training")
        self.unmark_button.setObjectName("unmarkTrainingButton")
        self.unmark_button.clicked.connect(lambda _c=False: self.unmark(self.selected_ids()))
        refresh = QPushButton("Refresh")
        refresh.setObjectName("refreshTrainingButton")
        refresh.clicked.connect(lambda _c=False: self.refresh())
        self.status = QLabel()
        self.status.setObjectName("trainingStatus")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        for button in (self.mark_button, self.unmark_button, refresh):
            bar.addWidget(button)
        bar.addWidget(self.status, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel(
            "Per coder, on the training articles they finished: spans pooled over every label "
            "(overlap matching, gold as reference), answers and attributes as in the gold."
        ))
        lower_layout.addWidget(self.report_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.articles_view)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Re-read the articles, their gold and the training report."""
        project = self.project()
        self._loaded = True
        self.articles.set_rows(training_candidates(project))
        self.report.set_rows(training_report(project).coders)
        chosen = sum(row.training for row in self.articles.rows)
        self.status.setText(f"{chosen} training article(s).")

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.articles_view.selectionModel().selectedRows()})
        return [self.articles.rows[row].article_id for row in rows]

    def mark(self, article_ids: Sequence[str]) -> bool:
        """Add the articles to the training set; False (and ``refused``) if refused."""
        return self._change(mark_training, article_ids)

    def unmark(self, article_ids: Sequence[str]) -> bool:
        return self._change(unmark_training, article_ids)

    def _change(self, change: Callable[[Project, Sequence[str]], list[str]], article_ids: Sequence[str]) -> bool:
        if not article_ids:
            self.status.setText("Select one or more articles first.")
            return False
        try:
            ids = change(self.project(), list(article_ids))
        except LoupeError as exc:
            self.status.setText(exc.message)
            self.refused.emit(exc.message)
            return False
        self.refresh()
        self.training_changed.emit(ids)
        return True
