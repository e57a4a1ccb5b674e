"""The central panel: the article's header, a find bar and the article text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from app.services.coding import ArticleBundle
from app.ui.article_view import ArticleView
from app.ui.controller import CodingController

STATUS_TEXT = {"todo": "To do", "in_progress": "In progress", "done": "Done"}


class ArticlePanel(QWidget):
    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.header = QLabel()
        self.header.setObjectName("articleHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.view = ArticleView(controller, self)
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("findEdit")
        self.find_edit.setPlaceholderText("Find in article (Enter: next, Shift+Enter: previous)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_status = QLabel()
        close = QToolButton(autoRaise=True)
        close.setText("✕")
        close.setToolTip("Close the find bar (Esc)")
        close.clicked.connect(self.hide_find)
        self.find_bar = QWidget()
        bar = QHBoxLayout(self.find_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(self.find_status)
        bar.addWidget(close)
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.view, 1)
        controller.article_opened.connect(self._show_header)
        controller.article_changed.connect(lambda _c: self._show_header(controller.bundle))

    def _show_header(self, bundle: ArticleBundle | None) -> None:
        if bundle is None:
            self.header.clear()
            return
        article = bundle.article
        details = " · ".join(x for x in (article.source, article.published) if x)
        index = self.controller.current_index() + 1
        status = STATUS_TEXT.get(bundle.status, bundle.status)
        self.header.setText(
            f"<b>{_escape(article.title)}</b><br><span style='color:gray'>"
            f"Article {index} of {len(self.controller.order)}"
            f"{' · ' + _escape(details) if details else ''} · {status}</span>"
        )

    def show_find(self) -> None:
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def hide_find(self) -> None:
        self.find_bar.hide()
        self.view.setFocus()

    def find_next(self, backward: bool = False) -> bool:
        text = self.find_edit.text()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.view.find(text, flags)
        if not found:  # wrap around
            cursor = self.view.textCursor()
            cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
            self.view.setTextCursor(cursor)
            found = self.view.find(text, flags)
        self.find_status.setText("" if found else "Not found")
        return found

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.find_bar.isVisible():
            self.hide_find()
            return
        super().keyPressEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
