"""The attribute editor: label, attributes, note and flag of the selected annotation.

Every change goes to the controller the moment the coder makes it (a combo choice, a
click, Return or leaving a field), so nothing is ever held only in the widget: the
controller commits it to the project file and pushes one undo step. When the stored
values change (an edit, an undo) the widgets are refilled with their signals blocked,
so that showing a value never writes it back. The attribute rows are rebuilt only when
the label of the selected annotation changes, so focus stays where it is while the
coder tabs through the form. GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Codebook, SpanLabel
from app.core.records import Annotation
from app.ui.attribute_fields import (
    UNSET,
    AttributeField,
    Commit,
    ElidedComboBox,
    NumberBox,
    fit_combo,
    make_field,
    title_of,
    widen_popup,
)
from app.ui.controller import CodingController

__all__ = [
    "PLACEHOLDER",
    "UNSET",
    "WARNING_COLOR",
    "AttributeEditor",
    "AttributeField",
    "Commit",
    "NumberBox",
    "make_field",
    "title_of",
]

PLACEHOLDER = "Select an annotation to edit its attributes."
#: Marks required attributes that are still empty; readable on light and dark palettes.
WARNING_COLOR = "#d9480f"
_NAME_CHARS = 16  # characters of an attribute's name in the form before it wraps
_SPAN_CHARS = 160  # characters of span text shown (wrapped) before it is cut with "…"


def _name_cap(font: QFont) -> int:
    """The widest an attribute's name gets in the form before it wraps."""
    return QFontMetrics(font).averageCharWidth() * _NAME_CHARS


def _swatch(color: str) -> QPixmap:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color) if QColor(color).isValid() else QColor("#9e9e9e"))
    return pixmap


