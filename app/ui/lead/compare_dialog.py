"""One disagreement opened on its article: coder A's spans as fills, coder B's as outlines."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.services.agreement.report import Disagreement
from app.services.comparison import coder_spans
from app.services.projects import Project
from app.ui.lead.compare_view import CompareView, Marked


def pick_coders(disagreement: Disagreement) -> tuple[str, str]:
    """The two coders to show: for differing values, two who gave different ones."""
    values = disagreement.values
    if disagreement.kind == "value":
        given = [v for v in values if v.value is not None]
        for v in given[1:]:
            if v.value != given[0].value:
                return given[0].coder, v.coder
    return values[0].coder, values[1].coder if len(values) > 1 else values[0].coder


def describe(disagreement: Disagreement) -> str:
    parts = []
    for v in disagreement.values:
        value = "nothing" if v.value is None else str(v.value)
        where = f" \u201c{v.text}\u201d [{v.start}\u2013{v.end}]" if v.start is not None else (
            f" \u201c{v.text}\u201d" if v.text else ""
        )
        parts.append(f"{v.coder}: {value}{where}")
    return f"{disagreement.unit} ({disagreement.kind}) \u2014 " + "; ".join(parts)


class CompareDialog(QDialog):
    """Shows both coders' spans on the disagreement's article, scrolled to it."""

    def __init__(self, project: Project, disagreement: Disagreement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(f"{disagreement.article_title} \u2014 two coders")
        self.coders = pick_coders(disagreement)
        first, second = self.coders
        found = coder_spans(project, disagreement.article_id, list(dict.fromkeys(self.coders)))
        colors = {label.name: label.color for label in project.codebook.span_labels}
        self.view = CompareView(self)
        self.view.show_codings(
            found.article.text,
            (Marked(a.start, a.end, a.label) for a in found.spans[first]),
            (Marked(a.start, a.end, a.label) for a in found.spans[second]) if second != first else (),
            colors,
        )
        starts = [v.start for v in disagreement.values if v.start is not None]
        if starts:
            self.view.scroll_to(min(starts))
        legend = QLabel(f"<b>{first}</b>: filled \u2003 <b>{second}</b>: outlined")
        detail = QLabel(describe(disagreement))
        detail.setObjectName("disagreementDetail")
        detail.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(legend)
        layout.addWidget(detail)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(820, 600)
