"""Computing the agreement report off the GUI thread, as a job of the window's task
runner (:class:`app.ui.tasks.BackgroundTask`: its own connection, results by queued
signal), without a progress dialog: the lead window shows its own "computing" state.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.location import Location
from app.services.agreement.report import agreement_report
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import BackgroundTask


class AgreementTask(BackgroundTask):
    """One computation; ``done`` carries the report, or None and the refusal (an empty
    refusal when the window closed before it ended)."""

    done = Signal(object, str)  # AgreementReport | None, the refusal if None

    def __init__(self, path: Location, n_bootstrap: int, seed: int, parent: QObject | None = None) -> None:
        def job(project: Project, _progress: ProgressFn, _cancelled: CancelFn) -> object:
            report = agreement_report(project, n_bootstrap=n_bootstrap, seed=seed)
            report.index_disagreements()  # here, not on the GUI thread at the first click
            return report

        super().__init__(path, job, "agreement report", parent)

    def on_result(self, report: object) -> None:
        self.done.emit(report, "")

    def on_failure(self, message: str) -> None:
        self.done.emit(None, message)

    def on_abandoned(self) -> None:
        self.done.emit(None, "")
