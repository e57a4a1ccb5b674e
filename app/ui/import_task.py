"""Importing articles from the window without freezing it.

The import runs on one worker thread (SQLite has one writer) with its own connection to
the project; progress comes back by queued signals and a progress dialog appears only
if the work takes longer than 600 ms. Cancel stops it before anything is written.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from app.core.errors import LoupeError
from app.services.importing import ImportReport, import_articles
from app.services.projects import open_project

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class ImportWorker(QObject):
    """Lives on the worker thread; touches no widget."""

    progressed = Signal(int, int, str)
    finished = Signal(object)  # ImportReport
    failed = Signal(str)

    def __init__(self, project_path: Path, files: Sequence[Path]) -> None:
        super().__init__()
        self.project_path = project_path
        self.files = list(files)
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            with open_project(self.project_path) as project:
                report = import_articles(
                    project, self.files, progress=self.progressed.emit,
                    cancelled=self.cancel_event.is_set,
                )
        except LoupeError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: say so in one sentence, never crash the window
            self.failed.emit(f"The import failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            self.finished.emit(report)


class ImportTask(QObject):
    """Owns the thread, the worker and the progress dialog of one import."""

    done = Signal(object)  # ImportReport or None

    def __init__(self, window: MainWindow, files: Sequence[Path]) -> None:
        super().__init__(window)
        assert window.controller.project_path is not None
        self.window = window
        self.thread = QThread(self)
        self.worker = ImportWorker(window.controller.project_path, files)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog("Importing articles…", "Cancel", 0, 0, window)
        self.dialog.setObjectName("importProgress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(600)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.worker.cancel_event.set)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)

    def start(self) -> None:
        self.thread.start()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        self.dialog.setLabelText(text)

    def _stop(self) -> None:
        self.dialog.close()
        self.thread.quit()
        self.thread.wait()

    def _finished(self, report: ImportReport) -> None:
        self._stop()
        self.window.controller.refresh_listing()
        lines = [f"Imported {report.imported} article(s) with {report.entities} entities."]
        if report.duplicates:
            lines.append(f"{len(report.duplicates)} duplicate(s) skipped.")
        if report.warning:
            lines.append(report.warning)
        self.window.statusBar().showMessage(" ".join(lines), 10_000)
        self.done.emit(report)

    def _failed(self, message: str) -> None:
        self._stop()
        self.window.statusBar().showMessage(message, 10_000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Import", message, parent=self.window)
        box.setObjectName("importError")
        box.open()
        self.done.emit(None)


def run_import(window: MainWindow, files: Sequence[Path]) -> ImportTask:
    task = ImportTask(window, files)
    task.start()
    return task
