"""The span labels to apply, and the legend of the machine's entity highlights.

The palette only says which label the coder chose (``label_chosen``): the window
knows the text selection and asks the controller to create the annotation, so the
palette, the keyboard keys and the context menu share one path. A codebook has a
handful of labels and the legend a handful of entity types, so plain widgets per row
are the right size here. GUI thread only.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Codebook
from app.ui.codebook_dialog import CodebookDialog
from app.ui.colors import ENTITY_COLORS, entity_color, label_color, swatch_icon
from app.ui.controller import CodingController

#: What spaCy's entity types mean, for the legend's tooltips.
ENTITY_DESCRIPTIONS: dict[str, str] = {
    "PERSON": "People, including fictional ones",
    "NORP": "Nationalities, religious or political groups",
    "ORG": "Companies, agencies, institutions",
    "GPE": "Countries, cities, states",
    "LOC": "Other locations: mountain ranges, bodies of water",
    "FAC": "Buildings, airports, highways, bridges",
    "DATE": "Absolute or relative dates or periods",
    "EVENT": "Named hurricanes, battles, wars, sports events",
}

_SWATCH = 14


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()  # gone at once; deleted when the event loop next runs
            widget.deleteLater()


class LabelPalette(QWidget):
    """One compact row per span label: swatch, "key  name" button, and "?" for help."""

    #: The coder chose a span label (its name) to apply to the current text selection.
    label_chosen = Signal(str)

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelPalette")
        self.setAccessibleName("Span labels")
        self._controller = controller
        self._dialog: CodebookDialog | None = None
        #: The apply button of each span label, by name.
        self.buttons: dict[str, QToolButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setHorizontalSpacing(4)
        self._grid.setVerticalSpacing(0)
        self._grid.setColumnStretch(1, 1)
        controller.project_opened.connect(self._rebuild)
        self._rebuild()

    def _codebook(self) -> Codebook | None:
        project = self._controller.project
        return None if project is None else project.codebook

    def _rebuild(self) -> None:
        _clear(self._grid)
        self.buttons = {}
        codebook = self._codebook()
        if codebook is None:
            return
        if self._dialog is not None:
            self._dialog.set_codebook(codebook)
        for row, label in enumerate(codebook.span_labels):
            swatch = QLabel(self)
            swatch.setPixmap(swatch_icon(label_color(label.color), _SWATCH).pixmap(_SWATCH, _SWATCH))
            button = QToolButton(self)
            button.setObjectName(f"labelButton_{label.name}")
            button.setText(f"{label.key}  {label.name}")
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(f"Apply {label.name}")
            # Rich text so that long definitions wrap in the tooltip.
            button.setToolTip(f"<p>{escape(label.description)}</p>" if label.description else "")
            button.clicked.connect(lambda _=False, name=label.name: self.label_chosen.emit(name))
            help_button = QToolButton(self)
            help_button.setObjectName(f"labelHelp_{label.name}")
            help_button.setText("?")
            help_button.setAutoRaise(True)
            help_button.setAccessibleName(f"Definition of {label.name}")
            help_button.setToolTip(f"Open the codebook at {label.name}")
            help_button.clicked.connect(lambda _=False, name=label.name: self.show_codebook(name))
            self._grid.addWidget(swatch, row, 0)
            self._grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignLeft)
            self._grid.addWidget(help_button, row, 2)
            self.buttons[label.name] = button

    def codebook_dialog(self) -> CodebookDialog | None:
        """The codebook dialog, once the coder has opened it."""
        return self._dialog

    def show_codebook(self, label_name: str | None = None) -> None:
        """Open the (modeless) codebook, at ``label_name`` if given."""
        codebook = self._codebook()
        if codebook is None:
            return
        if self._dialog is None:
            self._dialog = CodebookDialog(codebook, self)
        if label_name is None or not self._dialog.show_label(label_name):
            self._dialog.show()
            self._dialog.raise_()


class EntityLegend(QWidget):
    """The entity types highlighted in the current article, each with a visibility box.

    Hidden types stay hidden from one article to the next: a coder who hides DATE
    does not want it back on every article.
    """

    #: The set of entity labels now hidden (set[str]).
    entity_visibility_changed = Signal(object)

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entityLegend")
        self.setAccessibleName("Entity highlights")
        self._controller = controller
        self._hidden: set[str] = set()
        self.checkboxes: dict[str, QCheckBox] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(0)
        controller.article_opened.connect(self._rebuild)
        self._rebuild()

    def hidden(self) -> set[str]:
        return set(self._hidden)

    def set_hidden(self, labels: set[str]) -> None:
        """Hide ``labels`` (e.g. restored from settings); emits if the set changed."""
        if set(labels) == self._hidden:
            return
        self._hidden = set(labels)
        for label, box in self.checkboxes.items():
            box.blockSignals(True)
            box.setChecked(label not in self._hidden)
            box.blockSignals(False)
        self.entity_visibility_changed.emit(self.hidden())

    def _rebuild(self, _bundle: object = None) -> None:
        _clear(self._layout)
        self.checkboxes = {}
        bundle = self._controller.bundle
        counts: dict[str, int] = {}
        for entity in [] if bundle is None else bundle.entities:
            counts[entity.label] = counts.get(entity.label, 0) + 1
        if not counts:
            empty = QLabel("No entities in this article", self)
            empty.setEnabled(False)
            self._layout.addWidget(empty)
            return
        known = list(ENTITY_COLORS)
        order = sorted(counts, key=lambda lab: (known.index(lab) if lab in known else len(known), lab))
        for label in order:
            box = QCheckBox(f"{label} ({counts[label]})", self)
            box.setObjectName(f"entityToggle_{label}")
            box.setIcon(swatch_icon(entity_color(label), _SWATCH))
            box.setChecked(label not in self._hidden)
            box.setToolTip(ENTITY_DESCRIPTIONS.get(label, label))
            box.setAccessibleName(f"Show {label} highlights")
            box.toggled.connect(lambda checked, name=label: self._on_toggled(name, checked))
            self._layout.addWidget(box)
            self.checkboxes[label] = box

    def _on_toggled(self, label: str, checked: bool) -> None:
        if checked:
            self._hidden.discard(label)
        else:
            self._hidden.add(label)
        self.entity_visibility_changed.emit(self.hidden())
