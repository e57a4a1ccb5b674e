"""Team > Edit Codebook in the real window, on a project coded by two coders: a rename and
a new option saved as a new version migrate the coding and refresh the window; an invalid
edit says why and keeps Save off; deleting a coded label asks first, counting its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from app.services.assignment import add_coder
from app.services.codebook_versions import history
from app.services.projects import open_project
from tests.services.test_codebook_versions import coded_project


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = coded_project(tmp_path_factory.mktemp("study"))
    with open_project(path) as project:
        add_coder(project, "lea", "lead")
    return path


@pytest.fixture
def window(qtbot, study: Path, tmp_path: Path):  # noqa: ANN001, ANN201
    from app.ui.application import open_window

    path = tmp_path / "study.loupe"
    with sqlite3.connect(study) as source, sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    target.close()
    win = open_window(path, "lea", settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(win)
    yield win
    win.close()


def open_editor(qtbot, window):  # noqa: ANN001, ANN201
    from app.ui.lead.codebook_editor import CodebookEditorDialog

    action = window.actions_by_name["team_edit_codebook"]
    assert action in window.menus.team.actions() and action.isEnabled()
    action.trigger()
    editor = window.findChild(CodebookEditorDialog, "codebookEditor")
    qtbot.waitExposed(editor)
    return editor


def type_into(qtbot, field: QWidget, text: str) -> None:  # noqa: ANN001
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(field, text)


def labels_in_file(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT label, count(*) FROM annotation WHERE deleted_at IS NULL GROUP BY label").fetchall()
    conn.close()
    return dict(rows)


def test_rename_a_label_and_add_an_option_then_save(qtbot, window) -> None:  # noqa: ANN001
    path = window.controller.project_path
    assert labels_in_file(path) == {"Actor": 24, "Claim": 12, "Coercion": 12}
    editor = open_editor(qtbot, window)
    assert editor.version.text() == "2"  # suggested: the next version the project has not used
    assert "--upgrade NEW.yaml --map MAP.yaml" in editor.findChild(QWidget, "codebookEditorHelp").text()

    editor.select(("span_labels", 0))
    type_into(qtbot, editor.forms["label"].fields["name"], "Agent")
    tree = editor.tree.node(("span_labels", 0))
    assert tree.text() == "Agent"
    editor.select(("span_labels", 0, "attributes", 0))
    qtbot.mouseClick(editor.buttons["addOption"], Qt.MouseButton.LeftButton)
    assert editor.path == ("span_labels", 0, "attributes", 0, "options", 13)
    type_into(qtbot, editor.forms["option"].fields["value"], "militia")
    type_into(qtbot, editor.version, "2.0")
    assert editor.save_button.isEnabled()
    assert editor.problem.text().startswith("Ready to save as version 2.0.")
    assert "label Actor \u2192 Agent" in editor.problem.text()

    exported = editor.export_yaml(path.parent / "edited.yaml")
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert list(document)[:3] == ["name", "version", "description"] and document["version"] == "2.0"
    assert document["span_labels"][0]["name"] == "Agent"
    assert document["relation_types"][0]["target"] == ["Agent"]  # the relations follow the rename

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    box = editor.findChild(QMessageBox, "codebookSaveConfirm")
    assert box is not None and box.isVisible()
    assert "version 2.0" in box.text() and "drops" not in box.text()
    assert "cannot be undone with Ctrl+Z" in box.text()
    assert "Would migrate 48 annotations, 24 relations, 24 answers" in box.informativeText()
    with qtbot.waitSignal(editor.saved, timeout=30_000):
        qtbot.mouseClick(box.findChild(QPushButton, "confirmCodebookSave"), Qt.MouseButton.LeftButton)

    assert labels_in_file(path) == {"Agent": 24, "Claim": 12, "Coercion": 12}
    with open_project(path) as project:
        versions = history(project)
        assert [v.version for v in versions] == ["1", "2.0"]
        assert versions[-1].map["labels"] == {"Actor": "Agent"}
        assert "militia" in project.codebook.label("Agent").attribute("actor_type").option_values
    # The window shows the new codebook everywhere, and Ctrl+Z cannot undo the change.
    c = window.controller
    assert c.project.codebook.version == "2.0"
    assert list(window.label_palette.buttons) == ["Agent", "Claim", "Coercion"]
    assert [a.objectName() for a in window.label_actions][0] == "label_Agent"
    assert c.undo_stack.count() == 0
    assert not editor.isVisible()
    report = window.findChild(QMessageBox, "codebookReport")
    assert report is not None and "changed from Coercion into armed service 1 to" in report.text()
    assert "Actor \u2192 Agent" in report.text()


def test_an_invalid_edit_says_why_and_keeps_save_off(qtbot, qtmodeltester, window) -> None:  # noqa: ANN001
    editor = open_editor(qtbot, window)
    qtmodeltester.check(editor.tree.items)
    assert editor.problem.text() == "Nothing has changed yet." and not editor.save_button.isEnabled()
    editor.select(("span_labels", 1))
    form = editor.forms["label"]
    type_into(qtbot, form.fields["name"], "Actor")
    assert not editor.save_button.isEnabled()
    assert editor.problem.text() == (
        "The edited codebook: span_labels[1].name: duplicate span label name 'Actor': "
        "span_labels[0] has the same name."
    )
    assert form.fields["name"].property("problem") is True
    assert editor.tree.node(("span_labels", 1)).foreground().color().name() == "#c0392b"

    type_into(qtbot, form.fields["name"], "Claim")
    type_into(qtbot, form.fields["key"], "")
    assert not editor.save_button.isEnabled()
    assert editor.problem.text().startswith("The edited codebook: span_labels[1].key: '' is not valid")
    assert form.fields["key"].property("problem") is True and form.fields["name"].property("problem") is False

    type_into(qtbot, form.fields["key"], "2")
    assert editor.problem.text() == "Nothing has changed yet." and not editor.save_button.isEnabled()
    type_into(qtbot, editor.version, "1")
    assert "already used version '1'" in editor.problem.text()
    assert editor.version.property("problem") is True

    editor.reject()  # Cancel asks before the edits are thrown away
    box = editor.findChild(QMessageBox, "codebookDiscard")
    assert box is not None and box.isVisible() and editor.isVisible()
    discard = next(b for b in box.buttons() if b.text() == "Discard Edits")
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    with open_project(window.controller.project_path) as project:
        assert [v.version for v in history(project)] == ["1"]


def test_deleting_a_coded_label_asks_first_with_its_row_count(qtbot, window) -> None:  # noqa: ANN001
    path = window.controller.project_path
    editor = open_editor(qtbot, window)
    editor.select(("span_labels", 2))
    assert editor.forms["label"].fields["name"].text() == "Coercion"
    qtbot.mouseClick(editor.buttons["removeItem"], Qt.MouseButton.LeftButton)
    # Its relation types now link nothing: removed too, one after the other.
    assert "relation_types[1].source: must not be empty" in editor.problem.text()
    for _ in range(2):
        editor.select(("relation_types", 1))
        qtbot.mouseClick(editor.buttons["removeItem"], Qt.MouseButton.LeftButton)
    assert editor.save_button.isEnabled(), editor.problem.text()
    assert "Deletes: label Coercion, relation type perpetrator, relation type target." in editor.problem.text()

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    box = editor.findChild(QMessageBox, "codebookSaveConfirm")
    assert "drops 12 annotations and 12 relations coded so far" in box.text()
    confirm = box.findChild(QPushButton, "confirmCodebookSave")
    assert confirm.text() == "Drop 12 annotations and 12 relations and Save"
    assert box.defaultButton() is not confirm
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert labels_in_file(path)["Coercion"] == 12  # nothing changed
    assert editor.isVisible() and editor.save_button.isEnabled()

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    box = [b for b in editor.findChildren(QMessageBox, "codebookSaveConfirm") if b.isVisible()][-1]
    with qtbot.waitSignal(editor.saved, timeout=30_000):
        qtbot.mouseClick(box.findChild(QPushButton, "confirmCodebookSave"), Qt.MouseButton.LeftButton)
    assert "Coercion" not in labels_in_file(path)
    assert list(window.label_palette.buttons) == ["Actor", "Claim"]


def test_a_coders_package_cannot_edit_the_codebook(qtbot, window, tmp_path: Path) -> None:  # noqa: ANN001
    from app.services.assignment import assign
    from app.services.packages import write_package

    package = tmp_path / "ana.loupe"
    with open_project(window.controller.project_path) as project:
        assign(project, ["ana"], overlap=0.0, seed=1)
        write_package(project, "ana", package)
    window.open_project(package, "ana")
    action = window.actions_by_name["team_edit_codebook"]
    assert not action.isEnabled()
    assert action.toolTip().startswith("This file is ana's package: the codebook is changed in the lead's project")
    assert window.team.edit_codebook() is None
    QApplication.processEvents()


def test_a_new_required_attribute_asks_for_a_default(qtbot, window) -> None:  # noqa: ANN001
    editor = open_editor(qtbot, window)
    editor.select(("span_labels", 1))
    qtbot.mouseClick(editor.buttons["addAttribute"], Qt.MouseButton.LeftButton)
    assert editor.path == ("span_labels", 1, "attributes", 2)
    form = editor.forms["attribute"]
    type_into(qtbot, form.fields["name"], "certainty")
    assert editor.save_button.isEnabled()  # optional: additive
    assert not form.default.isVisible()
    form.fields["required"].setChecked(True)
    assert form.default.isVisible() and not editor.save_button.isEnabled()
    assert editor.problem.text() == (
        "Saving needs a decision for 1 change: Claim.certainty is required and coded rows have no value "
        "for it (give a default for coded rows)."
    )
    assert form.default.property("problem") is True
    type_into(qtbot, form.default, "unclear")
    assert editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    box = editor.findChild(QMessageBox, "codebookSaveConfirm")
    assert "Claim.certainty: default unclear" in box.informativeText()
    with qtbot.waitSignal(editor.saved, timeout=30_000):
        qtbot.mouseClick(box.findChild(QPushButton, "confirmCodebookSave"), Qt.MouseButton.LeftButton)
    with sqlite3.connect(window.controller.project_path) as conn:
        values = conn.execute("SELECT DISTINCT json_extract(attributes, '$.certainty') FROM annotation "
                              "WHERE label = 'Claim' AND deleted_at IS NULL").fetchall()
    conn.close()
    assert values == [("unclear",)]


def test_deleting_a_coded_option_counts_the_values_it_drops(qtbot, window) -> None:  # noqa: ANN001
    editor = open_editor(qtbot, window)
    editor.select(("span_labels", 0, "attributes", 0, "options", 1))
    assert editor.forms["option"].fields["value"].text() == "armed_forces"
    qtbot.mouseClick(editor.buttons["removeItem"], Qt.MouseButton.LeftButton)
    assert editor.path == ("span_labels", 0, "attributes", 0, "options", 1)  # the next one
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    box = editor.findChild(QMessageBox, "codebookSaveConfirm")
    assert "Deleting option armed_forces of Actor.actor_type drops 12 attribute values coded so far" in box.text()
    assert box.findChild(QPushButton, "confirmCodebookSave").text() == "Drop 12 attribute values and Save"


def test_a_change_that_would_break_coded_rows_is_refused_in_one_sentence(qtbot, window) -> None:  # noqa: ANN001
    path = window.controller.project_path
    editor = open_editor(qtbot, window)
    editor.select(("relation_types", 1))  # perpetrator: Coercion -> Actor
    ends = editor.forms["relation"].ends["target"]
    assert [ends.item(i).text() for i in range(ends.count())] == ["Actor", "Claim", "Coercion"]
    ends.item(0).setCheckState(Qt.CheckState.Unchecked)
    ends.item(1).setCheckState(Qt.CheckState.Checked)
    assert editor.save_button.isEnabled(), editor.problem.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    # Every perpetrator relation coded so far points at an Actor: nothing to confirm.
    assert editor.findChild(QMessageBox, "codebookSaveConfirm") is None
    sentence = editor.problem.text()
    assert sentence.startswith("The codebook cannot change to version 2: 12 coded rows would not fit it; "
                               "nothing was changed: relation ")
    assert sentence.endswith(".") and editor.save_button.isEnabled()
    assert labels_in_file(path) == {"Actor": 24, "Claim": 12, "Coercion": 12}
    with open_project(path) as project:
        assert [v.version for v in history(project)] == ["1"]
