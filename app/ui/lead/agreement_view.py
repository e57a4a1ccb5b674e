"""The agreement report in the window, with drill-down from a number to the article.

Sections (article questions, spans, attributes, relations) are tables of pooled
figures. Clicking a row shows that measure's figures per coder pair and per article (and,
for a single choice, per option: which option do coders confuse?) and the disagreements
behind it; clicking a pair or an article narrows the disagreements to
it; clicking a disagreement opens its article with both coders' spans. A bar chart
shows alpha_U per span label against the 0.667 and 0.800 thresholds. The report is
computed in the background (:mod:`app.ui.lead.agreement_task`) with the same settings
as ``loupe agreement``, so the numbers are the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.location import Location
from app.services.agreement.report import AgreementReport, Disagreement, Measure
from app.services.projects import Project
from app.ui.lead.agreement_models import (
    DisagreementModel,
    FigureTableModel,
    OptionTableModel,
    article_rows,
    pair_rows,
    pooled_rows,
)
from app.ui.lead.agreement_task import AgreementTask
from app.ui.lead.alpha_chart import AlphaChart
from app.ui.lead.compare_dialog import CompareDialog
from app.ui.tables import table


class AgreementView(QWidget):
    """objectName ``agreementView``. GUI thread; the report is computed on a worker."""

    #: The report was computed and shown: AgreementReport.
    computed = Signal(object)
    #: It could not be computed: the one-sentence reason.
    failed = Signal(str)

    PROMPT = "Click a figure to see it per coder pair, per article, and its disagreements."

    def __init__(self, path: Location, project: Callable[[], Project], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreementView")
        self.path = path
        self.project = project
        self.report: AgreementReport | None = None
        self.measure: Measure | None = None
        self.task: AgreementTask | None = None
        self._again = False
        self.compare_dialog: CompareDialog | None = None
        self.titles: dict[str, str] = {}
        self.resamples = QSpinBox(minimum=0, maximum=100_000, value=1000, singleStep=100)
        self.resamples.setToolTip("Bootstrap resamples per interval (0: no intervals)")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=1)
        self.recompute_button = QPushButton("Recompute")
        self.recompute_button.clicked.connect(self.compute)
        self.status = QLabel()
        self.status.setObjectName("agreementStatus")
        bar = QHBoxLayout()
        for widget in (QLabel("Resamples"), self.resamples, QLabel("Seed"), self.seed, self.recompute_button):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        self.sections = QTabWidget()
        self.section_models: dict[str, FigureTableModel] = {}
        self.section_views: dict[str, QTableView] = {}
        for heading in ("Article questions", "Spans", "Attributes", "Relations"):
            model = FigureTableModel("Measure", self)
            view = table(model, f"section_{heading.split()[-1].lower()}")
            view.clicked.connect(lambda index, m=model: self._measure_clicked(m, index))
            self.section_models[heading], self.section_views[heading] = model, view
            self.sections.addTab(view, heading)
        self.sections.currentChanged.connect(self._section_changed)
        self.pairs = FigureTableModel("Coder pair", self)
        self.articles = FigureTableModel("Article", self)
        self.disagreements = DisagreementModel(self)
        self.pairs_view = table(self.pairs, "pairFigures")
        self.articles_view = table(self.articles, "articleFigures")
        self.disagreements_view = table(self.disagreements, "disagreements")
        self.options = OptionTableModel(self)
        self.options_view = table(self.options, "optionFigures")
        self.pairs_view.clicked.connect(lambda i: self._narrow(coders=self.pairs.rows[i.row()].figure.coders))
        self.articles_view.clicked.connect(
            lambda i: self._narrow(article_id=self.articles.rows[i.row()].figure.article_id)
        )
        self.disagreements_view.clicked.connect(self._disagreement_clicked)
        self.chart = AlphaChart()
        self.detail = QLabel(self.PROMPT)
        self.detail.setObjectName("agreementDetail")
        self.detail.setWordWrap(True)
        details = self.details = QTabWidget()
        details.setObjectName("agreementDetails")
        details.addTab(self.pairs_view, "Per coder pair")
        details.addTab(self.articles_view, "Per article")
        details.addTab(self.options_view, "Per option")
        details.setTabEnabled(2, False)
        details.setTabToolTip(2, "A single choice's options: which option do coders confuse?")
        details.tabBarClicked.connect(self._detail_tab_clicked)
        self._back_to_options = False
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.chart)
        lower.addWidget(details)
        lower.addWidget(self.disagreements_view)
        lower.setSizes([300, 420, 480])
        upper = QSplitter(Qt.Orientation.Vertical)
        upper.addWidget(self.sections)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.detail)
        below_layout.addWidget(lower, 1)
        upper.addWidget(below)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(upper, 1)

    # -- computing ---------------------------------------------------------------------
    def compute(self) -> None:
        """(Re)compute in the background; a request while one runs starts another after it."""
        if self.task is not None and self.task.running():
            self._again = True
            return
        self.status.setText("Computing agreement\u2026")
        self.recompute_button.setEnabled(False)
        self.task = AgreementTask(self.path, self.resamples.value(), self.seed.value(), self)
        self.task.done.connect(self._done)
        self.task.start()

    def release(self) -> None:
        """Let a running computation finish on its own (the view is closing): the task
        moves to the application, drops its result and deletes itself when done."""
        task, self.task = self.task, None
        if task is not None and task.running():
            task.done.disconnect(self._done)
            task.setParent(QCoreApplication.instance())
            task.done.connect(task.deleteLater)

    def _done(self, report: AgreementReport | None, message: str) -> None:
        self.recompute_button.setEnabled(True)
        if self._again:
            self._again = False
            self.compute()
            return
        if report is None:
            self.status.setText(message)
            self.report = None
            for model in self.section_models.values():
                model.set_rows([])
            self._show_measure(None)
            self.failed.emit(message)
            return
        self.show_report(report)
        self.computed.emit(report)

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self.titles = {a.id: a.title for a in report.articles}
        self.status.setText(
            f"{len(report.articles)} article(s) finished by two or more of {', '.join(report.coders)}; "
            f"{report.n_excluded_articles} finished by one only."
        )
        for heading, measures in report.sections():
            self.section_models[heading].set_rows(pooled_rows(measures))
        bars = []
        for m in report.spans:
            f = m.figure("unitizing_alpha")
            bars.append((m.name, f.value if f is not None else math.nan))
        self.chart.set_bars(bars, "alpha_U per span label")
        self._show_measure(None)

    # -- drill-down --------------------------------------------------------------------
    def _measure_clicked(self, model: FigureTableModel, index: QModelIndex) -> None:
        self._show_measure(model.rows[index.row()].measure)

    def _section_changed(self, index: int) -> None:
        """Another section's tab: the details follow the row selected there (or none),
        never a measure of the section left behind."""
        view = self.sections.widget(index)
        model = next((m for h, m in self.section_models.items() if self.section_views[h] is view), None)
        rows = view.selectionModel().selectedRows() if isinstance(view, QTableView) else []
        if model is not None and rows and rows[0].row() < len(model.rows):
            self._show_measure(model.rows[rows[0].row()].measure)
        else:
            self._show_measure(None)

    def _show_measure(self, measure: Measure | None) -> None:
        self.measure = measure
        self.pairs.set_rows(pair_rows(measure) if measure else [])
        self.articles.set_rows(article_rows(measure, self.titles) if measure else [])
        self.disagreements.set_rows(measure.disagreements if measure else [])
        self.options.set_rows(measure.options if measure else [])
        # The per-option tab is open only for a single choice; left for another item, it
        # opens again at the next single choice unless another tab is clicked meanwhile.
        has_options, showing = bool(self.options.rows), self.details.currentWidget() is self.options_view
        self.details.setTabEnabled(self.details.indexOf(self.options_view), has_options)
        if has_options and self._back_to_options:
            self.details.setCurrentWidget(self.options_view)
        elif not has_options and showing:
            self.details.setCurrentWidget(self.pairs_view)
        self._back_to_options = (showing or self._back_to_options) and not has_options
        self.detail.setText(
            self.PROMPT if measure is None
            else f"{measure.name} ({measure.kind}): {len(measure.disagreements)} disagreement(s)."
        )

    def _detail_tab_clicked(self, index: int) -> None:
        if self.details.isTabEnabled(index):
            self._back_to_options = False

    def _narrow(self, *, coders: tuple[str, ...] | None = None, article_id: str | None = None) -> None:
        if self.measure is None:
            return
        found = self.measure.disagreements_for(article_id=article_id, coders=coders)
        self.disagreements.set_rows(found)
        where = " / ".join(coders) if coders else self.titles.get(article_id or "", "")
        self.detail.setText(f"{self.measure.name}, {where}: {len(found)} disagreement(s).")

    def _disagreement_clicked(self, index: QModelIndex) -> None:
        self.open_disagreement(self.disagreements.rows[index.row()])

    def open_disagreement(self, disagreement: Disagreement) -> CompareDialog:
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        self.compare_dialog = CompareDialog(self.project(), disagreement, self)
        self.compare_dialog.show()
        return self.compare_dialog
