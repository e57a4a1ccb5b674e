"""The codebook reference, the coder choice and the shortcuts reference."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from app.core.codebook import load_default_codebook
from app.ui.codebook_dialog import CodebookDialog
from app.ui.coder_dialog import MAX_NAME_LENGTH, CoderDialog, name_problem
from app.ui.shortcuts_dialog import ShortcutsDialog, plain_text


# -- codebook ------------------------------------------------------------------------------
def test_codebook_dialog_shows_a_label_with_examples_and_option_descriptions(qtbot, qtmodeltester) -> None:  # noqa: ANN001
    codebook = load_default_codebook()
    dialog = CodebookDialog(codebook)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert not dialog.isModal()
    assert dialog.show_label("Actor")
    assert dialog.isVisible()
    text = dialog.text.toPlainText()
    actor = codebook.label("Actor")
    assert actor.examples[0] in text
    assert "actor_type" in text and "prison_administration" in text
    assert actor.attributes[0].options[0].description in text
    assert not dialog.show_label("NoSuchLabel")


def test_codebook_dialog_lists_relations_and_questions_and_filters(qtbot) -> None:  # noqa: ANN001
    codebook = load_default_codebook()
    dialog = CodebookDialog(codebook)
    qtbot.addWidget(dialog)
    assert dialog.show_entry("relation", "said_by")
    assert "Claim → Actor" in dialog.text.toPlainText()
    assert dialog.show_entry("question", "relevance")
    assert codebook.question("relevance").prompt in dialog.text.toPlainText()
    qtbot.keyClicks(dialog.filter, "said_by")
    groups = [dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())]
    assert groups == ["Relation types"]


# -- coder ---------------------------------------------------------------------------------
def test_name_rules() -> None:
    assert name_problem("   ") is not None
    assert name_problem("x" * (MAX_NAME_LENGTH + 1)) is not None
    assert name_problem("a\tb") is not None
    assert name_problem("  Ana Petrova ") is None
    assert name_problem("x" * MAX_NAME_LENGTH) is None


def test_ok_is_disabled_until_the_name_is_valid_and_the_name_is_trimmed(qtbot) -> None:  # noqa: ANN001
    dialog = CoderDialog(["ana", "boris"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, " Chiara ")
    assert dialog.ok_button.isEnabled()
    assert dialog.name() == "Chiara"
    dialog.name_edit.setText("x" * (MAX_NAME_LENGTH + 1))
    assert not dialog.ok_button.isEnabled() and dialog.hint.text()


def test_picking_a_listed_coder_and_case_insensitive_match(qtbot) -> None:  # noqa: ANN001
    dialog = CoderDialog(["boris", "ana"], remembered="boris")
    qtbot.addWidget(dialog)
    assert dialog.list_model.stringList() == ["ana", "boris"]
    assert dialog.name_edit.text() == "boris" and dialog.ok_button.isEnabled()
    dialog.list.setCurrentIndex(dialog.list_model.index(0))
    assert dialog.name() == "ana"
    dialog.name_edit.setText("ANA ")
    assert dialog.name() == "ana"  # not a second coder who differs only in case
    assert dialog.list.selectionModel().selectedRows()[0].row() == 0


def test_ask_returns_the_typed_name_or_none(qtbot) -> None:  # noqa: ANN001
    def type_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CoderDialog)
        qtbot.keyClicks(dialog.name_edit, "  Dana ")
        dialog.ok_button.click()

    QTimer.singleShot(0, type_and_accept)
    assert CoderDialog.ask(None, ["ana"], None) == "Dana"

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CoderDialog)
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert CoderDialog.ask(None, ["ana"], "ana") is None


# -- shortcuts -----------------------------------------------------------------------------
def test_shortcuts_are_listed_by_menu_and_filtered(qtbot, qtmodeltester) -> None:  # noqa: ANN001
    owner = QWidget()
    qtbot.addWidget(owner)
    edit_menu = QMenu("&Edit", owner)
    undo = edit_menu.addAction("&Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    delete = edit_menu.addAction("&Delete annotation")
    delete.setShortcuts([QKeySequence("Delete"), QKeySequence("Backspace")])
    go_menu = QMenu("&Go", owner)
    nxt = go_menu.addAction("Next &unfinished article")
    nxt.setShortcut(QKeySequence("Ctrl+Shift+N"))
    quiet = go_menu.addAction("No shortcut")
    redo = edit_menu.addAction("&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    loose = QAction("Rock && roll", owner)
    loose.setShortcut(QKeySequence("F9"))

    dialog = ShortcutsDialog([undo, delete, redo, nxt, quiet, loose], owner)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    native = QKeySequence("Ctrl+Z").toString(QKeySequence.SequenceFormat.NativeText)
    rows = dialog.rows()
    assert rows[0] == ("Edit", "") and ("Undo", native) in rows
    delete_keys = dict(rows)["Delete annotation"]
    assert "Del" in delete_keys and "Backspace" in delete_keys and ", " in delete_keys
    assert ("Rock & roll", "F9") in rows and ("Other", "") in rows
    assert "No shortcut" not in dict(rows)
    redo_keys = [QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in ("Ctrl+Y", "Ctrl+Shift+Z")]
    assert dict(rows)["Redo"] == ", ".join(redo_keys)  # each key once
    assert dialog.view.columnSpan(0, 0) == 2  # a menu header spans both columns

    qtbot.keyClicks(dialog.filter, "unfinished")
    assert dialog.rows() == [("Go", ""), ("Next unfinished article", dict(rows)["Next unfinished article"])]
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "f9")
    assert [text for text, _ in dialog.rows()] == ["Other", "Rock & roll"]
    assert plain_text("Save && &Close") == "Save & Close"
