"""The question form writes each answer to the project file at once (a choice, an
ordinal step, a multi_choice list in codebook order, text on leaving the field),
clears answers, marks required questions until answered, and undo restores both the
file and the form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QScrollArea

from app.core.codebook import default_codebook_path
from app.services.projects import open_project
from app.ui.question_form import FlowLayout


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """Two articles, coded with the study's codebook plus a multi_choice and a text question."""
    from app.services.importing import import_articles
    from app.services.projects import create_project

    document = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    document["questions"] += [
        {
            "name": "outlets",
            "type": "multi_choice",
            "prompt": "Where did it appear?",
            "options": [{"value": v} for v in ("print", "online", "broadcast")],
        },
        {
            "name": "remarks",
            "type": "text",
            "prompt": "Anything else?",
            "description": "Free text.",
        },
    ]
    codebook = tmp_path / "questions.yaml"
    codebook.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    sources = []
    for i, body in enumerate(("Migrants were told to sign.", "Prisoners were promised pardons.")):
        sources.append(tmp_path / f"{i}.txt")
        sources[-1].write_text(f"Headline {i}\n\n{body}\n", encoding="utf-8")
    path = tmp_path / "questions.loupe"
    with create_project(path, codebook_path=codebook) as project:
        import_articles(project, sources)
    return path


def answers(path: Path, controller: Any) -> dict[str, Any]:
    with open_project(path) as project:
        stored = project.store.answers.for_article(
            controller.bundle.article.id, controller.coder.id
        )
    return {name: answer.value for name, answer in stored.items()}


def click(qtbot: Any, button: QAbstractButton) -> None:
    """Click the indicator (the middle of a wide row is not part of the button)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


@pytest.fixture
def form(qtbot: Any, controller: Any) -> Any:
    from app.ui.question_form import QuestionForm

    widget = QuestionForm(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def button(form: Any, name: str, value: str) -> QAbstractButton:
    found = form.findChild(QAbstractButton, f"question_{name}_{value}")
    assert found is not None, (name, value)
    return found


def test_one_group_per_question_in_a_scroll_area(form: Any) -> None:
    assert form.objectName() == "questionForm" and form.accessibleName() == "Article questions"
    assert isinstance(form.scroll_area, QScrollArea) and form.scroll_area.widget().isAncestorOf(
        form.group("relevance").box
    )
    assert list(form.groups) == [
        "relevance",
        "main_coercion_type",
        "sourcing",
        "outlets",
        "remarks",
    ]
    relevance = form.group("relevance")
    assert relevance.title().startswith("Does the article report people")
    assert "Answer yes if" in relevance.box.toolTip()


def test_long_prompts_wrap_in_a_narrow_dock(qtbot: Any, form: Any) -> None:
    group = form.group("relevance")
    form.resize(260, 400)
    qtbot.waitUntil(lambda: group.box.width() <= form.scroll_area.viewport().width())
    assert group.title() == group.question.prompt + " *"  # whole, never elided
    assert group.prompt.wordWrap()
    assert group.box.minimumSizeHint().width() <= form.scroll_area.viewport().width()
    assert not form.scroll_area.horizontalScrollBar().isVisible()


def test_single_choice_answer_clear_and_undo(
    qtbot: Any, form: Any, controller: Any, project_file: Path
) -> None:
    box = form.group("relevance")
    assert box.title().endswith(" *")
    click(qtbot, button(form, "relevance", "yes"))
    assert answers(project_file, controller) == {"relevance": "yes"}
    assert not box.title().endswith(" *")

    clear = form.findChild(QAbstractButton, "question_relevance_clear")
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert answers(project_file, controller) == {}
    assert not button(form, "relevance", "yes").isChecked() and box.title().endswith(" *")

    controller.undo_stack.undo()
    assert answers(project_file, controller) == {"relevance": "yes"}
    assert button(form, "relevance", "yes").isChecked() and not box.title().endswith(" *")
    controller.undo_stack.undo()
    assert answers(project_file, controller) == {}
    assert not any(b.isChecked() for b in form.group("relevance").buttons.values())


def test_ordinal_is_a_horizontal_scale(
    qtbot: Any, form: Any, controller: Any, project_file: Path
) -> None:
    form.resize(900, 600)  # a wide dock: one row (a narrow one wraps it, see test_long_texts)
    group = form.group("sourcing")
    qtbot.waitUntil(lambda: group.box.width() > 600)
    assert list(group.buttons) == [
        "unsourced",
        "single_source",
        "several_sources",
        "independently_confirmed",
    ]
    lowest, highest = group.buttons["unsourced"], group.buttons["independently_confirmed"]
    assert lowest.mapTo(form, QPoint(0, 0)).x() < highest.mapTo(form, QPoint(0, 0)).x()
    assert lowest.mapTo(form, QPoint(0, 0)).y() == highest.mapTo(form, QPoint(0, 0)).y()
    assert isinstance(lowest.parentWidget().layout().itemAt(1).layout(), FlowLayout)
    assert group.buttons["single_source"].toolTip() == "One source, named or anonymous."
    click(qtbot, group.buttons["several_sources"])
    click(qtbot, highest)
    assert answers(project_file, controller) == {"sourcing": "independently_confirmed"}
    assert not group.buttons["several_sources"].isChecked()


def test_multi_choice_is_a_list_in_codebook_order(
    qtbot: Any, form: Any, controller: Any, project_file: Path
) -> None:
    click(qtbot, button(form, "outlets", "broadcast"))
    click(qtbot, button(form, "outlets", "print"))
    assert answers(project_file, controller) == {"outlets": ["print", "broadcast"]}
    click(qtbot, button(form, "outlets", "broadcast"))
    click(qtbot, button(form, "outlets", "print"))
    assert answers(project_file, controller) == {}  # nothing ticked clears the answer
    controller.undo_stack.undo()
    assert answers(project_file, controller) == {"outlets": ["print"]}
    assert (
        button(form, "outlets", "print").isChecked()
        and not button(form, "outlets", "broadcast").isChecked()
    )


def test_text_is_committed_on_leaving_the_field(
    qtbot: Any, form: Any, controller: Any, project_file: Path
) -> None:
    text = form.group("remarks").text
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    text.setFocus()
    qtbot.waitUntil(text.hasFocus)
    qtbot.keyClicks(text, "Second report this week")
    assert answers(project_file, controller) == {}
    button(form, "relevance", "yes").setFocus()
    qtbot.waitUntil(lambda: not text.hasFocus())
    assert answers(project_file, controller) == {"remarks": "Second report this week"}
    controller.undo_stack.undo()
    assert answers(project_file, controller) == {} and text.toPlainText() == ""


def test_each_article_shows_its_own_answers(
    qtbot: Any, form: Any, controller: Any, project_file: Path
) -> None:
    click(qtbot, button(form, "relevance", "no"))
    controller.go_relative(1)
    assert not button(form, "relevance", "no").isChecked()
    assert answers(project_file, controller) == {}
    controller.go_relative(-1)
    assert button(form, "relevance", "no").isChecked()
    assert controller.undo_stack.count() == 1  # showing answers wrote nothing

