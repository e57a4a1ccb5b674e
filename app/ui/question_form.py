"""The article questions of the codebook, answered once per article.

One group per question, built when a project opens (the codebook does not change while
it is open) and refilled from the controller's bundle whenever the article or an
answer changes, with signals blocked so that showing an answer never writes it back.
Each gesture (a click, leaving the text field) is one ``set_answer`` through the
controller, committed at once and undoable. Inside a scroll area, so a long codebook
fits a narrow dock; prompts wrap and ordinal scales flow onto more lines, so nothing
is cut off and the form never scrolls sideways. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Question
from app.ui.controller import CodingController

#: Marks required questions that are still unanswered; readable on light and dark palettes.
WARNING_COLOR = "#d9480f"

Answer = Callable[[str, Any], None]


def title_of(value: str) -> str:
    """``single_source`` -> ``Single source``: option values as coders read them."""
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


class FlowLayout(QLayout):
    """Lays its widgets out in rows, starting a new row when the next does not fit
    (the Qt "flow layout" example): an ordinal scale reads left to right in a wide
    dock and wraps in a narrow one instead of running off its edge."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap // 2, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class QuestionGroup(QObject):
    """The inputs of one question. ``show`` fills them silently; gestures call ``answer``."""

    def __init__(self, question: Question, answer: Answer, parent: QWidget) -> None:
        super().__init__(parent)
        self.question = question
        self._answer = answer
        self.box = QGroupBox(parent)
        self.box.setObjectName(f"question_{question.name}")
        # A group box title cannot wrap: the prompt is a label inside the box.
        self.prompt = QLabel(question.prompt or title_of(question.name))
        self.prompt.setObjectName(f"question_{question.name}_prompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.box.setToolTip(
            f"{question.prompt}\n\n{question.description}"
            if question.description
            else question.prompt
        )
        self.box.setAccessibleName(question.prompt or question.name)
        self.box.setAccessibleDescription(question.description)
        self.buttons: dict[str, QAbstractButton] = {}
        self.clear_button: QToolButton | None = None
        self.text: QPlainTextEdit | None = None
        self._shown: Any = None
        self._missing = False
        self.group = QButtonGroup(self)
        if question.type == "text":
            self._build_text()
        else:
            self._build_options()

    def _build_options(self) -> None:
        question = self.question
        exclusive = question.type in ("single_choice", "ordinal")
        outer = QVBoxLayout(self.box)
        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        outer.addLayout(top)
        options: QLayout = FlowLayout() if question.type == "ordinal" else QVBoxLayout()
        for option in question.options:
            button: QAbstractButton = (
                QRadioButton(title_of(option.value))
                if exclusive
                else QCheckBox(title_of(option.value))
            )
            button.setObjectName(f"question_{question.name}_{option.value}")
            button.setToolTip(option.description)
            options.addWidget(button)
            self.group.addButton(button)
            self.buttons[option.value] = button
        self.group.setExclusive(exclusive)
        self.group.buttonClicked.connect(self._on_clicked)
        outer.addLayout(options)
        if exclusive:
            self.clear_button = QToolButton()
            self.clear_button.setText("Clear")
            self.clear_button.setObjectName(f"question_{question.name}_clear")
            self.clear_button.setToolTip("Remove the answer to this question")
            self.clear_button.clicked.connect(lambda: self._send(None))
            top.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)

    def _build_text(self) -> None:
        layout = QVBoxLayout(self.box)
        layout.addWidget(self.prompt)
        self.text = QPlainTextEdit()
        self.text.setObjectName(f"question_{self.question.name}_text")
        self.text.setAccessibleName(self.question.prompt or self.question.name)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 12)
        self.text.installEventFilter(self)
        layout.addWidget(self.text)

    def _on_clicked(self, _button: QAbstractButton) -> None:
        chosen = [value for value, button in self.buttons.items() if button.isChecked()]
        if self.question.type == "multi_choice":
            self._send(chosen or None)  # codebook order; nothing ticked clears the answer
        else:
            self._send(chosen[0] if chosen else None)

    def _send(self, value: Any) -> None:
        if value != self._shown:
            self._answer(self.question.name, value)

    def flush(self) -> None:
        """Commit the text typed into a text question (on leaving the field)."""
        if self.text is not None:
            typed = self.text.toPlainText()
            self._send(typed if typed.strip() else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.text and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return super().eventFilter(watched, event)

    def show(self, value: Any, keep_typing: bool = False) -> None:
        """Show the stored ``value``; ``keep_typing`` keeps text the coder is typing
        (another answer of the same article refreshed the form)."""
        if self.text is not None:
            typing = (
                keep_typing
                and self.text.hasFocus()
                and self.text.toPlainText() != (self._shown or "")
            )
            stored = value if isinstance(value, str) else ""
            if not typing and self.text.toPlainText() != stored:
                self.text.blockSignals(True)
                self.text.setPlainText(stored)
                self.text.blockSignals(False)
        else:
            chosen = set(value) if isinstance(value, list) else {value}
            self.group.setExclusive(False)  # an exclusive group cannot show "no answer"
            for option_value, button in self.buttons.items():
                button.blockSignals(True)
                button.setChecked(option_value in chosen)
                button.blockSignals(False)
            self.group.setExclusive(self.question.type != "multi_choice")
            if self.clear_button is not None:
                self.clear_button.setEnabled(value is not None)
        self._shown = value
        self.mark(self.question.required and is_empty(value))

    def title(self) -> str:
        """The prompt as shown, with " *" while a required question is unanswered."""
        return self.prompt.text()

    def mark(self, missing: bool) -> None:
        """Prompt with " *", bold in the warning colour, while a required question is
        unanswered."""
        if self.box.property("missing") == missing:
            return  # restyling on every edit is costly and changes nothing
        self._missing = missing
        prompt = self.question.prompt or title_of(self.question.name)
        self.prompt.setText(prompt + (" *" if missing else ""))
        self.box.setProperty("missing", missing)
        self.prompt.setStyleSheet(
            f"color: {WARNING_COLOR}; font-weight: bold;" if missing else ""
        )


class QuestionForm(QWidget):
    """Answers the current article's questions through ``controller``."""

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionForm")
        self.setAccessibleName("Article questions")
        self._controller = controller
        self.groups: dict[str, QuestionGroup] = {}
        self._shown_article: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("questionScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(self.scroll_area)
        controller.project_opened.connect(self._build)
        controller.article_opened.connect(lambda _bundle: self._fill_and_scroll())
        controller.article_leaving.connect(self._flush)
        controller.article_changed.connect(lambda _changes: self._fill())
        self._build()

    def group(self, name: str) -> QuestionGroup | None:
        """The inputs of question ``name``."""
        return self.groups.get(name)

    def _build(self) -> None:
        page = QWidget()
        page.setObjectName("questionPage")
        column = QVBoxLayout(page)
        self.groups = {}
        project = self._controller.project
        for question in () if project is None else project.codebook.questions:
            group = QuestionGroup(question, self._answer, page)
            column.addWidget(group.box)
            self.groups[question.name] = group
        column.addStretch(1)
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll_area.setWidget(page)
        self._fill()

    def _flush(self) -> None:
        """Commit text still being typed before the article changes."""
        for group in self.groups.values():
            group.flush()

    def _fill(self) -> None:
        bundle = self._controller.bundle
        self.scroll_area.setEnabled(bundle is not None)
        article_id = None if bundle is None else bundle.article.id
        same = article_id is not None and article_id == self._shown_article
        self._shown_article = article_id
        for name, group in self.groups.items():
            answer = None if bundle is None else bundle.answers.get(name)
            group.show(None if answer is None else answer.value, keep_typing=same)

    def _fill_and_scroll(self) -> None:
        """A newly opened article: its answers, scrolled to the first required question
        still unanswered (else to the top), not where the last article was left."""
        self._fill()
        bundle = self._controller.bundle
        target = None
        if bundle is not None:
            target = next(
                (g for name, g in self.groups.items()
                 if g.question.required and (bundle.answers.get(name) is None or is_empty(bundle.answers[name].value))),
                None,
            )
        page = self.scroll_area.widget()
        layout = page.layout() if page is not None else None
        if layout is not None:
            layout.activate()  # positions are right before the dock is shown again
        bar = self.scroll_area.verticalScrollBar()
        first = next(iter(self.groups.values()), None)
        bar.setValue(0 if target is None or target is first else max(0, target.box.y() - 6))

    def first_visible_question(self) -> str | None:
        """The question whose box is at the top of the visible part (for tests)."""
        top = self.scroll_area.verticalScrollBar().value()
        return next((name for name, g in self.groups.items() if g.box.y() + g.box.height() > top), None)

    def _answer(self, question: str, value: Any) -> None:
        if not self._controller.set_answer(question, value):
            self._fill()  # refused: show what is stored
