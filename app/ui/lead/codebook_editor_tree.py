"""The codebook editor's tree: span labels, relation types and article questions, their
attributes, and the attributes' options, over the working copy.

A codebook has a few dozen items, so a QStandardItemModel holds them and is rebuilt
after an item is added, removed or moved; a rename or a new colour changes one row.
Each row keeps the item's path in the document (``PATH_ROLE``). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QGridLayout, QPushButton, QTreeView

from app.services.codebook_edits import ItemPath, WorkingCopy, children_key, kind_of
from app.ui.colors import label_color, swatch_icon

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
GROUPS = (("span_labels", "Span labels"), ("relation_types", "Relation types"), ("questions", "Article questions"))
PROBLEM_COLOUR = "#C0392B"


class CodebookTree(QTreeView):
    def __init__(self, working: WorkingCopy) -> None:
        super().__init__()
        self.setObjectName("codebookTree")
        self.setHeaderHidden(True)
        self.working = working
        self.items = QStandardItemModel(self)
        self.setModel(self.items)

    def rebuild(self) -> None:
        self.items.clear()
        for group, title in GROUPS:
            top = QStandardItem(title)
            top.setData((group,), PATH_ROLE)
            top.setEditable(False)
            for i in range(len(self.working.items((group,)))):
                self._append(top, (group, i))
            self.items.appendRow(top)
        self.expandToDepth(1)

    def _append(self, parent: QStandardItem, path: ItemPath) -> None:
        node = QStandardItem(self.working.title(path))
        node.setEditable(False)
        node.setData(path, PATH_ROLE)
        if kind_of(path) == "label":
            node.setIcon(swatch_icon(label_color(str(self.working.item(path).get("color", "")))))
        parent.appendRow(node)
        key = children_key(path)
        for j in range(len(self.working.items(path))):
            self._append(node, (*path, str(key), j))

    def index_of(self, path: ItemPath) -> QModelIndex:
        index = self.items.index([g for g, _ in GROUPS].index(str(path[0])), 0)
        for row in path[1::2]:
            index = self.items.index(int(row), 0, index)
        return index

    def node(self, path: ItemPath) -> QStandardItem:
        return self.items.itemFromIndex(self.index_of(path))

    def make_current(self, path: ItemPath) -> None:
        index = self.index_of(path)
        self.scrollTo(index)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def show_title(self, path: ItemPath, text: str) -> None:
        self.node(path).setText(text)

    def show_colour(self, path: ItemPath, colour: str) -> None:
        self.node(path).setIcon(swatch_icon(label_color(colour)))

    def mark(self, path: ItemPath | None) -> None:
        """Draw the item at ``path`` (the one a problem is about) in red; None: none."""
        red = QBrush(QColor(PROBLEM_COLOUR))
        wrong = self.index_of(path) if path is not None else QModelIndex()
        stack = [self.items.item(row) for row in range(self.items.rowCount())]
        while stack:
            node = stack.pop()
            node.setForeground(red if wrong.isValid() and node.index() == wrong else QBrush())
            stack.extend(node.child(row) for row in range(node.rowCount()))


def button_grid(
    buttons: Sequence[tuple[str, str, Callable[[], object]]], columns: int = 3,
) -> tuple[QGridLayout, dict[str, QPushButton]]:
    """The buttons under the tree, as (object name, text, slot), in rows of ``columns``."""
    grid = QGridLayout()
    made: dict[str, QPushButton] = {}
    for n, (name, text, slot) in enumerate(buttons):
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)  # Enter in a form field is not a click
        button.clicked.connect(lambda _c=False, s=slot: s())
        grid.addWidget(button, n // columns, n % columns)
        made[name] = button
    return grid, made
