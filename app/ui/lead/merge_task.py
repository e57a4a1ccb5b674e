"""File > Merge Coder Files: merging returned packages without freezing the window.

The merge runs on one worker thread with its own connection (SQLite has one writer);
progress comes back by queued signals, and the progress dialog appears only after
600 ms. When it ends, a report dialog lists what each file changed, and the window
re-reads the article list and the current article.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from app.core.errors import LoupeError
from app.core.team import MergeReport, describe_counts
from app.services.merging import merge_files
from app.services.projects import open_project

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class MergeWorker(QObject):
    """Lives on the worker thread; touches no widget."""

    progressed = Signal(int, int, str)
    finished = Signal(object)  # MergeReport
    failed = Signal(str)

    def __init__(self, project_path: Path, files: Sequence[Path]) -> None:
        super().__init__()
        self.project_path = project_path
        self.files = list(files)
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            with open_project(self.project_path) as project:
                report = merge_files(
                    project, self.files, progress=self.progressed.emit, cancelled=self.cancel_event.is_set
                )
        except LoupeError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: one sentence, never a crashed window
            self.failed.emit(f"The merge failed unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            self.finished.emit(report)


def report_text(report: MergeReport) -> str:
    lines = []
    for merged in report.files:
        if not merged.changed:
            lines.append(f"{merged.file}: nothing new.")
            continue
        lines.append(f"{merged.file}:")
        if merged.coders_added:
            lines.append(f"  new coders: {', '.join(merged.coders_added)}")
        lines += [f"  {coder}: {line}" for coder, line in describe_counts(merged.counts.items()).items()]
    lines.append("(+ added, ~ updated, - deleted)" if report.changed else "The project is unchanged.")
    if report.backup:
        lines.append(f"The project was backed up first to {Path(report.backup).name}.")
    return "\n".join(lines)


class MergeTask(QObject):
    """Owns the thread, the worker and the dialogs of one merge; ``done`` carries the
    report, or None when the merge was refused (nothing was written then)."""

    done = Signal(object)

    def __init__(self, window: MainWindow, files: Sequence[Path]) -> None:
        super().__init__(window)
        assert window.controller.project_path is not None
        self.window = window
        self.thread = QThread(self)
        self.worker = MergeWorker(window.controller.project_path, files)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog("Merging coder files\u2026", "Cancel", 0, 0, window)
        self.dialog.setObjectName("mergeProgress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(600)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.worker.cancel_event.set)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.report_box: QMessageBox | None = None

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

    def _show(self, icon: QMessageBox.Icon, text: str, name: str) -> None:
        self.report_box = QMessageBox(icon, "Merge coder files", text, parent=self.window)
        self.report_box.setObjectName(name)
        self.report_box.open()

    def _finished(self, report: MergeReport) -> None:
        self._stop()
        controller = self.window.controller
        if controller.project is not None:
            controller.refresh_listing()
            if controller.bundle is not None:
                controller.open_article(controller.bundle.article.id)
        self.window.statusBar().showMessage("Merged." if report.changed else "Nothing new to merge.", 10_000)
        self._show(QMessageBox.Icon.Information, report_text(report), "mergeReport")
        self.done.emit(report)

    def _failed(self, message: str) -> None:
        self._stop()
        self.window.statusBar().showMessage(message, 10_000)
        self._show(QMessageBox.Icon.Warning, message, "mergeError")
        self.done.emit(None)
