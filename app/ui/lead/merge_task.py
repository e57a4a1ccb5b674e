"""File > Merge Coder Files: merging returned packages without freezing the window.

The merge runs on one worker thread with its own connection (SQLite has one writer);
progress comes back by queued signals, and the progress dialog appears only after
600 ms. When it ends, a report dialog lists what each file changed, and the window
re-reads the article list and the current article.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.core.printable import printable
from app.core.team import MergeReport, describe_counts
from app.services.merging import merge_files
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectTask

if TYPE_CHECKING:
    from app.ui.window_parts import ProjectWindow


def report_text(report: MergeReport) -> str:
    lines = []
    for merged in report.files:
        if not merged.changed:
            lines.append(f"{printable(merged.file)}: nothing new.")
            continue
        lines.append(f"{printable(merged.file)}:")
        if merged.coders_added:
            lines.append(f"  new coders: {', '.join(merged.coders_added)}")
        lines += [f"  {coder}: {line}" for coder, line in describe_counts(merged.counts.items()).items()]
    lines.append("(+ added, ~ updated, - deleted)" if report.changed else "The project is unchanged.")
    if report.backup:
        lines.append(f"The project was backed up first to {printable(Path(report.backup).name)}.")
    return "\n".join(lines)


class MergeTask(ProjectTask):
    """One merge; ``done`` carries the report, or None when the merge was refused
    (nothing was written then)."""

    def __init__(self, window: ProjectWindow, files: Sequence[Path]) -> None:
        assert window.controller.project_path is not None
        paths = list(files)

        def job(project: Project, progress: ProgressFn, cancelled: CancelFn) -> MergeReport:
            return merge_files(project, paths, progress=progress, cancelled=cancelled)

        super().__init__(
            window, window.controller.project_path, job,
            what="merge coder files", label="Merging coder files\u2026", name="merge",
        )
        self.main_window = window

    @property
    def report_box(self) -> QMessageBox | None:
        return self.message_box

    def succeeded(self, report: MergeReport) -> None:
        controller = self.main_window.controller
        if controller.project is not None:
            controller.refresh_listing()
            if controller.bundle is not None:
                controller.open_article(controller.bundle.article.id)
        self.status("Merged." if report.changed else "Nothing new to merge.")
        self.show_message(QMessageBox.Icon.Information, report_text(report), "mergeReport")
