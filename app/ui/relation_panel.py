"""The relations of the current article, and the ways a coder adds one.

The list is a model over frozen rows rebuilt from the controller's bundle whenever an
edit changes the article; relations that touch the selected annotation are highlighted
so the coder sees at once what a claim is already linked to. A relation is added
either from the "Add relation" area (type and target combos) or in link mode: the
annotation selected when link mode starts is the source, the next annotation the
coder selects in the article is the target. Every addition and deletion goes through
the controller, which commits it and pushes one undo step. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Codebook, RelationType
from app.core.records import Annotation
from app.services.coding import ArticleBundle
from app.ui.controller import CodingController

_SNIPPET = 28  # characters of span text quoted in a row or a combo entry
_ModelIndex = QModelIndex | QPersistentModelIndex


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """Span text on one line, cut with an ellipsis so rows stay short."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def describe(annotation: Annotation, article_text: str) -> str:
    """``Actor “Anton Korolev”``: how an annotation is named in lists and combos."""
    return (
        f"{annotation.label} \u201c{snippet(article_text[annotation.start : annotation.end])}\u201d"
    )


@dataclass(frozen=True, slots=True)
class RelationRow:
    """One relation as the list shows it."""

    id: str
    label: str
    source_id: str
    target_id: str
    text: str

    def touches(self, annotation_id: str | None) -> bool:
        return annotation_id is not None and annotation_id in (self.source_id, self.target_id)


def relation_rows(bundle: ArticleBundle, codebook: Codebook | None) -> list[RelationRow]:
    """The bundle's relations in text order of their sources, described for the list."""
    by_id = {a.id: a for a in bundle.annotations}
    text = bundle.article.text
    rows: list[RelationRow] = []
    for relation in bundle.relations:
        source, target = by_id.get(relation.source_id), by_id.get(relation.target_id)
        if source is None or target is None:
            continue
        directed = True
        if codebook is not None:
            try:
                directed = codebook.relation_type(relation.label).directed
            except KeyError:
                pass
        arrow = f"\u2014{relation.label}\u2192" if directed else f"\u2014{relation.label}\u2014"
        rows.append(
            RelationRow(
                relation.id,
                relation.label,
                source.id,
                target.id,
                f"{describe(source, text)} {arrow} {describe(target, text)}",
            )
        )
    order = {a.id: (a.start, a.end) for a in bundle.annotations}
    return sorted(rows, key=lambda r: (order[r.source_id], order[r.target_id], r.label))


