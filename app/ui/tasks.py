"""Long work on a project (import, export, merge) without freezing the window.

The work runs on one worker thread with its own connection to the project (SQLite has
one writer); progress comes back by queued signals and a progress dialog appears only
if the work takes longer than 600 ms. Cancel asks the work to stop; the services then
write nothing. No widget is touched from the worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.core.errors import LoupeError
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project, open_project

#: The work: called on the worker thread with the project it opened there.
Job = Callable[[Project, ProgressFn, CancelFn], Any]


class ProjectWorker(QObject):
    """Lives on the worker thread."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, project_path: Path, job: Job, what: str) -> None:
        super().__init__()
        self.project_path = project_path
        self.job = job
        self.what = what
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            with open_project(self.project_path) as project:
                result = self.job(project, self.progressed.emit, self.cancel_event.is_set)
        except LoupeError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: one sentence, never a crashed window
            self.failed.emit(f"The {self.what} failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            self.finished.emit(result)


class ProjectTask(QObject):
    """Owns the thread, the worker and the progress dialog of one piece of work.

    ``done`` carries the job's result, or None if it failed or was cancelled (the
    reason is in the status bar and a message box). Subclasses override
    :meth:`succeeded` to show what happened.
    """

    done = Signal(object)

    def __init__(
        self, window: QWidget, project_path: Path, job: Job, *, what: str, label: str, name: str
    ) -> None:
        super().__init__(window)
        self.window = window
        self.what = what
        self.name = name
        self.thread = QThread(self)
        self.worker = ProjectWorker(project_path, job, what)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, window)
        self.dialog.setObjectName(f"{name}Progress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(600)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.worker.cancel_event.set)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.message_box: QMessageBox | None = None

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel_event.set()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        self.dialog.setLabelText(text)

    def _stop(self) -> None:
        self.dialog.close()
        self.thread.quit()
        self.thread.wait()

    def show_message(self, icon: QMessageBox.Icon, text: str, name: str) -> None:
        self.message_box = QMessageBox(icon, self.what.capitalize(), text, parent=self.window)
        self.message_box.setObjectName(name)
        self.message_box.open()

    def status(self, text: str) -> None:
        status_bar = getattr(self.window, "statusBar", None)
        if status_bar is not None:
            status_bar().showMessage(text, 10_000)

    def succeeded(self, result: Any) -> None:
        """Show the result (the default: nothing)."""

    def _finished(self, result: Any) -> None:
        self._stop()
        self.succeeded(result)
        self.done.emit(result)

    def _failed(self, message: str) -> None:
        self._stop()
        self.status(message)
        self.show_message(QMessageBox.Icon.Warning, message, f"{self.name}Error")
        self.done.emit(None)
