"""File > Import's options, asked after the files are chosen and only when they can bring
coding: whose coding it is, whether to trim white space at span edges, and which kinds
of brat annotation to leave out where the codebook cannot hold them. The same options
as ``loupe import --coder --trim-spans --drop`` (GUI thread)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from app.services.importing import (
    BRAT_KINDS,
    CODER_FIELD,
    DROP_FIELD,
    TRIM_FIELD,
    CodingInFiles,
    coding_in,
)

if TYPE_CHECKING:
    from app.ui.import_task import ImportTask
    from app.ui.window_parts import ProjectWindow

NO_CODER = "(none)"
FILE_CODERS = "(the coders named in the file)"


class ImportDialog(QDialog):
    """The options of one import; objectName ``importDialog``."""

    #: OK started the import: the :class:`~app.ui.import_task.ImportTask`.
    import_started = Signal(object)

    def __init__(self, coding: CodingInFiles, coders: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import articles")
        self.none_text = FILE_CODERS if coding.qdpx else NO_CODER
        self.coder_combo = QComboBox()
        self.coder_combo.setObjectName("importCoder")
        self.coder_combo.setEditable(True)  # a new coder's name can be typed
        self.coder_combo.addItems([self.none_text, *coders])
        self.coder_combo.setToolTip(
            "The coder whose spans, relations and labels these files bring; a new name adds that coder."
        )
        self.trim_box = QCheckBox(TRIM_FIELD)
        self.trim_box.setObjectName("importTrimSpans")
        self.trim_box.setVisible(not coding.qdpx)  # REFI-QDA selections are kept as coded
        self.drop_group = QGroupBox(DROP_FIELD)
        self.drop_group.setObjectName("importDrop")
        drop_layout = QVBoxLayout(self.drop_group)
        self.drop_boxes: dict[str, QCheckBox] = {}
        for kind in BRAT_KINDS:
            box = QCheckBox(kind)
            box.setObjectName(f"importDrop_{kind}")
            drop_layout.addWidget(box)
            self.drop_boxes[kind] = box
        self.drop_group.setVisible(coding.brat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        form = QFormLayout()
        form.addRow(CODER_FIELD, self.coder_combo)
        form.addRow(self.trim_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.drop_group)
        layout.addWidget(buttons)

    def coder(self) -> str | None:
        text = self.coder_combo.currentText().strip()
        return None if not text or text == self.none_text else text

    def trim_spans(self) -> bool:
        return not self.trim_box.isHidden() and self.trim_box.isChecked()

    def drop(self) -> frozenset[str]:
        if self.drop_group.isHidden():
            return frozenset()
        return frozenset(kind for kind, box in self.drop_boxes.items() if box.isChecked())


def start_import(window: ProjectWindow, files: Sequence[Path]) -> ImportDialog | ImportTask:
    """Import ``files``: at once when none can bring coding, else after :class:`ImportDialog`
    (window-modal, not blocking) is accepted. Returns the dialog, or the running task."""
    from app.ui.import_task import run_import

    paths = list(files)
    coding = coding_in(paths)
    if not coding.any:
        return run_import(window, paths)
    dialog = ImportDialog(coding, window.controller.coder_names(), window)

    def accepted() -> None:
        task = run_import(window, paths, coder=dialog.coder(), trim_spans=dialog.trim_spans(), drop=dialog.drop())
        dialog.import_started.emit(task)

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
