"""The coder's annotations on the current article, one row each, in text order.

The table is the overview the text cannot give: which spans still lack attributes or
relations, which are flagged uncertain. Rows are frozen :class:`AnnotationRow`
records built from the controller's bundle by a pure function, so the cell texts are
testable without a view. Selection is shared with the article view through the
controller. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QPoint,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Codebook
from app.core.exports import span_text
from app.services.coding import ArticleBundle
from app.ui.colors import FALLBACK_COLOR, label_color, swatch_icon
from app.ui.controller import CodingController
from app.ui.row_model import RowTableModel

TEXT_LIMIT = 60
TARGET_LIMIT = 30
ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    LABEL = 0
    TEXT = 1
    ATTRIBUTES = 2
    RELATIONS = 3
    FLAGS = 4



@dataclass(frozen=True, slots=True)
class AnnotationRow:
    """What one row shows; ``full_text`` and ``note`` are for tooltips."""

    id: str
    label: str
    color: str
    start: int
    end: int
    text: str
    full_text: str
    attributes: str
    relations: str
    flags: str
    note: str


def elide(text: str, limit: int) -> str:
    """``text`` on one line (newlines as ⏎), cut to ``limit`` characters with …."""
    flat = text.replace("\r\n", "\n").replace("\n", "⏎")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def attributes_text(attributes: dict[str, Any], order: tuple[str, ...] = ()) -> str:
    """``actor_type: prisoner; role: target``: codebook order first, empty values left out."""
    names = [n for n in order if n in attributes] + sorted(n for n in attributes if n not in order)
    return "; ".join(
        f"{name}: {_value_text(attributes[name])}"
        for name in names
        if attributes[name] not in (None, "", [], {})
    )


def annotation_rows(bundle: ArticleBundle, codebook: Codebook | None) -> list[AnnotationRow]:
    """The rows of ``bundle``'s annotations, sorted by where they start in the text."""
    text = bundle.article.text
    # A discontinuous span shows its fragments' texts joined by " … ".
    spans = {a.id: span_text(text, a.ranges) for a in bundle.annotations}
    labels = {} if codebook is None else {label.name: label for label in codebook.span_labels}
    rows = []
    for annotation in sorted(bundle.annotations, key=lambda a: (a.start, a.end, a.label, a.id)):
        label = labels.get(annotation.label)
        links = [
            f"{r.label} → {elide(spans.get(r.target_id, '?'), TARGET_LIMIT)}"
            for r in bundle.relations if r.source_id == annotation.id
        ] + [
            f"{r.label} ← {elide(spans.get(r.source_id, '?'), TARGET_LIMIT)}"
            for r in bundle.relations if r.target_id == annotation.id
        ]
        flags = [flag for flag, on in (("uncertain", annotation.uncertain), ("note", bool(annotation.note))) if on]
        order = () if label is None else tuple(a.name for a in label.attributes)
        rows.append(
            AnnotationRow(
                id=annotation.id,
                label=annotation.label,
                color=FALLBACK_COLOR if label is None else label.color,
                start=annotation.start,
                end=annotation.end,
                text=elide(spans[annotation.id], TEXT_LIMIT),
                full_text=spans[annotation.id],
                attributes=attributes_text(annotation.attributes, order),
                relations="; ".join(links),
                flags=", ".join(flags),
                note=annotation.note,
            )
        )
    return rows


class AnnotationTableModel(RowTableModel):
    """Read-only rows of :class:`AnnotationRow`; the label cell carries its colour."""

    HEADERS = ("Label", "Text", "Attributes", "Relations", "Flags")

    def cells(self, row: AnnotationRow) -> tuple[str, ...]:
        return (row.label, row.text, row.attributes, row.relations, row.flags)

    def tooltip(self, row: AnnotationRow, column: int) -> Any:
        if column == Column.TEXT:
            return elide(row.full_text, 500).replace("⏎", "\n")
        if column == Column.FLAGS and row.note:
            return row.note
        if column in (Column.ATTRIBUTES, Column.RELATIONS):
            return (row.attributes if column == Column.ATTRIBUTES else row.relations) or None
        return None

    def extra(self, row: AnnotationRow, column: int, role: int) -> Any:
        if role == ANNOTATION_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DecorationRole and column == Column.LABEL:
            return swatch_icon(label_color(row.color))
        return None

    def row_for_id(self, annotation_id: str | None) -> int:
        """The row of ``annotation_id``, or -1."""
        return next((i for i, r in enumerate(self.rows) if r.id == annotation_id), -1)


class AnnotationTablePanel(QWidget):
    """The annotation table; selecting a row selects that annotation everywhere.

    Del and Backspace delete the selected annotation (one undo step, as in the text); the
    context menu deletes it or changes its label."""

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationTablePanel")
        self._controller = controller
        self._syncing = False
        self.model = AnnotationTableModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("annotationTable")
        self.view.setAccessibleName("Annotations")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((Column.LABEL, 110), (Column.TEXT, 300), (Column.ATTRIBUTES, 280), (Column.RELATIONS, 260)):
            header.resizeSection(column, width)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.delete_action = QAction("&Delete Annotation", self.view)
        self.delete_action.setObjectName("tableDeleteAnnotation")
        self.delete_action.setShortcuts([QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(lambda _checked=False: self.delete_selected())
        self.view.addAction(self.delete_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)

        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        controller.article_opened.connect(self._refresh)
        controller.article_changed.connect(self._refresh)
        controller.selection_changed.connect(self._select)
        self._refresh()

    def _refresh(self, _what: object = None) -> None:
        bundle = self._controller.bundle
        project = self._controller.project
        rows = [] if bundle is None else annotation_rows(bundle, None if project is None else project.codebook)
        self._syncing = True
        try:
            self.model.set_rows(rows)
        finally:
            self._syncing = False
        self._select(self._controller.selected_id)

    def _select(self, annotation_id: object) -> None:
        """Show the controller's selection without sending it back."""
        row = self.model.row_for_id(annotation_id if isinstance(annotation_id, str) else None)
        selection = self.view.selectionModel()
        self._syncing = True
        try:
            if row < 0:
                selection.clearSelection()
                return
            index = self.model.index(row, 0)
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)
        finally:
            self._syncing = False

    def delete_selected(self) -> bool:
        """Delete the annotation selected in the table (undoable)."""
        if self._controller.selected() is None:
            return False
        self._controller.delete_selected()
        return True

    def context_menu(self) -> QMenu | None:
        """The menu of the selected annotation: Delete, and Change Label with the other labels."""
        selected = self._controller.selected()
        project = self._controller.project
        if selected is None or project is None:
            return None
        menu = QMenu(self.view)
        menu.setObjectName("annotationTableMenu")
        menu.addAction(self.delete_action)
        labels = menu.addMenu("Change &Label")
        labels.setObjectName("changeLabelMenu")
        for label in project.codebook.span_labels:
            action = labels.addAction(swatch_icon(label_color(label.color)), f"{label.name}\t{label.key}")
            action.setObjectName(f"changeLabel_{label.name}")
            action.setEnabled(label.name != selected.label)
            action.triggered.connect(
                lambda _checked=False, name=label.name, aid=selected.id: self._controller.relabel(aid, name)
            )
        return menu

    def _show_context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if index.isValid():
            self._controller.select(index.data(ANNOTATION_ID_ROLE))
        menu = self.context_menu()
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(point))

    def _on_view_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._syncing:
            return
        rows = self.view.selectionModel().selectedRows()
        self._controller.select(rows[0].data(ANNOTATION_ID_ROLE) if rows else None)
