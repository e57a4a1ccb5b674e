"""File > Import Articles: the import service on a worker, with progress and cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.printable import printable
from app.services.importing import ImportReport, import_articles
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectTask

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class ImportTask(ProjectTask):
    def __init__(self, window: MainWindow, files: Sequence[Path]) -> None:
        assert window.controller.project_path is not None
        sources = list(files)

        def job(project: Project, progress: ProgressFn, cancelled: CancelFn) -> ImportReport:
            return import_articles(project, sources, progress=progress, cancelled=cancelled)

        super().__init__(
            window, window.controller.project_path, job,
            what="import", label="Importing articles…", name="import",
        )
        self.main_window = window

    def succeeded(self, report: ImportReport) -> None:
        self.main_window.controller.refresh_listing()
        lines = [f"Imported {report.imported} article(s) with {report.entities} entities."]
        if report.duplicates:
            lines.append(f"{len(report.duplicates)} duplicate(s) skipped.")
        if report.warning:
            lines.append(report.warning)
        self.status(printable(" ".join(lines)))


def run_import(window: MainWindow, files: Sequence[Path]) -> ImportTask:
    """Start importing ``files`` through the window's task runner."""
    task = ImportTask(window, files)
    task.start()
    return task
