"""The inputs of the attribute editor, one kind per attribute type: a combo box for a
single choice, check boxes for a multiple choice, a check box for true/false, a line
edit for text and a spin box for a number. Each commits the coder's gesture at once
through ``commit(name, value)`` and shows a stored value with its signals blocked, so
that showing a value never writes it back. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Attribute

UNSET = "\u2014"
_NO_BOUND = 1e9  # range of a number attribute without min or max

Commit = Callable[[str, Any], None]


def title_of(name: str) -> str:
    """``actor_type`` -> ``Actor type``: codebook names as coders read them."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class ElidedComboBox(QComboBox):
    """A combo box that shows its current text elided with "…" when the box is too
    narrow for it (Qt only clips it), so a cut-off name reads as cut off."""

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def shown_text(self) -> str:
        """The current text as drawn: elided to the room the box has for it."""
        option = self._option()
        room = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        ).width()
        if not option.currentIcon.isNull():
            room -= option.iconSize.width() + 4
        return self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight, room)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def fit_combo(combo: QComboBox) -> None:
    """Size ``combo`` by the form, not by its longest item: long option names are elided
    (the open list shows them whole), so the panel keeps the dock's width and choosing
    a value never resizes the box."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


def widen_popup(combo: QComboBox) -> None:
    """Let the open list of ``combo`` (filled) be as wide as its longest item."""
    view = combo.view()
    view.setTextElideMode(Qt.TextElideMode.ElideNone)
    view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 24)


class AttributeField:
    """The input of one attribute. ``show`` fills it without emitting; a gesture of the
    coder calls ``commit(name, value)`` at once (``None`` clears the attribute)."""

    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        self.attribute = attribute
        self._commit = commit
        self.widget: QWidget = QWidget()

    def focus_widgets(self) -> list[QWidget]:
        """The widgets that take focus, in tab order."""
        return [self.widget]

    def show(self, value: Any, keep_typing: bool = False) -> None:
        """Show the stored ``value``; ``keep_typing`` keeps text the coder is typing."""
        raise NotImplementedError

    def flush(self) -> None:
        """Commit what was typed but not yet committed (fields committed on leaving)."""

    def _name_widget(self, widget: QWidget) -> None:
        widget.setObjectName(f"attribute_{self.attribute.name}")
        widget.setAccessibleName(title_of(self.attribute.name))
        widget.setToolTip(self.attribute.description)


class _ChoiceField(AttributeField):
    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        super().__init__(attribute, commit)
        self.combo = ElidedComboBox()
        fit_combo(self.combo)
        self.combo.addItem(UNSET, None)
        for option in attribute.options:
            self.combo.addItem(title_of(option.value), option.value)
            self.combo.setItemData(
                self.combo.count() - 1, option.description, Qt.ItemDataRole.ToolTipRole
            )
        widen_popup(self.combo)
        self.combo.activated.connect(
            lambda index: commit(attribute.name, self.combo.itemData(index))
        )
        self._name_widget(self.combo)
        self.widget = self.combo

    def show(self, value: Any, keep_typing: bool = False) -> None:
        index = 0 if value is None else self.combo.findData(value)
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)


class _MultiField(AttributeField):
    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        super().__init__(attribute, commit)
        self._name_widget(self.widget)
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for option in attribute.options:
            box = QCheckBox(title_of(option.value))
            box.setObjectName(f"attribute_{attribute.name}_{option.value}")
            box.setToolTip(option.description)
            box.clicked.connect(self._on_clicked)
            layout.addWidget(box)
            self.boxes[option.value] = box

    def focus_widgets(self) -> list[QWidget]:
        return list(self.boxes.values())

    def _on_clicked(self) -> None:
        chosen = [value for value, box in self.boxes.items() if box.isChecked()]
        self._commit(self.attribute.name, chosen or None)

    def show(self, value: Any, keep_typing: bool = False) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for option_value, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(option_value in chosen)
            box.blockSignals(False)


class _BooleanField(AttributeField):
    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        super().__init__(attribute, commit)
        self.box = QCheckBox()
        self._name_widget(self.box)
        self.box.clicked.connect(lambda checked: commit(attribute.name, bool(checked)))
        self.widget = self.box

    def show(self, value: Any, keep_typing: bool = False) -> None:
        self.box.blockSignals(True)
        self.box.setChecked(value is True)
        self.box.blockSignals(False)


class _TextField(AttributeField):
    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        super().__init__(attribute, commit)
        self.edit = QLineEdit()
        self._name_widget(self.edit)
        self._shown: str | None = None
        self.edit.editingFinished.connect(self.flush)
        self.widget = self.edit

    def flush(self) -> None:
        text = self.edit.text()
        value = text if text.strip() else None
        if value != self._shown:
            self._shown = value
            self._commit(self.attribute.name, value)

    def show(self, value: Any, keep_typing: bool = False) -> None:
        # Keep what the coder is typing when another field's commit refreshes the form.
        typing = keep_typing and self.edit.hasFocus() and self.edit.text() != (self._shown or "")
        self._shown = value if isinstance(value, str) else None
        if not typing and self.edit.text() != (self._shown or ""):
            self.edit.blockSignals(True)
            self.edit.setText(self._shown or "")
            self.edit.blockSignals(False)


class NumberBox(QDoubleSpinBox):
    """A spin box whose lowest value stands for "no value", shown as "—".

    Whole numbers unless the codebook gives a fractional bound (``max: 1.0``): counts
    of people are the common case. Stepping up from "—" starts at 0 (or the nearest
    bound); an empty field means "no value".
    """

    def __init__(self, attribute: Attribute) -> None:
        super().__init__()
        bounds = [b for b in (attribute.min, attribute.max) if b is not None]
        self.integral = all(isinstance(b, int) for b in bounds)
        low = float(attribute.min) if attribute.min is not None else -_NO_BOUND
        high = float(attribute.max) if attribute.max is not None else _NO_BOUND
        self.setDecimals(0 if self.integral else 3)
        self.setRange(low - 1, high)
        self.setSpecialValueText(UNSET)
        self.setValue(self.minimum())
        self.setKeyboardTracking(False)
        self._low = low

    def number(self) -> int | float | None:
        if self.value() <= self.minimum():
            return None
        return round(self.value()) if self.integral else self.value()

    def set_number(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not value.is_integer():
                self.setDecimals(max(self.decimals(), 3))
            self.setValue(float(value))
        else:
            self.setValue(self.minimum())

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if self.value() <= self.minimum() and steps > 0:
            self.setValue(min(max(0.0, self._low), self.maximum()))
            return
        super().stepBy(steps)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if not text.strip():
            return QValidator.State.Acceptable, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        if not text.strip() or text.strip() == UNSET:
            return self.minimum()
        return super().valueFromText(text)


class _NumberField(AttributeField):
    def __init__(self, attribute: Attribute, commit: Commit) -> None:
        super().__init__(attribute, commit)
        self.spin = NumberBox(attribute)
        self._name_widget(self.spin)
        self._shown_raw = self.spin.value()
        self.spin.editingFinished.connect(self.flush)
        self.widget = self.spin

    def flush(self) -> None:
        # Compared with what was shown, so leaving the field never rewrites a stored
        # value the box merely rounds for display.
        self.spin.interpretText()
        if self.spin.value() != self._shown_raw:
            self._shown_raw = self.spin.value()
            self._commit(self.attribute.name, self.spin.number())

    def show(self, value: Any, keep_typing: bool = False) -> None:
        self.spin.blockSignals(True)
        self.spin.set_number(value)
        self.spin.blockSignals(False)
        self._shown_raw = self.spin.value()


_FIELDS: dict[str, type[AttributeField]] = {
    "single_choice": _ChoiceField,
    "multi_choice": _MultiField,
    "boolean": _BooleanField,
    "text": _TextField,
    "number": _NumberField,
}


def make_field(attribute: Attribute, commit: Commit) -> AttributeField:
    """The input for ``attribute``'s type (text for a type this version does not know)."""
    return _FIELDS.get(attribute.type, _TextField)(attribute, commit)
