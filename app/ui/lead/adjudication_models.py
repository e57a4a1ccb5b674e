"""Table models of the adjudication panel: overlap articles with their progress, and the
groups of one article with the gold's decision on each. GUI thread only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.adjudication import ACCEPTED, AGREED, REJECTED, RelationGroup, SpanGroup
from app.services.adjudication import AdjudicationView, ArticleProgress
from app.ui.row_model import Index, RowTableModel

#: Background of a disagreement the gold has no decision on yet.
OPEN_DISAGREEMENT = QColor(255, 214, 102, 110)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


#: Overlap articles whose figures are read at once when a view draws one not cached:
#: each costs its alignment (about 9 ms with twenty coders), so a screenful.
WINDOW = 40
#: Rows kept; beyond this the cache starts afresh.
CACHE_ROWS = 2_000
#: (article ids) -> the progress of those that are overlap articles.
ProgressReader = Callable[[Sequence[str]], Sequence[ArticleProgress]]


class ProgressModel(QAbstractTableModel):
    """Overlap articles: coders, groups decided, relations and questions decided, gold.

    Lazy: the model keeps the overlap articles' ids (:meth:`set_ids`) and reads the
    figures of the rows a view draws, :data:`WINDOW` at a time, through the reader
    given to :meth:`set_reader`; a decision replaces one row (:meth:`replace_row`).
    """

    HEADERS = ("Article", "Coders", "Groups", "Relations", "Questions", "Gold")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._read: ProgressReader = lambda _ids: []
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, ArticleProgress] = {}

    def set_reader(self, read: ProgressReader) -> None:
        self._read = read

    def set_ids(self, article_ids: Sequence[str]) -> None:
        """Show these articles (their figures are read when drawn)."""
        self.beginResetModel()
        self._ids = list(article_ids)
        self._index = {a: i for i, a in enumerate(self._ids)}
        self._cache.clear()
        self.endResetModel()

    def set_rows(self, rows: Sequence[ArticleProgress]) -> None:
        """Show these rows, already read."""
        self.beginResetModel()
        self._ids = [row.article_id for row in rows]
        self._index = {a: i for i, a in enumerate(self._ids)}
        self._cache = {row.article_id: row for row in rows}
        self.endResetModel()

    def ids(self) -> list[str]:
        return self._ids

    def row_for_id(self, article_id: str) -> int:
        return self._index.get(article_id, -1)

    def row_at(self, row: int) -> ArticleProgress | None:
        """The row's figures, read with its neighbours' if not cached."""
        article_id = self._ids[row]
        found = self._cache.get(article_id)
        if found is None:
            if len(self._cache) > CACHE_ROWS:
                self._cache.clear()
            wanted = [a for a in self._ids[max(0, row - WINDOW // 4) :][:WINDOW] if a not in self._cache]
            self._cache.update((p.article_id, p) for p in self._read(wanted))
            found = self._cache.get(article_id)
        return found

    def all_rows(self) -> list[ArticleProgress]:
        """Every row's figures (reads all that are not cached: tests, small projects)."""
        missing = [a for a in self._ids if a not in self._cache]
        if missing:
            self._cache.update((p.article_id, p) for p in self._read(missing))
        return [self._cache[a] for a in self._ids if a in self._cache]

    def replace_row(self, progress: ArticleProgress) -> None:
        """Show new figures of one article (after a decision) without re-reading all."""
        i = self.row_for_id(progress.article_id)
        if i >= 0:
            self._cache[progress.article_id] = progress
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        return row if role == Qt.ItemDataRole.UserRole else self.cells(row)[index.column()]

    def cells(self, row: ArticleProgress) -> tuple[str, ...]:
        gold = "done" if row.done else "ready" if not row.undecided else f"{row.undecided} open"
        return (
            row.title, ", ".join(row.coders), f"{row.decided}/{row.groups}",
            f"{row.relations_decided}/{row.relations}", f"{row.questions_decided}/{row.questions}", gold,
        )


@dataclass(frozen=True)
class GroupRow:
    """A span group or a relation group of the article, as the panel lists it."""

    kind: str  # "span" or "relation"
    key: str
    label: str
    text: str
    status: str
    decision: str
    open: bool


def group_rows(view: AdjudicationView) -> list[GroupRow]:
    rows = []
    for g in view.groups:
        rows.append(GroupRow("span", g.key, g.label, _short(view.text(g.start, g.end)), g.status, decision(g), not g.decided))
    for r in view.relations:
        source, target = r.ends
        text = f"{_short(view.text(source.start, source.end), 28)} \u2192 {_short(view.text(target.start, target.end), 28)}"
        rows.append(GroupRow("relation", r.key, r.label, text, r.status, decision(r), not r.decided))
    return rows


def decision(group: SpanGroup | RelationGroup) -> str:
    if group.decision == REJECTED:
        return "rejected"
    if group.decision != ACCEPTED:
        return "\u2014"
    if isinstance(group, RelationGroup):
        return "accepted"
    if group.accepted_version is None:
        return "accepted (the gold's own)"
    return "accepted (" + ", ".join(group.versions[group.accepted_version].coders) + ")"


class GroupModel(RowTableModel):
    """The article's groups; open disagreements are highlighted."""

    HEADERS = ("Label", "Text", "Coders", "Gold")

    def cells(self, row: GroupRow) -> tuple[str, ...]:
        return (row.label, row.text, "agree" if row.status == AGREED else "differ", row.decision)

    def extra(self, row: GroupRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and row.open and row.status != AGREED:
            return OPEN_DISAGREEMENT
        return None

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.key == key), -1)
