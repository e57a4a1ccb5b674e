"""A read-only table model over a list of frozen row records.

Subclasses name their ``HEADERS`` (a class attribute, or set on the instance when the
columns change) and turn a row into its cells. A cell's tooltip is its text and the row
itself is available under ``UserRole`` (so that views hand it to their handlers), unless a
subclass says otherwise in ``tooltip`` or ``value``; any other role goes to ``extra``.
GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def cells(self, row: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.UserRole:
            return self.value(row, column)
        return self.extra(row, column, role)

    def tooltip(self, row: Any, column: int) -> Any:
        return self.cells(row)[column]

    def value(self, row: Any, column: int) -> Any:
        return row

    def extra(self, row: Any, column: int, role: int) -> Any:
        return None


class LazyRowModel(QAbstractTableModel):
    """A read-only table over ids in a given order whose records are read when drawn.

    For tables of a project's articles (100,000 of them): the model keeps the ids in
    the order the store sorted and filtered them (:meth:`set_ids`) and reads the records
    of the rows a view asks for, :attr:`WINDOW` rows at a time, through the reader given
    to :meth:`set_reader` (ids -> records by id), keeping at most :attr:`CACHE_ROWS`.
    One changed record is :meth:`replace`d and its row repainted. Sorting asks the
    owner for a new order (:attr:`sort_requested`); nothing is sorted here. Subclasses
    name their ``HEADERS`` and answer ``data`` from :meth:`row_at`. GUI thread only.
    """

    HEADERS: tuple[str, ...] = ()
    #: Rows read from the project at once when a view draws one that is not cached.
    WINDOW = 200
    #: Records kept; beyond this the cache starts afresh (a view shows a few dozen).
    CACHE_ROWS = 5_000
    #: The view asked to sort by (column, order): the owner reads a new order.
    sort_requested = Signal(int, Qt.SortOrder)

    def __init__(self, read: Callable[[Sequence[str]], Mapping[str, Any]] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._read: Callable[[Sequence[str]], Mapping[str, Any]] = read or (lambda _ids: {})
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, Any] = {}

    def set_reader(self, read: Callable[[Sequence[str]], Mapping[str, Any]]) -> None:
        self._read = read

    def set_ids(self, ids: Sequence[str], records: Mapping[str, Any] | None = None) -> None:
        """Show these ids in this order (``records``: some already read)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._index = {}  # built when first asked (40 ms at 100,000 rows)
        self._cache = dict(records or {})
        self.endResetModel()

    def ids(self) -> list[str]:
        return self._ids

    def row_for_id(self, key: str | None) -> int:
        """The row of ``key``, or -1."""
        if key is None or not self._ids:
            return -1
        if not self._index:
            self._index = {k: i for i, k in enumerate(self._ids)}
        return self._index.get(key, -1)

    def row_at(self, row: int) -> Any:
        """The row's record, read with its neighbours if it is not cached (None if the
        reader has none for it)."""
        key = self._ids[row]
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > self.CACHE_ROWS:
                self._cache.clear()
            first = max(0, row - self.WINDOW // 4)
            wanted = [k for k in self._ids[first : first + self.WINDOW] if k not in self._cache]
            self._cache.update(self._read(wanted))
            found = self._cache.get(key)
        return found

    def rows_of(self, keys: Sequence[str]) -> list[Any]:
        """The records of these ids, in this order (those not cached read in one go)."""
        missing = [k for k in keys if k not in self._cache]
        read = dict(self._read(missing)) if missing else {}
        return [r for r in (self._cache.get(k) or read.get(k) for k in keys) if r is not None]

    def replace(self, key: str, record: Any | None = None, roles: Sequence[Qt.ItemDataRole] = ()) -> None:
        """Show a new record of one id (None: repaint it as cached) without re-reading."""
        if record is not None:
            self._cache[key] = record
        row = self.row_for_id(key)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1), list(roles))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)
