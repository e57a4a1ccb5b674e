"""Table models of the adjudication panel: overlap articles with their progress, and the
groups of one article with the gold's decision on each. GUI thread only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.core.adjudication import ACCEPTED, AGREED, REJECTED, RelationGroup, SpanGroup
from app.services.adjudication import AdjudicationView, ArticleProgress
from app.ui.row_model import RowTableModel

#: Background of a disagreement the gold has no decision on yet.
OPEN_DISAGREEMENT = QColor(255, 214, 102, 110)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class ProgressModel(RowTableModel):
    """Overlap articles: coders, groups decided, relations and questions decided, gold."""

    HEADERS = ("Article", "Coders", "Groups", "Relations", "Questions", "Gold")

    def replace_row(self, progress: ArticleProgress) -> None:
        """Show new figures of one article (after a decision) without re-reading all."""
        for i, row in enumerate(self.rows):
            if row.article_id == progress.article_id:
                self.rows[i] = progress
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))
                return

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
