"""Saving the edited codebook: what the change would do (a dry run), the lead's
confirmation, the migration on the window's worker lane, and the window re-read.

The dry run reads every coded row, on the GUI thread under a busy cursor (it writes
nothing); the migration itself is one transaction on a worker (:class:`AdoptTask`). A new
codebook changes what every panel shows, so the window then opens the project again
(its label keys, palette, highlights, attribute editor and question form are built from
the codebook) and its undo history is gone: a codebook change is not a coding edit.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QMessageBox,
    QSizePolicy,
    QSpacerItem,
    QWidget,
)

from app.core.codebook import Codebook, CodebookMap
from app.core.errors import LoupeError
from app.core.location import Location
from app.services.codebook_edits import Ready, WorkingCopy
from app.services.codebook_text import format_report
from app.services.codebook_versions import UpgradeReport, adopt_codebook
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectTask
from app.ui.window_parts import ProjectWindow

#: A line of the migration report that counts attribute values dropped ("Actor.role: dropped",
#: "Actor.actor_type: police → dropped").
_VALUE_DROP = re.compile(r"^[^\s:]+\.[^\s:]+: (?:\S+ \u2192 )?dropped$")
KINDS = (("annotation", "annotation", "annotations"), ("relation", "relation", "relations"),
         ("answer", "answer", "answers"))


@runtime_checkable
class ReopensProject(Protocol):
    """A window that opens a project as a coder, building every panel anew (the main window)."""

    def open_project(self, path: Location, coder_name: str) -> None: ...


def dropped(report: UpgradeReport) -> str:
    """"12 annotations, 12 relations and 3 attribute values": what a change drops of the
    coding ("" if nothing). A dropped option or attribute empties values, not rows."""
    parts = [f"{report.dropped[k]:,} {one if report.dropped[k] == 1 else many}"
             for k, one, many in KINDS if report.dropped.get(k)]
    values = sum(count for text, count in report.lines if _VALUE_DROP.match(text))
    if values:
        parts.append(f"{values:,} attribute value{'s' if values != 1 else ''}")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""


def describe_edits(working: WorkingCopy) -> str:
    """What the edits rename and delete, in a sentence or two ("" when neither)."""
    names = {"labels": "label", "attributes": "attribute", "relations": "relation type", "questions": "question"}
    document = working.map_document()
    parts = [f"{names[part]} {old} \u2192 {new}" for part in names
             for old, new in document.get(part, {}).items() if new is not None]
    deleted = working.deletions()
    text = f"Renames: {', '.join(parts)}." if parts else ""
    return text + (f" Deletes: {', '.join(deleted)}." if deleted else "")


def confirm_box(parent: QWidget, report: UpgradeReport, version: str, deletions: list[str]) -> QMessageBox:
    """The question before the change: the dry run's report, what is dropped, and that
    Undo cannot take it back. Opened by the caller (``open()``); objectName
    ``codebookSaveConfirm``, its Save button ``confirmCodebookSave``."""
    drops = dropped(report)
    text = f"Save the codebook as version {version} and migrate the project's coding to it?"
    if drops:
        text += (f"\n\nDeleting {', '.join(deletions) or 'items'} drops {drops} coded so far. "
                 "They are removed from the project.")
    text += ("\n\nA codebook change cannot be undone with Ctrl+Z: the window's undo history is cleared. "
             "To go back, adopt another version.")
    box = QMessageBox(QMessageBox.Icon.Warning if drops else QMessageBox.Icon.Question, "Save codebook", text,
                      parent=parent)
    box.setObjectName("codebookSaveConfirm")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("\n".join(format_report(report)))
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { font-family: monospace; }")
    layout = box.layout()
    if isinstance(layout, QGridLayout):  # wide enough for the report's columns
        layout.addItem(QSpacerItem(640, 0, QSizePolicy.Policy.Minimum), layout.rowCount(), 0, 1, layout.columnCount())
    save = box.addButton(f"Drop {drops} and Save" if drops else "Save", QMessageBox.ButtonRole.AcceptRole)
    save.setObjectName("confirmCodebookSave")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel if drops else save)
    return box


def dry_run(project: Project, ready: Ready) -> UpgradeReport:
    """What adopting ``ready`` would do (reads only), under a busy cursor."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return adopt_codebook(project, ready.codebook, ready.cmap, dry_run=True)
    finally:
        QApplication.restoreOverrideCursor()


class AdoptTask(ProjectTask):
    """The migration to the new codebook, on a worker with its own connection; ``done``
    carries the report, or None if it was refused (nothing changed then)."""

    def __init__(self, window: ProjectWindow, codebook: Codebook, cmap: CodebookMap) -> None:
        assert window.controller.project_path is not None

        def job(project: Project, progress: ProgressFn, cancelled: CancelFn) -> UpgradeReport:
            progress(0, 0, f"Migrating the coding to version {codebook.version}\u2026")
            return adopt_codebook(project, codebook, cmap)

        super().__init__(window, window.controller.project_path, job,
                         what="codebook change", label="Migrating the coding\u2026", name="codebookChange")
        self.dialog.setCancelButton(None)  # one transaction, not cancelled half-way

    def succeeded(self, report: UpgradeReport) -> None:
        self.status(f"The codebook is now {report.after}.")
        self.show_message(QMessageBox.Icon.Information, "\n".join(format_report(report)), "codebookReport")


class SaveFlow(QObject):
    """Dry run, confirmation, migration, re-read: one Save of the editor."""

    #: The project now uses the new codebook: UpgradeReport.
    saved = Signal(object)
    #: The change was refused or abandoned: the sentence ("" when the lead cancelled).
    stopped = Signal(str)

    def __init__(self, parent: QWidget, window: ProjectWindow, ready: Ready, deletions: list[str]) -> None:
        super().__init__(parent)
        self.parent_widget, self.window, self.ready, self.deletions = parent, window, ready, deletions
        self.box: QMessageBox | None = None
        self.task: AdoptTask | None = None

    def start(self) -> None:
        project = self.window.controller.project
        if project is None:
            self.stopped.emit("No project is open.")
            return
        try:
            report = dry_run(project, self.ready)
        except LoupeError as exc:
            self.stopped.emit(exc.message)
            return
        self.box = confirm_box(self.parent_widget, report, self.ready.codebook.version, self.deletions)
        self.box.buttonClicked.connect(self._answered)
        self.box.open()

    def _answered(self, button: Any) -> None:
        if self.box is None or button.objectName() != "confirmCodebookSave":
            self.stopped.emit("")
            return
        self.parent_widget.setEnabled(False)  # one migration; the dialog waits for it
        self.task = AdoptTask(self.window, self.ready.codebook, self.ready.cmap)
        self.task.done.connect(self._adopted)
        self.task.start()

    def _adopted(self, report: UpgradeReport | None) -> None:
        self.parent_widget.setEnabled(True)
        if report is None:
            self.stopped.emit("The codebook was not changed.")
            return
        controller = self.window.controller
        path, coder = controller.project_path, controller.coder
        if path is not None and coder is not None:
            try:
                if isinstance(self.window, ReopensProject):
                    self.window.open_project(path, coder.name)
                else:
                    controller.open_project(path, coder.name)
            except LoupeError as exc:
                QMessageBox.warning(self.window, "Loupe", exc.message)
        self.saved.emit(report)
