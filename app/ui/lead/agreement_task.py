"""Computing the agreement report off the GUI thread, on the shared project worker
(:class:`app.ui.tasks.ProjectWorker`: its own connection, results by queued signal),
without a progress dialog: the lead window shows its own "computing" state.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.services.agreement_report import agreement_report
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectWorker


class AgreementTask(QObject):
    """One computation: owns its thread and worker; ``done`` carries the report or None."""

    done = Signal(object, str)  # AgreementReport | None, the refusal if None

    def __init__(self, path: Path, n_bootstrap: int, seed: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        def job(project: Project, _progress: ProgressFn, _cancelled: CancelFn) -> object:
            report = agreement_report(project, n_bootstrap=n_bootstrap, seed=seed)
            report.index_disagreements()  # here, not on the GUI thread at the first click
            return report

        self.worker = ProjectWorker(path, job, "agreement report")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # Bound methods of an object on the GUI thread: the calls arrive queued there.
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)

    def start(self) -> None:
        self.thread.start()

    def running(self) -> bool:
        return self.thread.isRunning()

    def wait(self) -> None:
        self.thread.quit()
        self.thread.wait()

    def _finished(self, report: object) -> None:
        self.wait()
        self.done.emit(report, "")

    def _failed(self, message: str) -> None:
        self.wait()
        self.done.emit(None, message)
