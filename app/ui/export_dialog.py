"""File > Export: the same export as ``loupe export``, chosen in a dialog and run on a
worker thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.core.formats import EXPORT_FORMATS
from app.core.location import Location, location_stem
from app.core.printable import printable
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.ui.tasks import ProjectTask

if TYPE_CHECKING:
    from app.ui.window_parts import ProjectWindow

FORMAT_NAMES = {
    "xlsx": "Excel workbook (.xlsx)",
    "csv": "CSV tables (a folder)",
    "jsonl": "JSON Lines (.jsonl)",
    "doccano": "doccano JSON Lines (.jsonl)",
    "brat": "brat standoff (a folder)",
    "docbin": "spaCy DocBin (.spacy)",
    "sav": "SPSS data set (.sav)",
    "dta": "Stata data set (.dta)",
    "r": "R data and codebook (a folder)",
    "qdpx": "REFI-QDA project (.qdpx: MAXQDA, ATLAS.ti, NVivo)",
}
SUFFIX = {
    "xlsx": ".xlsx", "jsonl": ".jsonl", "doccano": ".jsonl", "docbin": ".spacy", "sav": ".sav", "dta": ".dta",
    "qdpx": ".qdpx",
}
ALL_CODERS, GOLD = "All coders", "Gold standard"


class ExportDialog(QDialog):
    """Choose the format, whose coding, and where; :meth:`options` gives the choice."""

    def __init__(self, coder_names: list[str], project_path: Location, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.project_path = project_path
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for key in EXPORT_FORMATS:
            self.format.addItem(FORMAT_NAMES.get(key, key), key)
        self.coding = QComboBox()
        self.coding.setObjectName("exportCoding")
        self.coding.addItems([ALL_CODERS, GOLD, *coder_names])
        self.entities = QCheckBox("Include the machine entities")
        self.entities.setObjectName("exportEntities")
        self.target = QLineEdit()
        self.target.setObjectName("exportTarget")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(browse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Coding", self.coding)
        form.addRow("", self.entities)
        form.addRow("Save to", row)
        form.addRow(self.buttons)
        self.format.currentIndexChanged.connect(self._suggest_target)
        self.target.textChanged.connect(self._validate)
        self._suggest_target()

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def _suggest_target(self) -> None:
        key = self.chosen_format()
        stem = location_stem(self.project_path)
        self.target.setText(str(stem.with_name(f"{stem.name}-export{SUFFIX.get(key, '')}")))
        self.entities.setEnabled(key == "xlsx" or key == "csv")

    def _browse(self) -> None:
        key = self.chosen_format()
        if key in ("csv", "brat", "r"):
            name = QFileDialog.getExistingDirectory(self, "Export to folder", str(location_stem(self.project_path).parent))
        else:
            name, _ = QFileDialog.getSaveFileName(self, "Export to", self.target.text())
        if name:
            self.target.setText(name)

    def _validate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.target.text().strip()))

    def options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`app.services.exporting.export_project`."""
        coding = self.coding.currentText()
        return {
            "out": Path(self.target.text().strip()),
            "format": self.chosen_format(),
            "coder": None if coding in (ALL_CODERS, GOLD) else coding,
            "gold": coding == GOLD,
            "entities": self.entities.isEnabled() and self.entities.isChecked(),
        }


class ExportTask(ProjectTask):
    def __init__(self, window: ProjectWindow, options: dict[str, Any]) -> None:
        assert window.controller.project_path is not None

        def job(project: Project, progress: ProgressFn, cancelled: CancelFn) -> Any:
            from app.services.exporting import export_project

            return export_project(project, progress=progress, cancelled=cancelled, **options)

        super().__init__(
            window, window.controller.project_path, job, what="export", label="Exporting…", name="export"
        )

    def succeeded(self, report: Any) -> None:
        self.status(
            f"Exported {report.annotations} annotations of {report.articles} articles "
            f"to {printable(report.path)}."
        )


def run_export(window: ProjectWindow) -> ExportTask | None:
    """Ask what to export, then export it in the background (through the window's runner)."""
    if window.controller.project_path is None:
        return None
    dialog = ExportDialog(window.controller.coder_names(), window.controller.project_path, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    task = ExportTask(window, dialog.options())
    task.start()
    return task
