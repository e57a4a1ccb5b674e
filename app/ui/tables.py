"""Read-only table views shared by the window's lists and the lead's views.

``table`` makes a row-selecting, non-editable view whose columns fit their contents up to
``COLUMN_CHARS`` characters (the user can drag them wider) and whose cut-off cells show
their whole text as a tooltip. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)

#: The widest a column starts, in average characters: a long title or value is elided
#: (whole in its tooltip) and the lead can drag the column wider.
COLUMN_CHARS = 32
#: Rows measured when a column fits its contents (those in view first): Qt's default
#: of 1,000 read every cell of a thousand rows at each reset (2 s for the agreement
#: drill-down's three tables at 1,000 articles).
FIT_ROWS = 100


class FullTextDelegate(QStyledItemDelegate):
    """Gives a cell whose text its column cuts off that whole text as its tooltip
    (followed by the model's own tooltip, if any). GUI thread."""

    def helpEvent(  # noqa: N802 - Qt override
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if event is None or event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        tip = full_text_tip(view, index)
        if tip:
            QToolTip.showText(event.globalPos(), tip, view)
        else:
            QToolTip.hideText()
        return True


def full_text_tip(view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex) -> str:
    """The tooltip of a cell: its whole text when the column is too narrow for it."""
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    own = str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
    # PySide6 converts a QPersistentModelIndex to a QModelIndex; its stubs take only the latter.
    room = view.visualRect(QModelIndex(index)).width() - 12  # type: ignore[arg-type]  # the cell's margins
    cut = view.fontMetrics().horizontalAdvance(text) > room
    if not cut or own == text:
        return own or (text if cut else "")
    return f"{text}\n\n{own}" if own else text


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its contents, at most COLUMN_CHARS characters (the last
    one stretches); the lead can resize any of them."""
    header = view.horizontalHeader()
    cap = view.fontMetrics().averageCharWidth() * COLUMN_CHARS
    for column in range(header.count()):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            wanted = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
            header.resizeSection(column, min(wanted, max(cap, header.sectionSizeHint(column))))


def table(model: QAbstractItemModel, name: str, *, fit: bool = True) -> QTableView:
    """``fit``: columns fit their contents when the rows change (False for a lazy model
    of many rows, whose caller sizes the columns from the font: fitting reads a
    thousand rows)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setItemDelegate(FullTextDelegate(view))
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
    view.horizontalHeader().setStretchLastSection(True)
    if fit:
        model.modelReset.connect(lambda: fit_columns(view))
        model.rowsInserted.connect(lambda *_: fit_columns(view))
    return view
