"""Who is coding: pick an existing coder of the project or type a new name.

A coder's work is stored under their name, so a typo creates a second coder whose
work the lead later has to merge by hand. The dialog therefore offers the names the
project already knows, maps a name typed in another case onto the existing one, and
refuses names that are blank or too long. GUI thread only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_NAME_LENGTH = 100


def name_problem(text: str) -> str | None:
    """Why ``text`` (trimmed) cannot be a coder name, or None if it can."""
    name = text.strip()
    if not name:
        return "Enter your name."
    if len(name) > MAX_NAME_LENGTH:
        return f"A name has at most {MAX_NAME_LENGTH} characters."
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "A name cannot contain control characters."
    return None


class CoderDialog(QDialog):
    """Choose a coder name: a list of the project's coders and a name box."""

    def __init__(
        self, names: Sequence[str], remembered: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("coderDialog")
        self.setWindowTitle("Who is coding?")
        self._names = sorted(set(names), key=str.casefold)

        intro = QLabel("Your work is saved under your name. Choose it, or type a new one.", self)
        intro.setWordWrap(True)
        self.list_model = QStringListModel(self._names, self)
        self.list = QListView(self)
        self.list.setObjectName("coderList")
        self.list.setAccessibleName("Coders of this project")
        self.list.setModel(self.list_model)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setVisible(bool(self._names))
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("coderName")
        self.name_edit.setAccessibleName("Coder name")
        self.name_edit.setPlaceholderText("Your name")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH + 50)  # long enough to say it is too long
        self.hint = QLabel(self)
        self.hint.setObjectName("coderNameHint")
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._on_text_changed)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list.doubleClicked.connect(self._on_list_double_clicked)

        self.name_edit.setText(remembered or "")
        self._on_text_changed(self.name_edit.text())
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _existing(self, text: str) -> str | None:
        folded = text.strip().casefold()
        return next((n for n in self._names if n.casefold() == folded), None)

    def name(self) -> str:
        """The chosen name: an existing coder's spelling if it matches one, else trimmed."""
        text = self.name_edit.text()
        return self._existing(text) or text.strip()

    def _on_text_changed(self, text: str) -> None:
        problem = name_problem(text)
        existing = self._existing(text)
        self.ok_button.setEnabled(problem is None)
        if problem is not None:
            self.hint.setText(problem if text else "")
        elif existing is not None:
            self.hint.setText(f"You continue as the coder “{existing}”.")
        else:
            self.hint.setText(f"A new coder “{text.strip()}” will be added to the project.")
        row = -1 if existing is None else self._names.index(existing)
        selection = self.list.selectionModel()
        if row < 0:
            selection.clearSelection()
        elif selection.currentIndex().row() != row:
            selection.setCurrentIndex(
                self.list_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.data(Qt.ItemDataRole.DisplayRole)
        if name and self._existing(self.name_edit.text()) != name:
            self.name_edit.setText(name)

    def _on_list_double_clicked(self, index: QModelIndex) -> None:
        self.name_edit.setText(index.data(Qt.ItemDataRole.DisplayRole))
        self.accept()

    def accept(self) -> None:
        if name_problem(self.name_edit.text()) is None:
            super().accept()

    @staticmethod
    def ask(parent: QWidget | None, names: Sequence[str], remembered: str | None = None) -> str | None:
        """Ask for a coder name (modal); None if the coder cancelled."""
        dialog = CoderDialog(names, remembered, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.name()
            return None
        finally:
            dialog.deleteLater()
