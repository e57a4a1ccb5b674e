"""Table models of the adjudication panel: overlap articles with their progress, and the
groups of one article with the gold's decision on each. GUI thread only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.core.adjudication import ACCEPTED, AGREED, REJECTED, RelationGroup, SpanGroup
from app.services.adjudication import AdjudicationView, ArticleProgress
from app.ui.row_model import Index, LazyRowModel, RowTableModel

#: Background of a disagreement the gold has no decision on yet.
OPEN_DISAGREEMENT = QColor(255, 214, 102, 110)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


#: (article ids) -> the progress of those that are overlap articles.
ProgressReader = Callable[[Sequence[str]], Sequence[ArticleProgress]]


class ProgressModel(LazyRowModel):
    """Overlap articles: coders, groups decided, relations and questions decided, gold.

    Lazy (:class:`~app.ui.row_model.LazyRowModel`): the overlap articles' ids, and the
    figures of the rows a view draws read :attr:`WINDOW` at a time; a decision replaces
    one row (:meth:`replace_row`).
    """

    HEADERS = ("Article", "Coders", "Groups", "Relations", "Questions", "Gold")
    #: Each article's figures cost its alignment (about 9 ms with twenty coders): a screenful.
    WINDOW = 40
    CACHE_ROWS = 2_000

    def __init__(self, parent: Any = None) -> None:
        super().__init__(None, parent)

    def set_reader(self, read: Callable[[Sequence[str]], Any]) -> None:
        """``read``: (article ids) -> the progress of those that are overlap articles."""
        super().set_reader(lambda ids: {p.article_id: p for p in read(ids)})

    def set_rows(self, rows: Sequence[ArticleProgress]) -> None:
        """Show these rows, already read."""
        self.set_ids([row.article_id for row in rows], {row.article_id: row for row in rows})

    def all_rows(self) -> list[ArticleProgress]:
        """Every row's figures (reads all that are not cached: tests, small projects)."""
        rows: list[ArticleProgress] = self.rows_of(self._ids)
        return rows

    def replace_row(self, progress: ArticleProgress) -> None:
        """Show new figures of one article (after a decision) without re-reading all."""
        self.replace(progress.article_id, progress)

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
