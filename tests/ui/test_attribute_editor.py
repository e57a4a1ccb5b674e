"""The attribute editor writes each gesture to the project file at once, undo restores
the file and the form, required attributes stay marked until filled, and the form is
not rebuilt (focus is not lost) while the coder edits one annotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit

from app.core.codebook import default_codebook_path
from app.services.projects import open_project

TEXT = (
    "VARNOVKA, March 3 — Anton Korolev, a lawyer in Moscow, said 40 migrants were "
    "forced to sign army contracts.\n\nThe Ministry of Defence denied the report."
)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """One article, coded with the study's codebook plus one attribute of every type."""
    from app.services.importing import import_articles
    from app.services.projects import create_project

    document = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    labels = {label["name"]: label for label in document["span_labels"]}
    options = [{"value": v, "description": f"{v} tactic"} for v in ("threat", "bribe", "deception")]
    labels["Claim"]["attributes"] += [
        {"name": "tactics", "type": "multi_choice", "options": options},
        {"name": "verified", "type": "boolean"},
        {"name": "quote", "type": "text", "required": True},
        {"name": "people", "type": "number", "required": True, "min": 0, "max": 100000},
    ]
    labels["Coercion"]["attributes"].append({"name": "verified", "type": "boolean"})
    codebook = tmp_path / "rich.yaml"
    codebook.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    source = tmp_path / "article.txt"
    source.write_text(f"Migrants told to sign or be deported\n\n{TEXT}\n", encoding="utf-8")
    path = tmp_path / "rich.loupe"
    with create_project(path, codebook_path=codebook) as project:
        import_articles(project, [source])
    return path


def stored(path: Path, annotation_id: str) -> Any:
    with open_project(path) as project:
        return project.store.annotations.get(annotation_id)


def span(controller: Any, words: str) -> tuple[int, int]:
    start = controller.bundle.article.text.index(words)
    return start, start + len(words)


