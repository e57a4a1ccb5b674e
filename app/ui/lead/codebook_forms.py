"""The forms of the codebook editor, one per kind of item: span label, attribute, option,
relation type and article question.

A form shows one item of the working copy (:class:`app.services.codebook_edits.WorkingCopy`)
and reports each edit as ``edited(key, value)`` with the value as the codebook format
holds it (text, a list of examples, a number, a list of label ids); it changes nothing
itself. ``mark(key)`` outlines the field a problem is about. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.core.codebook import ATTRIBUTE_TYPES, QUESTION_TYPES
from app.services.codebook_edits import WorkingCopy
from app.ui.colors import swatch_icon

MARKED = "QLineEdit[problem=\"true\"], QPlainTextEdit[problem=\"true\"], QComboBox[problem=\"true\"], " \
         "QListWidget[problem=\"true\"] { border: 2px solid #C0392B; }"


class ItemForm(QWidget):
    """Fields in a form layout, each bound to one key of the item."""

    #: A field changed: (key, value as the codebook holds it; None or "" leaves it out).
    edited = Signal(str, object)

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.setObjectName(f"{kind}Form")
        self.setStyleSheet(MARKED)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self._loaders: dict[str, Callable[[Any], None]] = {}

    # -- fields ------------------------------------------------------------------------
    def line(self, key: str, text: str, tip: str = "", convert: Callable[[str], Any] = str) -> QLineEdit:
        edit = QLineEdit()
        edit.setToolTip(tip)
        edit.textEdited.connect(lambda value: self.edited.emit(key, convert(value)))
        self._add(key, text, edit, lambda v: edit.setText("" if v is None else str(v)))
        return edit

    def text(self, key: str, text: str, lines: bool = False) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(70)

        def read() -> Any:
            value = edit.toPlainText()
            return [line.strip() for line in value.splitlines() if line.strip()] if lines else value

        edit.textChanged.connect(lambda: self.edited.emit(key, read()) if not edit.signalsBlocked() else None)
        self._add(key, text, edit, lambda v: edit.setPlainText("\n".join(v or ()) if lines else (v or "")))
        return edit

    def choice(self, key: str, text: str, values: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(values))
        combo.activated.connect(lambda _i: self.edited.emit(key, combo.currentText()))
        self._add(key, text, combo, lambda v: combo.setCurrentText(str(v)))
        return combo

    def check(self, key: str, text: str, default: bool = False) -> QCheckBox:
        box = QCheckBox(text)
        box.toggled.connect(lambda on: self.edited.emit(key, on) if not box.signalsBlocked() else None)
        self._add(key, "", box, lambda v: box.setChecked(default if v is None else bool(v)))
        return box

    def _add(
        self, key: str, text: str, widget: QWidget, load: Callable[[Any], None], row: QWidget | None = None,
    ) -> None:
        """``widget`` shows ``key``; ``row`` (default: the widget) is what the form lays out."""
        widget.setObjectName(f"field_{key.strip('_')}")
        self.fields[key] = widget
        self._loaders[key] = load
        self.form.addRow(text, row or widget)

    # -- showing -----------------------------------------------------------------------
    def load(self, item: dict[str, Any], working: WorkingCopy, path: tuple[str | int, ...]) -> None:
        """Show ``item`` without reporting it as edits."""
        for key, load in self._loaders.items():
            widget = self.fields[key]
            widget.blockSignals(True)
            try:
                load(item.get(key))
            finally:
                widget.blockSignals(False)

    def mark(self, key: str | None) -> None:
        """Outline the field ``key`` (None: none)."""
        for name, widget in self.fields.items():
            marked = name == key
            if widget.property("problem") != marked:
                widget.setProperty("problem", marked)
                widget.style().unpolish(widget)
                widget.style().polish(widget)


def number(text: str) -> Any:
    """A bound as typed: a number, None when empty, else the text (the check says why)."""
    text = text.strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class LabelForm(ItemForm):
    def __init__(self) -> None:
        super().__init__("label")
        self.line("name", "&Name:", "Letters, digits, _ or -, starting with a letter")
        self.line("key", "&Key:", "The key that applies the label: 1 to 9 or a letter")
        self.colour = QLineEdit()
        self.colour.setToolTip("#rrggbb")
        self.colour.textEdited.connect(self._colour_typed)
        self.swatch = QPushButton("Choose\u2026")
        self.swatch.setObjectName("chooseColour")
        self.swatch.setAutoDefault(False)
        self.swatch.clicked.connect(self._choose_colour)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.colour, 1)
        layout.addWidget(self.swatch)
        self._add("color", "&Colour:", self.colour, lambda v: self.colour.setText(v or ""), row)
        self.text("description", "&Description:")
        self.text("examples", "&Examples:\n(one a line)", lines=True)

    def load(self, item: dict[str, Any], working: WorkingCopy, path: tuple[str | int, ...]) -> None:
        super().load(item, working, path)
        self._show_swatch(str(item.get("color", "")))

    def _colour_typed(self, text: str) -> None:
        self._show_swatch(text)
        self.edited.emit("color", text)

    def _show_swatch(self, text: str) -> None:
        colour = QColor(text)
        self.swatch.setIcon(swatch_icon(colour) if colour.isValid() else swatch_icon(QColor("#ffffff")))

    def _choose_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour.text()), self, "Label colour")
        if chosen.isValid():
            name = chosen.name().upper()
            self.colour.setText(name)
            self._show_swatch(name)
            self.edited.emit("color", name)


class AttributeForm(ItemForm):
    def __init__(self) -> None:
        super().__init__("attribute")
        self.line("name", "&Name:", "Letters, digits, _ or -, starting with a letter")
        self.choice("type", "&Type:", ATTRIBUTE_TYPES)
        self.check("required", "&Required (a mark is incomplete without it)")
        self.text("description", "&Description:")
        self.line("min", "Mi&nimum:", "Numbers only", number)
        self.line("max", "Ma&ximum:", "Numbers only", number)
        self.default = self.line("_default", "De&fault for\ncoded rows:",
                                 "The value coded rows get, since they have none (lists: comma-separated)")

    def load(self, item: dict[str, Any], working: WorkingCopy, path: tuple[str | int, ...]) -> None:
        super().load(item, working, path)
        numeric = item.get("type") == "number"
        for key in ("min", "max"):
            self.form.setRowVisible(self.fields[key], numeric or key in item)
        self.form.setRowVisible(self.default, working.needs_default(path))


class OptionForm(ItemForm):
    def __init__(self) -> None:
        super().__init__("option")
        self.line("value", "&Value:", "Stored in the project and in exports: letters, digits, _ or -")
        self.text("description", "&Description:")


class RelationForm(ItemForm):
    def __init__(self) -> None:
        super().__init__("relation")
        self.line("name", "&Name:", "Letters, digits, _ or -, starting with a letter")
        self.ends = {end: self._ends(end, text) for end, text in (("source", "&From labels:"), ("target", "&To labels:"))}
        self.check("directed", "&Directed (from one end to the other)", default=True)
        self.text("description", "&Description:")

    def _ends(self, end: str, text: str) -> QListWidget:
        labels = QListWidget()
        labels.setMaximumHeight(110)
        labels.itemChanged.connect(lambda _item: self._ends_changed(end))
        self._add(end, text, labels, lambda _v: None)
        return labels

    def _ends_changed(self, end: str) -> None:
        labels = self.ends[end]
        if labels.signalsBlocked():
            return
        checked = [labels.item(i).data(Qt.ItemDataRole.UserRole) for i in range(labels.count())
                   if labels.item(i).checkState() == Qt.CheckState.Checked]
        self.edited.emit(end, checked)

    def load(self, item: dict[str, Any], working: WorkingCopy, path: tuple[str | int, ...]) -> None:
        super().load(item, working, path)
        for end, labels in self.ends.items():
            labels.blockSignals(True)
            labels.clear()
            for label_id, name in working.label_choices():
                entry = QListWidgetItem(name)
                entry.setData(Qt.ItemDataRole.UserRole, label_id)
                entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                on = label_id in item.get(end, [])
                entry.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                labels.addItem(entry)
            labels.blockSignals(False)


class QuestionItemForm(ItemForm):
    def __init__(self) -> None:
        super().__init__("question")
        self.line("name", "&Name:", "Letters, digits, _ or -, starting with a letter")
        self.choice("type", "&Type:", QUESTION_TYPES)
        self.line("prompt", "&Prompt:", "The question as coders read it")
        self.check("required", "&Required (an article is incomplete without an answer)")
        self.text("description", "&Description:")
        note = QLabel("Options of an ordinal question go from the lowest to the highest point of the scale.")
        note.setWordWrap(True)
        self.form.addRow(note)


def make_forms() -> dict[str, ItemForm]:
    return {"label": LabelForm(), "attribute": AttributeForm(), "option": OptionForm(),
            "relation": RelationForm(), "question": QuestionItemForm()}
