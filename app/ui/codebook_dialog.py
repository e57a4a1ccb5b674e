"""The codebook as a reference the coder keeps open beside the article.

Coders look up a definition many times an hour, so the dialog is modeless, remembers
nothing it could get wrong (it renders the project's codebook as stored) and can be
pointed at one label from the palette. The codebook is static while a project is
open, so a QStandardItemModel holds it. GUI thread only.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook import Attribute, Codebook, Option, Question, RelationType, SpanLabel
from app.ui.colors import label_color, swatch_icon

#: "label:Actor", "relation:said_by" or "question:relevance"; None on group headers.
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
#: Everything the filter box searches: name, description, options.
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2

GROUPS = (("label", "Span labels"), ("relation", "Relation types"), ("question", "Questions"))


def _options_html(options: tuple[Option, ...]) -> str:
    if not options:
        return ""
    items = "".join(
        f"<li><b>{escape(o.value)}</b>"
        + (f" — {escape(o.description)}" if o.description else "")
        + "</li>"
        for o in options
    )
    return f"<ul>{items}</ul>"


def _attributes_html(attributes: tuple[Attribute, ...]) -> str:
    if not attributes:
        return ""
    parts = ["<h3>Attributes</h3>"]
    for attribute in attributes:
        kind = attribute.type.replace("_", " ") + (", required" if attribute.required else "")
        parts.append(f"<p><b>{escape(attribute.name)}</b> <i>({escape(kind)})</i>")
        if attribute.description:
            parts.append(f"<br>{escape(attribute.description)}")
        parts.append("</p>" + _options_html(attribute.options))
    return "".join(parts)


def label_html(label: SpanLabel) -> str:
    examples = "".join(f"<li>“{escape(e)}”</li>" for e in label.examples)
    return (
        f"<h2><span style='color:{escape(label_color(label.color).name())}'>■</span> "
        f"{escape(label.name)}</h2><p><i>Span label, key {escape(label.key)}</i></p>"
        f"<p>{escape(label.description)}</p>"
        + (f"<h3>Examples</h3><ul>{examples}</ul>" if examples else "")
        + _attributes_html(label.attributes)
    )


def relation_html(relation: RelationType) -> str:
    arrow = "→" if relation.directed else "↔"
    ends = f"{', '.join(relation.source)} {arrow} {', '.join(relation.target)}"
    return (
        f"<h2>{escape(relation.name)}</h2><p><i>Relation type: {escape(ends)}</i></p>"
        f"<p>{escape(relation.description)}</p>" + _attributes_html(relation.attributes)
    )


def question_html(question: Question) -> str:
    kind = question.type.replace("_", " ") + (", required" if question.required else "")
    return (
        f"<h2>{escape(question.name)}</h2><p><i>Article question ({escape(kind)})</i></p>"
        f"<p><b>{escape(question.prompt)}</b></p><p>{escape(question.description)}</p>"
        + _options_html(question.options)
    )


def overview_html(codebook: Codebook) -> str:
    return (
        f"<h2>{escape(codebook.name)}</h2><p><i>Version {escape(codebook.version)}</i></p>"
        f"<p>{escape(codebook.description)}</p>"
    )


def _search_text(*parts: str) -> str:
    return "\n".join(parts)


def codebook_model(codebook: Codebook, parent: QWidget | None = None) -> QStandardItemModel:
    """Three groups (span labels, relation types, questions) of read-only entries."""
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels(["Codebook"])
    entries: dict[str, list[tuple[str, str, QStandardItem]]] = {"label": [], "relation": [], "question": []}
    for label in codebook.span_labels:
        item = QStandardItem(swatch_icon(label_color(label.color)), f"{label.key}  {label.name}")
        options = " ".join(o.value for a in label.attributes for o in a.options)
        entries["label"].append((label.name, _search_text(label.name, label.description, options), item))
    for relation in codebook.relation_types:
        item = QStandardItem(relation.name)
        entries["relation"].append((relation.name, _search_text(relation.name, relation.description), item))
    for question in codebook.questions:
        item = QStandardItem(question.name)
        item.setToolTip(question.prompt)
        text = _search_text(question.name, question.prompt, question.description)
        entries["question"].append((question.name, text, item))
    for kind, title in GROUPS:
        group = QStandardItem(title)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setData(title, SEARCH_ROLE)
        for name, text, item in entries[kind]:
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData(f"{kind}:{name}", ENTRY_ROLE)
            item.setData(text, SEARCH_ROLE)
            group.appendRow(item)
        if group.rowCount():
            model.appendRow(group)
    return model


class CodebookDialog(QDialog):
    """Browse the codebook: entries on the left, the selected one's full text on the right."""

    def __init__(self, codebook: Codebook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codebookDialog")
        self.setModal(False)
        self.resize(820, 560)
        self._codebook = codebook

        self.filter = QLineEdit(self)
        self.filter.setObjectName("codebookFilter")
        self.filter.setPlaceholderText("Search the codebook")
        self.filter.setClearButtonEnabled(True)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.tree = QTreeView(self)
        self.tree.setObjectName("codebookEntries")
        self.tree.setAccessibleName("Codebook entries")
        self.tree.setHeaderHidden(True)
        self.tree.setModel(self.proxy)
        self.text = QTextBrowser(self)
        self.text.setObjectName("codebookText")
        self.text.setAccessibleName("Definition")
        self.text.setOpenLinks(False)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.tree)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 580])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

        self.filter.textChanged.connect(self._on_filter_changed)
        self.set_codebook(codebook)

    def set_codebook(self, codebook: Codebook) -> None:
        """Show ``codebook`` (another project was opened)."""
        self._codebook = codebook
        self.setWindowTitle(f"Codebook — {codebook.name} (version {codebook.version})")
        old = self.proxy.sourceModel()
        self.model = codebook_model(codebook, self)
        self.proxy.setSourceModel(self.model)
        if old is not None:
            old.deleteLater()
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.expandAll()
        self.text.setHtml(overview_html(codebook))

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(ENTRY_ROLE)
        if entry is None:
            self.text.setHtml(overview_html(self._codebook))
            return
        kind, name = str(entry).split(":", 1)
        if kind == "label":
            self.text.setHtml(label_html(self._codebook.label(name)))
        elif kind == "relation":
            self.text.setHtml(relation_html(self._codebook.relation_type(name)))
        else:
            self.text.setHtml(question_html(self._codebook.question(name)))

    def show_entry(self, kind: str, name: str) -> bool:
        """Select an entry ("label", "relation" or "question") and bring the dialog up.
        False if the codebook has no such entry."""
        self.filter.clear()
        matches = self.proxy.match(
            self.proxy.index(0, 0), ENTRY_ROLE, f"{kind}:{name}", 1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        if not matches:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.tree.selectionModel().setCurrentIndex(matches[0], flags)
        self.tree.scrollTo(matches[0])
        self.show()
        self.raise_()
        self.activateWindow()
        return True

    def show_label(self, name: str) -> bool:
        """Select the span label ``name`` and bring the dialog up."""
        return self.show_entry("label", name)
