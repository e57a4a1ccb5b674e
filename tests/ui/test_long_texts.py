"""Long texts are never cut off: a 300-character span, a 250-character prompt, nine
long ordinal options, long titles and values in the lead's tables. Panels keep their
dock's width (no horizontal scrollbar), prompts and options are whole, and choosing a
value does not move the inputs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QComboBox, QHeaderView, QLabel, QWidget

from app.core.codebook import default_codebook_path

SPAN = (
    "the regional migration office told the men in the dormitory on Sadovaya street that "
    "anyone who refused to sign a one-year contract with the defence ministry before the "
    "end of the week would lose his work permit, be detained in the temporary holding "
    "centre and be deported with a ten-year ban on returning"
)
PROMPT = (
    "Taking the article as a whole, including its headline, lead paragraph and any quoted "
    "statements from officials, relatives or rights groups, how would you describe the way "
    "the recruitment of the people it reports on was actually carried out by them?"
)
LEVELS = [
    "entirely_voluntary_enlistment",
    "voluntary_with_financial_incentives",
    "social_or_peer_pressure_reported",
    "misleading_promises_about_service",
    "implicit_threats_to_status_or_job",
    "explicit_threats_of_legal_action",
    "threat_of_deportation_or_detention",
    "physical_coercion_or_detention",
    "forcible_conscription_at_gunpoint",
]
CHOICES = [
    "civil_society_organisation_or_human_rights_group",
    "regional_migration_office_official",
    "a",
]


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """One article with a 300-character sentence, a codebook with long texts."""
    from app.services.importing import import_articles
    from app.services.projects import create_project

    assert 290 <= len(SPAN) <= 310 and 240 <= len(PROMPT) <= 260
    document = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    labels = {label["name"]: label for label in document["span_labels"]}
    labels["Claim"]["attributes"] += [
        {"name": "speaker_type", "type": "single_choice", "required": True,
         "options": [{"value": v} for v in CHOICES]},
        {"name": "stated_consequence_for_refusal", "type": "single_choice", "required": True,
         "options": [{"value": v} for v in CHOICES]},
    ]
    document["questions"] = [
        {"name": "recruitment", "type": "ordinal", "prompt": PROMPT, "required": True,
         "options": [{"value": v} for v in LEVELS]},
        {"name": "remarks", "type": "text", "prompt": PROMPT},
    ]
    codebook = tmp_path / "long.yaml"
    codebook.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    source = tmp_path / "article.txt"
    source.write_text(f"Migrants told to sign\n\nOfficials said {SPAN}.\n", encoding="utf-8")
    path = tmp_path / "long.loupe"
    with create_project(path, codebook_path=codebook) as project:
        import_articles(project, [source])
    return path


def fits(label: QLabel) -> bool:
    """The whole text of ``label`` is shown: wrapped, and as tall as its text needs."""
    metrics = QFontMetrics(label.font())
    needed = metrics.boundingRect(
        QRect(0, 0, label.contentsRect().width(), 100_000),
        int(Qt.TextFlag.TextWordWrap), label.text(),
    )
    return label.wordWrap() and needed.height() <= label.contentsRect().height()


def within(widget: QWidget, area: QWidget) -> bool:
    """``widget`` lies inside ``area`` horizontally and is not squeezed below its minimum."""
    left = widget.mapTo(area, QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= area.width() and (
        widget.width() >= widget.minimumSizeHint().width()
    )


@pytest.fixture
def editor(qtbot: Any, controller: Any) -> Any:
    from app.ui.attribute_editor import AttributeEditor

    widget = AttributeEditor(controller)
    qtbot.addWidget(widget)
    widget.resize(widget.sizeHint())  # the width it asks of its dock
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def select_long_claim(qtbot: Any, editor: Any, controller: Any) -> None:
    start = controller.bundle.article.text.index(SPAN)
    controller.create_annotation("Claim", start, start + len(SPAN))
    qtbot.waitUntil(lambda: editor.span_text.isVisible())


def test_a_long_span_wraps_and_the_editor_keeps_its_width(
    qtbot: Any, editor: Any, controller: Any
) -> None:
    select_long_claim(qtbot, editor, controller)
    scroll = editor.findChild(QWidget, "attributeScroll")
    qtbot.wait(10)  # let the layout settle (one event loop turn)
    page = scroll.widget()
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()
    assert editor.span_text.toolTip() == SPAN
    assert editor.span_text.text().startswith("\u201cthe regional migration office")
    assert fits(editor.span_text)
    page = scroll.viewport()
    for name in ("speaker_type", "stated_consequence_for_refusal"):
        combo = editor.field(name).widget
        assert isinstance(combo, QComboBox)
        left = combo.mapTo(page, QPoint(0, 0)).x()
        assert left >= 0 and left + combo.width() <= page.width(), name
    combo = editor.field("speaker_type").widget
    index = combo.findData(CHOICES[0])
    combo.setCurrentIndex(index)
    shown = combo.shown_text()  # elided with "…", never clipped mid-letter
    assert shown.endswith("\u2026") and combo.currentText().startswith(shown[:-1])


def test_choosing_a_value_does_not_move_the_combo_boxes(
    qtbot: Any, editor: Any, controller: Any
) -> None:
    select_long_claim(qtbot, editor, controller)
    combos = [editor.field(n).widget for n in ("speaker_type", "stated_consequence_for_refusal")]
    qtbot.wait(10)
    before = [(c.x(), c.width()) for c in combos]
    assert editor.row_label("speaker_type").text().endswith(" *")
    for combo, value in zip(combos, (CHOICES[0], CHOICES[2]), strict=True):
        index = combo.findData(value)
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
    qtbot.waitUntil(lambda: not editor.row_label("speaker_type").text().endswith(" *"))
    editor.layout().activate()
    qtbot.wait(10)
    assert [(c.x(), c.width()) for c in combos] == before


@pytest.fixture
def form(qtbot: Any, controller: Any) -> Any:
    from app.ui.question_form import QuestionForm

    widget = QuestionForm(controller)
    qtbot.addWidget(widget)
    widget.resize(320, 600)  # the right dock's width in the main window
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_long_prompt_wraps_whole(qtbot: Any, form: Any) -> None:
    qtbot.wait(10)
    assert not form.scroll_area.horizontalScrollBar().isVisible()
    for name in ("recruitment", "remarks"):
        group = form.group(name)
        assert group.prompt.text().startswith(PROMPT)  # whole, " *" while required
        assert fits(group.prompt), name
        assert within(group.box, form.scroll_area.viewport()), name


def test_nine_long_ordinal_options_flow_onto_lines(qtbot: Any, form: Any) -> None:
    qtbot.wait(10)
    group = form.group("recruitment")
    viewport = form.scroll_area.viewport()
    assert not form.scroll_area.horizontalScrollBar().isVisible()
    tops = set()
    for value, button in group.buttons.items():
        assert isinstance(button, QAbstractButton)
        assert within(button, viewport), value
        assert button.isVisible() and button.size().expandedTo(button.sizeHint()) == button.size()
        tops.add(button.mapTo(viewport, QPoint(0, 0)).y())
    assert len(tops) > 1  # wrapped, in scale order
    ys = [b.mapTo(viewport, QPoint(0, 0)).y() for b in group.buttons.values()]
    assert ys == sorted(ys)
    form.resize(2400, 600)  # a wide dock: the scale is one row again
    qtbot.waitUntil(lambda: len({b.y() for b in group.buttons.values()}) == 1)


def test_long_sources_leave_the_title_readable(qtbot: Any, controller: Any) -> None:
    from app.ui.article_list import ArticleListPanel, Column

    panel = ArticleListPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(360, 500)
    panel.show()
    qtbot.waitExposed(panel)
    from app.services.coding import ListedArticle

    rows = {
        f"a{i}": ListedArticle(
            f"a{i}", i + 1, "Contract soldiers recruited from migrant dormitories",
            "https://www.example-regional-news-agency.ru/2024/03/03/society/" + "x" * 60,
            "2024-03-03", "todo",
        )
        for i in range(3)
    }
    panel.view.setColumnHidden(Column.SOURCE, False)
    panel.model.set_reader(lambda ids: {i: rows[i] for i in ids if i in rows})
    panel.model.set_order(list(rows))
    qtbot.wait(10)
    header = panel.view.horizontalHeader()
    title = header.sectionSize(Column.TITLE)
    assert title >= panel.fontMetrics().horizontalAdvance("Contract soldiers"), title
    assert header.sectionSize(Column.SOURCE) < title
    assert header.sectionResizeMode(Column.SOURCE) == QHeaderView.ResizeMode.Interactive
    panel.resize(250, 500)  # a narrow dock: the source gives way to the title
    qtbot.waitUntil(lambda: header.sectionSize(Column.TITLE) < title)
    chars = panel.fontMetrics().averageCharWidth()
    assert header.sectionSize(Column.TITLE) >= chars * 12 - 1


def test_drill_down_values_are_resizable_and_whole_in_tooltips(qtbot: Any) -> None:
    from app.ui.lead.agreement_models import DisagreementModel
    from app.ui.tables import table

    model = DisagreementModel()
    view = table(model, "disagreements")
    qtbot.addWidget(view)
    view.resize(520, 300)
    view.show()
    qtbot.waitExposed(view)
    values = [SimpleNamespace(coder=c, value=LEVELS[i], text=SPAN[:120]) for i, c in enumerate(("ana", "ben"))]
    model.set_rows([SimpleNamespace(article_title="Contract soldiers " * 6, kind="span", unit="Claim",
                                    values=values)])
    header = view.horizontalHeader()
    assert all(
        header.sectionResizeMode(c) == QHeaderView.ResizeMode.Interactive for c in range(header.count())
    )
    cap = view.fontMetrics().averageCharWidth() * 40
    assert header.sectionSize(0) <= cap  # the title does not push the values out of view
    assert header.sectionViewportPosition(3) < view.viewport().width()
    from app.ui.tables import full_text_tip

    for column in (0, 3):
        index = model.index(0, column, QModelIndex())
        text = model.data(index)
        shown = view.visualRect(index).width() - 12
        if view.fontMetrics().horizontalAdvance(text) > shown:
            assert full_text_tip(view, index).startswith(text), column


def test_adjudication_progress_columns_are_visible(qtbot: Any) -> None:
    from app.services.adjudication import ArticleProgress
    from app.ui.lead.adjudication_panel import AdjudicationPanel

    panel = AdjudicationPanel()
    qtbot.addWidget(panel)
    panel.resize(1380, 800)  # in the lead window's default size
    panel.show()
    qtbot.waitExposed(panel)
    panel.progress.set_rows([
        ArticleProgress(f"a{i}", "Contract soldiers recruited from migrant dormitories " * 2,
                        ("ana", "ben", "cara"), 12, 7, 3, 4, 1, 3, 2, False)
        for i in range(4)
    ])
    qtbot.wait(10)
    view = panel.articles_view
    header = view.horizontalHeader()
    for column in range(header.count()):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= view.viewport().width(), column
        wanted = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
        if column:
            assert header.sectionSize(column) >= wanted, column
    assert header.sectionSize(0) >= view.fontMetrics().horizontalAdvance("Contract soldiers")
