"""The choices offered for one group or one article question.

:class:`ChoiceBox` lists each coder's version of the selected group with an Accept
button, and a Reject button; :class:`AnswerBox` lists each question with one Accept
button per distinct answer. They only emit what was chosen; the panel plans and applies
it as one decision. GUI thread only.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.adjudication import AnswerChoice, RelationGroup, SpanGroup
from app.services.adjudication import AdjudicationView


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = None if item is None else item.widget()
        if widget is not None:
            widget.deleteLater()


def _attributes(attributes: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(attributes.items())) or "no attributes"


class ChoiceBox(QGroupBox):
    """Versions of the selected group. ``accepted(coder)`` or ``rejected()``."""

    accepted = Signal(str)
    rejected = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Versions", parent)
        self.setObjectName("choiceBox")
        self.grid = QGridLayout(self)

    def show_group(self, view: AdjudicationView | None, group: SpanGroup | RelationGroup | None) -> None:
        _clear(self.grid)
        if view is None or group is None:
            self.setTitle("Versions")
            return
        row = 0
        if isinstance(group, SpanGroup):
            self.setTitle(f"{group.label}: {len(group.versions)} version(s) \u2014 {group.status}")
            for k, version in enumerate(group.versions):
                spans = "; ".join(
                    f"\u201c{view.text(a.start, a.end)}\u201d [{a.start}\u2013{a.end}] {_attributes(a.attributes)}"
                    for a in version.spans
                )
                taken = " (in the gold)" if group.accepted_version == k else ""
                label = QLabel(f"<b>{', '.join(version.coders)}</b>{taken}: {spans}")
                label.setWordWrap(True)
                button = QPushButton("Accept")
                button.setObjectName("accept_" + "_".join(version.coders))
                button.clicked.connect(lambda _c=False, who=version.coders[0]: self.accepted.emit(who))
                self.grid.addWidget(label, row, 0)
                self.grid.addWidget(button, row, 1)
                row += 1
            if group.missing:
                self.grid.addWidget(QLabel(f"<b>{', '.join(group.missing)}</b>: marked nothing here"), row, 0)
                row += 1
        else:
            self.setTitle(f"{group.label} relation \u2014 {group.status}")
            missing = f"; not by {', '.join(group.missing)}" if group.missing else ""
            self.grid.addWidget(QLabel(f"Drawn by <b>{', '.join(group.coders)}</b>{missing}"), row, 0)
            button = QPushButton("Accept")
            button.setObjectName("acceptRelation")
            button.clicked.connect(lambda _c=False: self.accepted.emit(group.coders[0]))
            self.grid.addWidget(button, row, 1)
            row += 1
        reject = QPushButton("Reject: leave it out of the gold")
        reject.setObjectName("rejectGroup")
        reject.clicked.connect(lambda _c=False: self.rejected.emit())
        self.grid.addWidget(reject, row, 0, 1, 2)


class AnswerBox(QGroupBox):
    """Each question with every coder's answer; ``accepted(question, value)``."""

    accepted = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Article questions", parent)
        self.setObjectName("answerBox")
        self.grid = QGridLayout(self)

    def show_answers(self, choices: tuple[AnswerChoice, ...]) -> None:
        _clear(self.grid)
        for row, choice in enumerate(c for c in choices if c.status != "unanswered"):
            given = ", ".join(f"{coder}: {'—' if v is None else _value(v)}" for coder, v in choice.values)
            gold = "—" if choice.gold is None else _value(choice.gold)
            label = QLabel(f"<b>{choice.question}</b> ({choice.status}) {given}; gold: {gold}")
            label.setWordWrap(True)
            self.grid.addWidget(label, row, 0)
            for k, value in enumerate(choice.distinct()):
                button = QPushButton(f"Accept {_value(value)}")
                button.setObjectName(f"answer_{choice.question}_{k}")
                button.setEnabled(value != choice.gold)
                button.clicked.connect(lambda _c=False, q=choice.question, v=value: self.accepted.emit(q, v))
                self.grid.addWidget(button, row, 1 + k)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
