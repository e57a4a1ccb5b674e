"""Compare with Gold: a coder's finished article against its gold standard.

The service refuses (article not done, no finished gold) with one sentence, shown as
is; the gold is therefore never visible before the coder has finished the article.
Otherwise the dialog lists exactly what differs from the gold and the coder's running
scores. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.core.errors import LoupeError
from app.services.feedback import FeedbackReport, LabelScore, SpanRef, feedback
from app.services.projects import Project
from app.ui.row_model import RowTableModel
from app.ui.tables import table


@dataclass(frozen=True)
class DifferenceRow:
    kind: str
    item: str
    gold: str
    yours: str


def _span(ref: SpanRef | None) -> str:
    return "\u2014" if ref is None else f"\u201c{ref.text}\u201d [{ref.start}\u2013{ref.end}]"


def _value(value: Any) -> str:
    return "\u2014" if value is None else str(value)


def difference_rows(report: FeedbackReport) -> list[DifferenceRow]:
    rows = [
        DifferenceRow("other boundaries", m.gold.label, _span(m.gold), _span(m.coded))
        for m in report.matched
        if not m.exact
    ]
    rows += [DifferenceRow("missed", ref.label, _span(ref), "\u2014") for ref in report.missed]
    rows += [DifferenceRow("extra", ref.label, "\u2014", _span(ref)) for ref in report.extra]
    rows += [
        DifferenceRow("attribute", f"{d.label} \u201c{d.text}\u201d {d.attribute}", _value(d.gold), _value(d.coded))
        for d in report.attributes
    ]
    rows += [
        DifferenceRow("answer", a.question, _value(a.gold), _value(a.coded)) for a in report.answers if not a.agree
    ]
    return rows


class DifferenceModel(RowTableModel):
    HEADERS = ("Difference", "Label or question", "Gold standard", "Yours")

    def cells(self, row: DifferenceRow) -> tuple[str, ...]:
        return (row.kind, row.item, row.gold, row.yours)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


class ScoreModel(RowTableModel):
    HEADERS = ("Label", "Matching", "Precision", "Recall", "F1", "Gold spans", "Your spans")

    def cells(self, row: LabelScore) -> tuple[str, ...]:
        return (
            row.label, row.mode, _percent(row.precision), _percent(row.recall), _percent(row.f1),
            str(row.n_gold), str(row.n_coded),
        )


class FeedbackDialog(QDialog):
    def __init__(self, report: FeedbackReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackDialog")
        self.setWindowTitle(f"Compare with gold \u2014 {report.title}")
        self.report = report
        self.differences = DifferenceModel(self)
        self.differences.set_rows(difference_rows(report))
        self.scores = ScoreModel(self)
        self.scores.set_rows(report.running.labels)
        exact = sum(m.exact for m in report.matched)
        summary = QLabel(
            f"<b>{report.coder}</b> on \u2018{report.title}\u2019 against the gold standard by "
            f"{report.gold_by}: {exact} span(s) exactly as in the gold, "
            f"{len(self.differences.rows)} difference(s)."
        )
        summary.setObjectName("feedbackSummary")
        summary.setWordWrap(True)
        running = report.running
        answers = "; ".join(
            f"{q.question}: {q.n_agreed}/{q.n_articles} as the gold" for q in running.questions
        )
        scores = QLabel(
            f"Your running scores over {running.n_articles} finished article(s) with a gold standard"
            + (f" \u2014 {answers}" if answers else "") + "."
        )
        scores.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table(self.differences, "feedbackDifferences"), 2)
        layout.addWidget(scores)
        layout.addWidget(table(self.scores, "feedbackScores"), 1)
        layout.addWidget(buttons)
        self.resize(760, 560)


def show_feedback(
    parent: QWidget, project: Project, coder: str, article_id: str,
    refused: Callable[[str], None] | None = None,
) -> FeedbackDialog | None:
    """Open the comparison, or say in one sentence why it cannot be shown yet (in a
    message box, or to ``refused`` when given)."""
    try:
        report = feedback(project, coder, article_id)
    except LoupeError as exc:
        if refused is not None:
            refused(exc.message)
            return None
        box = QMessageBox(QMessageBox.Icon.Information, "Compare with gold", exc.message, parent=parent)
        box.setObjectName("feedbackRefusal")
        box.open()
        return None
    dialog = FeedbackDialog(report, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a new one for every comparison
    dialog.open()
    return dialog