class RelationListModel(QAbstractListModel):
    """The current article's relations; rows touching the selected annotation stand out."""

    TouchesSelectedRole = Qt.ItemDataRole.UserRole + 1
    RelationIdRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RelationRow] = []
        self._selected_id: str | None = None

    def set_rows(self, rows: list[RelationRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_selected(self, annotation_id: str | None) -> None:
        if annotation_id == self._selected_id:
            return
        self._selected_id = annotation_id
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def relation(self, row: int) -> RelationRow:
        return self._rows[row]

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        touches = row.touches(self._selected_id)
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return row.text
        if role == self.TouchesSelectedRole:
            return touches
        if role == self.RelationIdRole:
            return row.id
        if role == Qt.ItemDataRole.FontRole and touches:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and touches:
            color = QGuiApplication.palette().color(QPalette.ColorRole.Highlight)
            color.setAlpha(50)
            return QBrush(color)
        return None


class RelationPanel(QWidget):
    """Lists, adds and deletes the current article's relations through ``controller``."""

    #: Link mode started from this annotation id.
    link_started = Signal(str)
    #: Link mode ended (a relation was added, refused, or the coder cancelled).
    link_finished = Signal()

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationPanel")
        self.setAccessibleName("Relations")
        self._controller = controller
        self._link_source: str | None = None
        self._link_type: str | None = None
        self.model = RelationListModel(self)
        self._build()
        controller.project_opened.connect(self._refresh)
        controller.article_opened.connect(self._on_article_opened)
        controller.article_changed.connect(lambda _changes: self._refresh())
        controller.selection_changed.connect(self._on_selection_changed)
        self._refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.view = QListView()
        self.view.setObjectName("relationList")
        self.view.setAccessibleName("Relations of this article")
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Rows wrap in a narrow dock instead of scrolling sideways.
        self.view.setWordWrap(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMinimumHeight(self.view.fontMetrics().lineSpacing() * 3)
        self.view.installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.view, 1)
        self.delete_button = QPushButton("&Delete relation")
        self.delete_button.setObjectName("deleteRelationButton")
        self.delete_button.setToolTip("Delete the relation selected in the list (Del)")
        self.delete_button.clicked.connect(self.delete_selected_relation)
        layout.addWidget(self.delete_button)

        self.add_box = QGroupBox("Add relation")
        self.add_box.setObjectName("addRelationBox")
        form = QFormLayout(self.add_box)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("relationTypeCombo")
        self.type_combo.setAccessibleName("Relation type")
        self.type_combo.currentIndexChanged.connect(lambda _index: self._fill_targets())
        form.addRow("&Type", self.type_combo)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("relationTargetCombo")
        self.target_combo.setAccessibleName("Target annotation")
        form.addRow("T&arget", self.target_combo)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("addRelationButton")
        self.add_button.clicked.connect(self.add_chosen_relation)
        self.link_button = QPushButton("Link by &clicking\u2026")
        self.link_button.setObjectName("linkButton")
        self.link_button.setToolTip(
            "Then click the annotation to link to in the article (L; Esc cancels)"
        )
        self.link_button.clicked.connect(lambda: self.start_link())
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.link_button)
        form.addRow(buttons)
        self.link_hint = QLabel("Click the annotation to link to; Esc cancels.")
        self.link_hint.setObjectName("linkHint")
        self.link_hint.setWordWrap(True)
        self.link_hint.hide()
        form.addRow(self.link_hint)
        layout.addWidget(self.add_box)

    # -- refreshing --------------------------------------------------------------------
    def _codebook(self) -> Codebook | None:
        project = self._controller.project
        return None if project is None else project.codebook

    def _refresh(self) -> None:
        bundle = self._controller.bundle
        self.model.set_rows([] if bundle is None else relation_rows(bundle, self._codebook()))
        self.model.set_selected(self._controller.selected_id)
        if self._link_source is not None and self._annotation(self._link_source) is None:
            self.cancel_link()  # the source was deleted (or undone) meanwhile
        self._fill_types()
        self._update_buttons()

    def _on_article_opened(self, _bundle: object) -> None:
        self.cancel_link()
        self._refresh()

    def _on_selection_changed(self, annotation_id: object) -> None:
        if self._link_source is not None and annotation_id != self._link_source:
            if isinstance(annotation_id, str):
                self._finish_link(annotation_id)
            else:
                self.cancel_link()  # Esc in the article clears the selection
        self.model.set_selected(self._controller.selected_id)
        self._fill_types()
        self._update_buttons()

    def _annotation(self, annotation_id: str | None) -> Annotation | None:
        bundle = self._controller.bundle
        if bundle is None or annotation_id is None:
            return None
        return next((a for a in bundle.annotations if a.id == annotation_id), None)

    def allowed_types(self, label: str) -> list[RelationType]:
        """Relation types an annotation of ``label`` may start (either end if undirected)."""
        codebook = self._codebook()
        if codebook is None:
            return []
        return [
            r
            for r in codebook.relation_types
            if label in r.source or (not r.directed and label in r.target)
        ]

    def _fill_types(self) -> None:
        selected = self._controller.selected()
        previous = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        for relation_type in [] if selected is None else self.allowed_types(selected.label):
            self.type_combo.addItem(relation_type.name, relation_type.name)
            self.type_combo.setItemData(
                self.type_combo.count() - 1, relation_type.description, Qt.ItemDataRole.ToolTipRole
            )
        index = self.type_combo.findData(previous)
        self.type_combo.setCurrentIndex(
            index if index >= 0 else 0 if self.type_combo.count() else -1
        )
        self.type_combo.blockSignals(False)
        self.add_box.setEnabled(selected is not None)
        self._fill_targets()

    def _fill_targets(self) -> None:
        selected = self._controller.selected()
        bundle = self._controller.bundle
        codebook = self._codebook()
        name = self.type_combo.currentData()
        previous = self.target_combo.currentData()
        self.target_combo.clear()
        if selected is not None and bundle is not None and codebook is not None and name:
            relation_type = codebook.relation_type(name)
            for other in sorted(bundle.annotations, key=lambda a: (a.start, a.end)):
                if other.id != selected.id and relation_type.allows(selected.label, other.label):
                    self.target_combo.addItem(describe(other, bundle.article.text), other.id)
                    self.target_combo.setItemData(
                        self.target_combo.count() - 1,
                        bundle.article.text[other.start : other.end],
                        Qt.ItemDataRole.ToolTipRole,
                    )
        index = self.target_combo.findData(previous)
        if index >= 0:
            self.target_combo.setCurrentIndex(index)
        self._update_buttons()

    def _exists(self, name: str, source_id: str | None, target_id: str | None) -> bool:
        """Whether the coder already has this relation (the same type and ends)."""
        bundle = self._controller.bundle
        return bundle is not None and any(
            (r.label, r.source_id, r.target_id) == (name, source_id, target_id) for r in bundle.relations
        )

    def _update_buttons(self) -> None:
        name, target_id = self.type_combo.currentData(), self.target_combo.currentData()
        exists = bool(name and target_id) and self._exists(name, self._controller.selected_id, target_id)
        self.add_button.setEnabled(bool(name) and bool(target_id) and not exists)
        self.add_button.setToolTip(
            f"This {name} relation already exists" if exists else "Add the relation of this type to this target"
        )
        self.delete_button.setEnabled(self._current_relation_id() is not None)
        self.link_button.setEnabled(self._controller.selected_id is not None)

    # -- adding and deleting -----------------------------------------------------------
    def _current_relation_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return None if not rows else self.model.relation(rows[0].row()).id

    def add_chosen_relation(self) -> bool:
        """Add the relation of the type and target combos from the selected annotation."""
        source_id = self._controller.selected_id
        name, target_id = self.type_combo.currentData(), self.target_combo.currentData()
        if source_id is None or not name or not target_id:
            return False
        if self._exists(name, source_id, target_id):
            self._controller.refused.emit(f"That {name} relation already exists between these two annotations.")
            return False
        return self._controller.add_relation(name, source_id, target_id)

    def delete_selected_relation(self) -> bool:
        """Delete the relation selected in the list (the Delete button and the Del key)."""
        relation_id = self._current_relation_id()
        return relation_id is not None and self._controller.remove_relation(relation_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.delete_selected_relation()
                return True
        return super().eventFilter(watched, event)

    # -- link mode ---------------------------------------------------------------------
    def is_linking(self) -> bool:
        return self._link_source is not None

    def start_link(self, relation_type: str | None = None) -> bool:
        """Make the next annotation selected in the article the target of a relation from
        the one selected now. ``relation_type`` fixes the type; else the type combo's
        choice is used if it fits the pair, or the only type that does."""
        codebook, source = self._codebook(), self._controller.selected()
        if codebook is None or source is None:
            self._controller.refused.emit("Select the annotation to link from first.")
            return False
        if not codebook.relation_types:
            self._controller.refused.emit("The codebook defines no relation types.")
            return False
        if relation_type is not None:
            index = self.type_combo.findData(relation_type)
            if index >= 0:
                self.type_combo.setCurrentIndex(index)
        self._link_source, self._link_type = source.id, relation_type
        self.link_hint.show()
        self.link_started.emit(source.id)
        return True

    def cancel_link(self) -> None:
        """Leave link mode without adding anything (Esc)."""
        if self._leave_link_mode():
            self.link_finished.emit()

    def _leave_link_mode(self) -> bool:
        linking = self._link_source is not None
        self._link_source = self._link_type = None
        self.link_hint.hide()
        return linking

    def _type_for(self, source_label: str, target_label: str, requested: str | None) -> str:
        codebook = self._codebook()
        assert codebook is not None
        if requested:
            return requested
        allowed = [r.name for r in codebook.relation_types_between(source_label, target_label)]
        chosen = self.type_combo.currentData()
        if chosen in allowed:
            return chosen
        if allowed:
            return allowed[0]
        # Nothing fits: ask for the type the coder most likely meant, so that the
        # controller's refusal names the rule that was broken.
        if chosen:
            return chosen
        reverse = codebook.relation_types_between(target_label, source_label)
        return (reverse or codebook.relation_types)[0].name

    def _finish_link(self, target_id: str) -> None:
        source, target = self._annotation(self._link_source), self._annotation(target_id)
        requested = self._link_type
        self._leave_link_mode()
        if source is not None and target is not None:
            name = self._type_for(source.label, target.label, requested)
            self._controller.add_relation(name, source.id, target.id)
        self.link_finished.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.is_linking():
            self.cancel_link()
            return
        super().keyPressEvent(event)
