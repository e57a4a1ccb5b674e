"""Every keyboard shortcut of the window, grouped by menu, with a filter.

Keyboard-first coding depends on coders learning the keys; this reference is built
from the window's own actions, so it can never disagree with them. Shortcuts are
shown in the platform's notation (⌘ on macOS). The list is static while the dialog
is open, so a QStandardItemModel holds it. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

#: True on the rows that name a menu.
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def plain_text(text: str) -> str:
    """An action or menu text without its mnemonic markers ("&Open…" -> "Open…")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_of(action: QAction) -> str:
    """The title of the first menu that holds ``action``, or "" if none does."""
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu) and owner.title():
            return plain_text(owner.title())
    return ""


def portable(sequence: QKeySequence) -> bool:
    """Whether a coder can press ``sequence`` on an ordinary keyboard: not F13-F35 nor a
    dedicated key such as Undo, Copy or Find (which the platform's standard bindings add,
    and which would read "Ctrl+Z, F14, Undo")."""
    for index in range(sequence.count()):
        key = sequence[index].key()  # type: ignore[index]  # PySide6 stubs lack QKeySequence.__getitem__
        if Qt.Key.Key_F13.value <= key.value <= Qt.Key.Key_F35.value or key.value >= Qt.Key.Key_Back.value:
            return False
    return True


def shortcut_text(action: QAction) -> str:
    """The action's shortcuts that a keyboard has, in native notation, each once
    (standard keys such as Redo expand to platform lists that repeat themselves)."""
    texts = (
        key.toString(QKeySequence.SequenceFormat.NativeText)
        for key in action.shortcuts()
        if not key.isEmpty() and portable(key)
    )
    return ", ".join(dict.fromkeys(texts))


def shortcuts_model(actions: Iterable[QAction], parent: QWidget | None = None) -> QStandardItemModel:
    """Rows of (action, shortcut) under one header row per menu, in menu order.

    Actions without a shortcut or text (separators, submenus) are left out.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[int] = set()
    for action in actions:
        keys = shortcut_text(action)
        if not keys or action.isSeparator() or not action.text() or id(action) in seen:
            continue
        seen.add(id(action))
        groups.setdefault(menu_of(action), []).append((plain_text(action.text()), keys))
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels(["Action", "Shortcut"])
    bold = QFont()
    bold.setBold(True)
    named = [g for g in groups if g]
    for group in named + ([""] if "" in groups else []):
        if named:  # headers only if some action sits in a menu
            header = QStandardItem(group or "Other")
            header.setFont(bold)
            header.setData(True, GROUP_ROLE)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            filler = QStandardItem()
            filler.setFlags(Qt.ItemFlag.ItemIsEnabled)
            model.appendRow([header, filler])
        for text, keys in groups[group]:
            row = [QStandardItem(text), QStandardItem(keys)]
            for item in row:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            model.appendRow(row)
    return model


class ShortcutFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose action or shortcut contains the filter text, and the header
    row of every menu that keeps at least one row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_text(self, text: str) -> None:
        needle = text.strip().casefold()
        self._change_filter(lambda: setattr(self, "_needle", needle))

    def _change_filter(self, apply: Callable[[], None]) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10+; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()

    def _is_group(self, row: int) -> bool:
        return bool(self.sourceModel().index(row, 0).data(GROUP_ROLE))

    def _matches(self, row: int) -> bool:
        model = self.sourceModel()
        text = f"{model.index(row, 0).data()}\n{model.index(row, 1).data()}".casefold()
        return self._needle in text

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._needle:
            return True
        if not self._is_group(source_row):
            return self._matches(source_row)
        row = source_row + 1
        while row < self.sourceModel().rowCount() and not self._is_group(row):
            if self._matches(row):
                return True
            row += 1
        return False


class ShortcutsDialog(QDialog):
    """A filterable two-column reference of the given actions' shortcuts."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 560)
        self.model = shortcuts_model(actions, self)
        self.proxy = ShortcutFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcutFilter")
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setPlaceholderText("Filter actions or keys")
        self.filter.setClearButtonEnabled(True)
        self.view = QTableView(self)
        self.view.setObjectName("shortcutTable")
        self.view.setAccessibleName("Keyboard shortcuts")
        self.view.setModel(self.proxy)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setShowGrid(False)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

        self.filter.textChanged.connect(self._on_filter_changed)
        self._span_groups()

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._span_groups()

    def _span_groups(self) -> None:
        """Let each menu's header row span both columns (spans follow view rows)."""
        self.view.clearSpans()
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(GROUP_ROLE):
                self.view.setSpan(row, 0, 1, 2)

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows now, header rows included (as (menu, ""))."""
        return [
            (self.proxy.index(r, 0).data() or "", self.proxy.index(r, 1).data() or "")
            for r in range(self.proxy.rowCount())
        ]