class AttributeEditor(QWidget):
    """Edits the selected annotation through ``controller``; shows a placeholder without one."""

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributeEditor")
        self.setAccessibleName("Attributes of the selected annotation")
        self._controller = controller
        self._annotation_id: str | None = None
        self._built_label: str | None = None
        self._fields: dict[str, AttributeField] = {}
        self._row_labels: dict[str, QLabel] = {}
        self._shown_note = ""
        self._shown_id: str | None = None
        self._flushing = False
        self._build()
        controller.project_opened.connect(self._on_project_opened)
        controller.article_opened.connect(lambda _bundle: self._show_selected())
        controller.article_changed.connect(lambda _changes: self._on_article_changed())
        controller.selection_changed.connect(self._on_selection_changed)
        controller.article_leaving.connect(self._flush)
        if controller.project is not None:
            self._on_project_opened()

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        self._stack = QStackedLayout(self)
        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setObjectName("attributePlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._stack.addWidget(self.placeholder)

        page = QWidget()
        outer = QVBoxLayout(page)
        header = QHBoxLayout()
        self.swatch = QLabel()
        self.swatch.setObjectName("attributeSwatch")
        self.label_name = QLabel()
        self.label_name.setObjectName("attributeLabelName")
        bold = QFont(self.label_name.font())
        bold.setBold(True)
        self.label_name.setFont(bold)
        self.label_name.setWordWrap(True)
        # Wrapped under the label, never wider than the dock: a long span must not push
        # the form behind a horizontal scrollbar.
        self.span_text = QLabel()
        self.span_text.setObjectName("attributeSpanText")
        self.span_text.setWordWrap(True)
        self.span_text.setTextFormat(Qt.TextFormat.PlainText)
        header.addWidget(self.swatch, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.label_name, 1)
        outer.addLayout(header)
        outer.addWidget(self.span_text)

        self.form = QFormLayout()
        self.form.setObjectName("attributeForm")
        # Every input as wide as the column, whatever its contents, so that long option
        # names are elided in the combo box instead of widening the panel.
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.label_combo = ElidedComboBox()
        fit_combo(self.label_combo)
        self.label_combo.setObjectName("attributeLabelCombo")
        self.label_combo.setAccessibleName("Label")
        self.label_combo.activated.connect(self._on_label_chosen)
        self.form.addRow("&Label", self.label_combo)
        self.note = QPlainTextEdit()
        self.note.setObjectName("attributeNote")
        self.note.setAccessibleName("Note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        self.note.installEventFilter(self)
        self.form.addRow("&Note", self.note)
        self.uncertain = QCheckBox("&Uncertain")
        self.uncertain.setObjectName("attributeUncertain")
        self.uncertain.setToolTip("Flag this annotation for discussion.")
        self.uncertain.clicked.connect(self._on_uncertain_clicked)
        self.form.addRow("", self.uncertain)
        outer.addLayout(self.form)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setObjectName("attributeScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        self._stack.addWidget(scroll)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # Room for a label's usual few attributes, the note and the flag, so a dock
        # shared with other panels does not start squeezed to the header.
        return QSize(320, 380)

    def _codebook(self) -> Codebook | None:
        project = self._controller.project
        return None if project is None else project.codebook

    def _on_project_opened(self) -> None:
        codebook = self._codebook()
        self.label_combo.clear()
        if codebook is not None:
            for label in codebook.span_labels:
                self.label_combo.addItem(QIcon(_swatch(label.color)), label.name, label.name)
                self.label_combo.setItemData(
                    self.label_combo.count() - 1, label.description, Qt.ItemDataRole.ToolTipRole
                )
        widen_popup(self.label_combo)
        self._built_label = None
        self._rebuild_fields(None)
        self._show_selected()

    def _rebuild_fields(self, label: SpanLabel | None) -> None:
        """Replace the attribute rows (between Label and Note) with those of ``label``."""
        for _name in list(self._fields):
            result = self.form.takeRow(1)
            for item in (result.labelItem, result.fieldItem):
                widget = None if item is None else item.widget()
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
        self._fields.clear()
        self._row_labels.clear()
        self._built_label = None if label is None else label.name
        if label is None:
            return
        chain: list[QWidget] = [self.label_combo]
        for row, attribute in enumerate(label.attributes, start=1):
            field = make_field(attribute, self._commit_attribute)
            row_label = QLabel(title_of(attribute.name))
            row_label.setObjectName(f"attributeLabel_{attribute.name}")
            row_label.setToolTip(attribute.description)
            row_label.setBuddy(field.focus_widgets()[0])
            # A fixed width with room for the bold " *" of a required attribute, so that
            # filling it in does not narrow the label column and shift every input
            # sideways; a long name wraps instead of widening the panel.
            bold = QFont(row_label.font())
            bold.setBold(True)
            width = QFontMetrics(bold).horizontalAdvance(title_of(attribute.name) + " *") + 2
            row_label.setWordWrap(True)
            row_label.setFixedWidth(min(width, _name_cap(bold)))
            self.form.insertRow(row, row_label, field.widget)
            self._fields[attribute.name] = field
            self._row_labels[attribute.name] = row_label
            chain.extend(field.focus_widgets())
        chain.extend([self.note, self.uncertain])
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- showing the stored values -----------------------------------------------------
    def field(self, name: str) -> AttributeField | None:
        """The input of attribute ``name`` of the selected annotation's label."""
        return self._fields.get(name)

    def row_label(self, name: str) -> QLabel | None:
        """The form label of attribute ``name`` (bold with " *" while required and empty)."""
        return self._row_labels.get(name)

    def annotation_id(self) -> str | None:
        """The annotation the editor shows, or None (placeholder)."""
        return self._annotation_id

    def _annotation(self) -> Annotation | None:
        bundle = self._controller.bundle
        if bundle is None or self._annotation_id is None:
            return None
        return next((a for a in bundle.annotations if a.id == self._annotation_id), None)

    def _on_selection_changed(self, _annotation_id: object) -> None:
        # A shortcut may change the selection while the coder is still in a text field:
        # what was typed belongs to the annotation that was selected.
        self._flush()
        self._show_selected()

    def _on_article_changed(self) -> None:
        if not self._flushing:
            self._show_selected()

    def _flush(self) -> None:
        if self._annotation() is None:
            return
        self._flushing = True
        try:
            for field in list(self._fields.values()):
                field.flush()
            self._commit_note()
        finally:
            self._flushing = False

    def _show_selected(self) -> None:
        self._annotation_id = self._controller.selected_id
        annotation = self._annotation()
        codebook = self._codebook()
        if annotation is None or codebook is None:
            self._annotation_id = self._shown_id = None
            self._stack.setCurrentIndex(0)
            return
        try:
            label = codebook.label(annotation.label)
        except KeyError:
            label = SpanLabel(annotation.label, "", "#9e9e9e")
        if label.name != self._built_label:
            self._rebuild_fields(label)
        self.swatch.setPixmap(_swatch(label.color))
        self.label_name.setText(label.name)
        bundle = self._controller.bundle
        assert bundle is not None  # the annotation was found in it
        flat = " ".join(bundle.article.text[annotation.start : annotation.end].split())
        shown = flat if len(flat) <= _SPAN_CHARS else flat[: _SPAN_CHARS - 1].rstrip() + "\u2026"
        self.span_text.setText(f"\u201c{shown}\u201d")
        self.span_text.setToolTip(flat)
        self.label_combo.blockSignals(True)
        self.label_combo.setCurrentIndex(self.label_combo.findData(annotation.label))
        self.label_combo.blockSignals(False)
        # Text being typed survives a refresh only while the same annotation is shown.
        same = annotation.id == self._shown_id
        self._shown_id = annotation.id
        for name, field in self._fields.items():
            field.show(annotation.attributes.get(name), keep_typing=same)
        self._show_note(annotation.note, keep_typing=same)
        self.uncertain.blockSignals(True)
        self.uncertain.setChecked(annotation.uncertain)
        self.uncertain.blockSignals(False)
        self._mark_required(codebook, annotation)
        self._stack.setCurrentIndex(1)

    def _show_note(self, note: str, keep_typing: bool) -> None:
        typing = (
            keep_typing and self.note.hasFocus() and self.note.toPlainText() != self._shown_note
        )
        self._shown_note = note
        if not typing and self.note.toPlainText() != note:
            self.note.blockSignals(True)
            self.note.setPlainText(note)
            self.note.blockSignals(False)

    def _mark_required(self, codebook: Codebook, annotation: Annotation) -> None:
        try:
            missing = set(codebook.missing_required(annotation.label, annotation.attributes))
        except KeyError:
            missing = set()
        for name, row_label in self._row_labels.items():
            is_missing = name in missing
            if row_label.property("missing") == is_missing:
                continue  # restyling on every edit is costly and changes nothing
            row_label.setText(title_of(name) + (" *" if is_missing else ""))
            font = QFont(row_label.font())
            font.setBold(is_missing)
            row_label.setFont(font)
            row_label.setStyleSheet(f"color: {WARNING_COLOR};" if is_missing else "")
            row_label.setProperty("missing", is_missing)

    # -- the coder's gestures ----------------------------------------------------------
    def _commit_attribute(self, name: str, value: Any) -> None:
        """Write one attribute (None removes it) as one undoable change of the whole dict."""
        annotation = self._annotation()
        if annotation is None:
            return
        attributes = dict(annotation.attributes)
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = value
        if attributes == annotation.attributes:
            return
        if not self._controller.change_annotation(annotation.id, attributes=attributes):
            self._show_selected()  # refused: show what is stored

    def _on_label_chosen(self, index: int) -> None:
        annotation = self._annotation()
        codebook = self._codebook()
        new_name = self.label_combo.itemData(index)
        if annotation is None or codebook is None or not new_name or new_name == annotation.label:
            return
        new_label = codebook.label(new_name)
        kept: dict[str, Any] = {}
        for name, value in annotation.attributes.items():
            try:
                attribute = new_label.attribute(name)
            except KeyError:
                continue
            if attribute.validate(value) is None:
                kept[name] = value
        if not self._controller.change_annotation(annotation.id, label=new_name, attributes=kept):
            self._show_selected()

    def _commit_note(self) -> None:
        annotation = self._annotation()
        text = self.note.toPlainText()
        if annotation is None or text == annotation.note:
            return
        self._shown_note = text
        if not self._controller.change_annotation(annotation.id, note=text):
            self._show_selected()

    def _on_uncertain_clicked(self, checked: bool) -> None:
        annotation = self._annotation()
        if annotation is not None and checked != annotation.uncertain:
            self._controller.change_annotation(annotation.id, uncertain=checked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.note and event.type() == QEvent.Type.FocusOut:
            self._commit_note()
        return super().eventFilter(watched, event)