@pytest.fixture
def editor(qtbot: Any, controller: Any) -> Any:
    from app.ui.attribute_editor import AttributeEditor

    widget = AttributeEditor(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(combo: QComboBox, text: str) -> None:
    """Pick ``text`` as a coder does from the open list: the index moves, then activated."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def tick(qtbot: Any, box: QCheckBox) -> None:
    """Click the check box's indicator (the middle of a wide row is not part of it)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_placeholder_until_selection_then_header(editor: Any, controller: Any) -> None:
    assert editor.objectName() == "attributeEditor"
    assert editor.placeholder.isVisible()
    assert editor.placeholder.text() == "Select an annotation to edit its attributes."
    controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    assert not editor.placeholder.isVisible()
    assert editor.label_name.text() == "Actor"
    assert "Anton Korolev" in editor.span_text.text()
    controller.select(None)
    assert editor.placeholder.isVisible()


def test_single_choice_is_stored_marked_and_undone(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    actor = controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    combo = editor.field("actor_type").widget
    assert isinstance(combo, QComboBox) and combo.currentText() == "—"
    assert combo.itemData(combo.findData("police"), Qt.ItemDataRole.ToolTipRole).startswith(
        "Police"
    )
    label = editor.row_label("actor_type")
    assert label.text() == "Actor type *" and label.font().bold()
    pushed = controller.undo_stack.count()

    choose(combo, "Civil society organisation")
    assert stored(project_file, actor).attributes == {"actor_type": "civil_society_organisation"}
    assert label.text() == "Actor type" and not label.font().bold()
    assert editor.row_label("role").text() == "Role *"  # the other required one is still empty
    assert controller.undo_stack.count() == pushed + 1

    controller.undo_stack.undo()
    assert stored(project_file, actor).attributes == {}
    assert combo.currentText() == "—" and label.text() == "Actor type *"
    assert controller.undo_stack.count() == pushed + 1  # showing the undone value wrote nothing


def test_claim_fields_of_every_type(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    claim = controller.create_annotation("Claim", *span(controller, "40 migrants were forced"))
    tactics = {
        value: editor.findChild(QCheckBox, f"attribute_tactics_{value}")
        for value in ("threat", "deception")
    }
    tick(qtbot, tactics["deception"])
    tick(qtbot, tactics["threat"])
    assert stored(project_file, claim).attributes == {
        "tactics": ["threat", "deception"]
    }  # codebook order

    verified = editor.field("verified").widget
    tick(qtbot, verified)
    assert stored(project_file, claim).attributes["verified"] is True
    tick(qtbot, verified)
    assert stored(project_file, claim).attributes["verified"] is False

    quote = editor.field("quote").widget
    assert isinstance(quote, QLineEdit) and editor.row_label("quote").text() == "Quote *"
    qtbot.keyClicks(quote, "said 40 migrants")
    assert "quote" not in stored(project_file, claim).attributes  # not before Return
    qtbot.keyClick(quote, Qt.Key.Key_Return)
    assert stored(project_file, claim).attributes["quote"] == "said 40 migrants"
    assert editor.row_label("quote").text() == "Quote"

    people = editor.field("people").widget
    assert isinstance(people, QDoubleSpinBox) and people.text() == "—"
    assert people.maximum() == 100000
    people.lineEdit().selectAll()
    qtbot.keyClicks(people, "40")
    qtbot.keyClick(people, Qt.Key.Key_Return)
    value = stored(project_file, claim).attributes["people"]
    assert value == 40 and isinstance(value, int)
    assert editor.row_label("people").text() == "People"

    controller.undo_stack.undo()
    assert "people" not in stored(project_file, claim).attributes
    assert people.text() == "—" and editor.row_label("people").text() == "People *"
    controller.undo_stack.undo()
    assert "quote" not in stored(project_file, claim).attributes
    assert quote.text() == ""


def test_note_on_focus_out_and_uncertain(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    actor = controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.note.setFocus()
    qtbot.waitUntil(editor.note.hasFocus)
    qtbot.keyClicks(editor.note, "lawyer, not a recruiter")
    assert stored(project_file, actor).note == ""  # typing is not a commit
    editor.label_combo.setFocus()
    qtbot.waitUntil(lambda: not editor.note.hasFocus())
    assert stored(project_file, actor).note == "lawyer, not a recruiter"

    tick(qtbot, editor.uncertain)
    assert stored(project_file, actor).uncertain is True
    controller.undo_stack.undo()
    assert stored(project_file, actor).uncertain is False and not editor.uncertain.isChecked()
    controller.undo_stack.undo()
    assert stored(project_file, actor).note == "" and editor.note.toPlainText() == ""


def test_label_change_keeps_shared_attributes_and_rebuilds(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    claim = controller.create_annotation("Claim", *span(controller, "40 migrants were forced"))
    choose(editor.field("claim_type").widget, "Allegation")
    tick(qtbot, editor.field("verified").widget)
    assert stored(project_file, claim).attributes == {"claim_type": "allegation", "verified": True}

    choose(editor.label_combo, "Coercion")
    after = stored(project_file, claim)
    assert after.label == "Coercion" and after.attributes == {"verified": True}
    assert editor.field("claim_type") is None and editor.field("coercion_type") is not None
    assert editor.field("verified").widget.isChecked()

    controller.undo_stack.undo()
    before = stored(project_file, claim)
    assert before.label == "Claim" and before.attributes == {
        "claim_type": "allegation",
        "verified": True,
    }
    assert editor.label_combo.currentText() == "Claim"
    assert editor.field("claim_type").widget.currentText() == "Allegation"


def test_edits_do_not_rebuild_and_selection_refills(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    first = controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    combo = editor.field("actor_type").widget
    choose(combo, "Police")
    assert editor.field("actor_type").widget is combo  # same widget: focus stays put

    second = controller.create_annotation("Actor", *span(controller, "The Ministry of Defence"))
    assert editor.field("actor_type").widget.currentText() == "—"
    choose(editor.field("actor_type").widget, "State authority")
    controller.select(first)
    assert editor.field("actor_type").widget.currentText() == "Police"
    assert stored(project_file, second).attributes == {"actor_type": "state_authority"}
    assert stored(project_file, first).attributes == {"actor_type": "police"}


def test_text_typed_when_a_shortcut_changes_the_selection_is_kept(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    claim = controller.create_annotation("Claim", *span(controller, "40 migrants were forced"))
    other = controller.create_annotation("Claim", *span(controller, "denied the report"))
    controller.select(claim)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    quote = editor.field("quote").widget
    quote.setFocus()
    qtbot.waitUntil(quote.hasFocus)
    qtbot.keyClicks(quote, "forced to sign")
    controller.select(other)  # a shortcut moved on while the field still had the focus
    assert stored(project_file, claim).attributes["quote"] == "forced to sign"
    assert quote.text() == ""  # the other claim's own (empty) quote, not the typed one
    editor.note.setFocus()
    qtbot.waitUntil(editor.note.hasFocus)
    qtbot.keyClicks(editor.note, "check the date")
    controller.select(claim)
    assert stored(project_file, other).note == "check the date"
    assert editor.note.toPlainText() == "" and quote.text() == "forced to sign"
    editor.label_combo.setFocus()
    qtbot.waitUntil(lambda: not editor.note.hasFocus())
    assert stored(project_file, claim).note == ""  # leaving the field wrote nothing more


def test_text_typed_into_a_deleted_annotation_does_not_move_to_the_next(
    qtbot: Any, editor: Any, controller: Any, project_file: Path
) -> None:
    doomed = controller.create_annotation("Claim", *span(controller, "40 migrants were forced"))
    other = controller.create_annotation("Claim", *span(controller, "denied the report"))
    controller.select(doomed)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    quote = editor.field("quote").widget
    quote.setFocus()
    qtbot.waitUntil(quote.hasFocus)
    qtbot.keyClicks(quote, "typed for the deleted one")
    controller.delete_selected()
    controller.select(other)
    assert quote.text() == ""
    editor.label_combo.setFocus()
    qtbot.waitUntil(lambda: not quote.hasFocus())
    assert "quote" not in stored(project_file, other).attributes
