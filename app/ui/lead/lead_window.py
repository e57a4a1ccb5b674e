"""The lead's window: assignments and progress, agreement with drill-down,
adjudication into the gold, and the training set with each coder's scores on it.

A separate top-level window over the same project file as the coding window, opened
from the Team menu. It keeps one project connection of its own for quick reads on the
GUI thread (comparisons, the codebook); the agreement report is computed on a worker
with another, and adjudication codes through its own controller as the adjudicator.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox, QTabWidget, QWidget

from app.core.errors import LoupeError
from app.core.location import Location, location_name
from app.services.adjudication import adjudicators
from app.services.projects import Project, open_project
from app.ui.lead.adjudication_panel import AdjudicationPanel
from app.ui.lead.agreement_view import AgreementView
from app.ui.lead.assignments_view import AssignmentsView
from app.ui.lead.training_view import TrainingView


class LeadWindow(QMainWindow):
    def __init__(self, path: Location, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadWindow")
        self.setWindowTitle(f"{location_name(path)} \u2014 Team \u2014 Loupe")
        self.path = path
        self.project: Project = open_project(path)
        self.agreement = AgreementView(path, lambda: self.project)
        self.adjudication = AdjudicationPanel()
        self.assignments = AssignmentsView(lambda: self.project)
        self.training = TrainingView(lambda: self.project)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.assignments, "Assignments")
        self.tabs.addTab(self.agreement, "Agreement")
        self.tabs.addTab(self.adjudication, "Adjudication")
        self.tabs.addTab(self.training, "Training")
        self.setCentralWidget(self.tabs)
        self.agreement.failed.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.adjudication.refused.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.assignments.refused.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.training.refused.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.assignments.assignments_changed.connect(self._offer_adjudication)
        self.tabs.currentChanged.connect(
            lambda index: self._offer_adjudication() if self.tabs.widget(index) is self.adjudication else None
        )
        stack = self.adjudication.controller.undo_stack
        undo = stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo = stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        recompute = QAction("Recompute &Agreement", self)
        recompute.setShortcut(QKeySequence("F5"))
        recompute.triggered.connect(lambda _c=False: self.agreement.compute())
        self.menuBar().addMenu("&Edit").addActions([undo, redo])
        self.menuBar().addMenu("&View").addAction(recompute)
        self.resize(1300, 820)

    def show_assignments(self) -> None:
        shown = self.assignments.isVisible()
        self.tabs.setCurrentWidget(self.assignments)
        if shown:  # else showing it reads it (AssignmentsView.showEvent), once
            self.assignments.refresh()
        self._present()

    def show_training(self) -> None:
        self.tabs.setCurrentWidget(self.training)
        self.training.refresh()
        self._present()

    def show_agreement(self) -> None:
        self.tabs.setCurrentWidget(self.agreement)
        if self.agreement.report is None and (self.agreement.task is None or not self.agreement.task.running()):
            self.agreement.compute()
        self._present()

    def show_adjudication(self, adjudicator: str | None = None) -> bool:
        """Show the adjudication tab, as ``adjudicator`` (chosen among the project's if not
        given) the first time. Without one the tab says to add one in Assignments."""
        if self.adjudication.adjudicator_id is None:
            name = adjudicator or self.choose_adjudicator()
            if name:
                try:
                    self.adjudication.start(self.path, name)
                except LoupeError as exc:
                    QMessageBox.warning(self, "Adjudication", exc.message)
                    return False
        self.tabs.setCurrentWidget(self.adjudication)
        self._present()
        return True

    def choose_adjudicator(self) -> str | None:
        """The project's adjudicator, or the one the lead picks among several; None (and
        the tab says why) if there is none or none was picked."""
        names = [c.name for c in adjudicators(self.project)]
        if len(names) == 1:
            return names[0]
        if not names:
            self.adjudication.show_missing()
            return None
        name, ok = QInputDialog.getItem(self, "Adjudication", "Gold standard by:", names, 0, False)
        if ok and name:
            return name
        self.adjudication.show_missing("No adjudicator chosen: choose one with Team > Adjudicate\u2026.")
        return None

    def _offer_adjudication(self) -> None:
        """The tab is shown, or coders changed (Assignments, a merge): the project's one
        adjudicator opens the Adjudication tab; with several the tab says how to choose."""
        if self.adjudication.adjudicator_id is not None:
            return
        names = [c.name for c in adjudicators(self.project)]
        if len(names) != 1:
            if names:
                self.adjudication.show_missing("Choose the adjudicator with Team > Adjudicate\u2026.")
            return
        try:
            self.adjudication.start(self.path, names[0])
        except LoupeError as exc:
            self.statusBar().showMessage(exc.message, 10_000)

    def refresh(self) -> None:
        """After a merge: re-read assignments, recompute agreement, re-read the adjudication."""
        self.assignments.refresh()
        self.training.refresh()
        self.agreement.compute()
        if self.adjudication.adjudicator_id is not None:
            self.adjudication.refresh_progress()
            self.adjudication.refresh()
        else:
            self._offer_adjudication()

    def _present(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.agreement.release()
        self.adjudication.close_project()
        self.project.close()
        super().closeEvent(event)
