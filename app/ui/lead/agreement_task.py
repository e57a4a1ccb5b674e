"""Computing the agreement report off the GUI thread.

The worker opens its own connection to the project (a connection is never shared
across threads) and hands back the finished report, a tree of frozen records, by a
queued signal. Nothing here touches a widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.core.errors import LoupeError
from app.services.agreement_report import agreement_report
from app.services.projects import open_project


class AgreementWorker(QObject):
    finished = Signal(object)  # AgreementReport
    failed = Signal(str)

    def __init__(self, path: Path, n_bootstrap: int, seed: int) -> None:
        super().__init__()
        self.path, self.n_bootstrap, self.seed = path, n_bootstrap, seed

    def run(self) -> None:
        try:
            with open_project(self.path) as project:
                report = agreement_report(project, n_bootstrap=self.n_bootstrap, seed=self.seed)
        except LoupeError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: one sentence, never a crashed window
            self.failed.emit(f"The agreement report failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            self.finished.emit(report)


class AgreementTask(QObject):
    """One computation: owns its thread and worker; ``done`` carries the report or None."""

    done = Signal(object, str)  # AgreementReport | None, the refusal if None

    def __init__(self, path: Path, n_bootstrap: int, seed: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        self.worker = AgreementWorker(path, n_bootstrap, seed)
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
