"""File > Import Articles: the import service on a worker, with progress and cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.services.importing import (
    TRIM_FIELD,
    ImportReport,
    import_articles,
    import_lines,
    in_window_words,
    window_text,
)
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectTask

if TYPE_CHECKING:
    from app.ui.window_parts import ProjectWindow

#: What the report says to do about spans with white space at their edges, in the window.
TRIM_HINT = f"\u201c{TRIM_FIELD}\u201d trims them"


class ImportTask(ProjectTask):
    """``import_articles`` with the options ``loupe import`` takes (``coder``,
    ``trim_spans``, ``drop``); its report shown in the status bar and a result box."""

    def __init__(
        self, window: ProjectWindow, files: Sequence[Path], *,
        coder: str | None = None, trim_spans: bool = False, drop: frozenset[str] = frozenset(),
    ) -> None:
        assert window.controller.project_path is not None
        sources = list(files)
        self.coder, self.trim_spans = coder, trim_spans

        def job(project: Project, progress: ProgressFn, cancelled: CancelFn) -> ImportReport:
            return import_articles(
                project, sources, coder=coder, trim_spans=trim_spans, drop=drop,
                progress=progress, cancelled=cancelled,
            )

        super().__init__(
            window, window.controller.project_path, job,
            what="import", label="Importing articles…", name="import",
        )
        self.main_window = window

    @property
    def report_box(self) -> QMessageBox | None:
        return self.message_box

    def succeeded(self, report: ImportReport) -> None:
        controller = self.main_window.controller
        controller.refresh_listing()
        if controller.bundle is not None:  # coding may have been attached to the open article
            controller.open_article(controller.bundle.article.id)
        text, duplicates = window_text(import_lines(report, self.coder, self.trim_spans, trim_hint=TRIM_HINT))
        self.status(text.replace("\n", " "))
        self.show_message(QMessageBox.Icon.Information, text, "importReport")
        if duplicates and self.message_box is not None:
            self.message_box.setDetailedText(duplicates)


    def on_failure(self, message: str) -> None:
        super().on_failure(in_window_words(message))


def run_import(
    window: ProjectWindow, files: Sequence[Path], *,
    coder: str | None = None, trim_spans: bool = False, drop: frozenset[str] = frozenset(),
) -> ImportTask:
    """Start importing ``files`` through the window's task runner."""
    task = ImportTask(window, files, coder=coder, trim_spans=trim_spans, drop=drop)
    task.start()
    return task
