"""Defects and frictions of a coder's and a lead's day, driven in the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTableView

from app.services.projects import open_project


@pytest.fixture
def window(qtbot, project_file: Path, settings_file: Path):  # noqa: ANN001, ANN201
    from app.ui.application import open_window

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    win.article_panel.view.setFocus()
    yield win
    win.close()


def in_file(path: Path) -> list:
    with open_project(path) as project:
        return [
            a for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        ]


def select_text(window, needle: str) -> tuple[int, int]:  # noqa: ANN001
    controller = window.controller
    start = controller.bundle.article.text.index(needle)
    end = start + len(needle)
    view = window.article_panel.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(controller.offsets.to_utf16(start))
    cursor.setPosition(controller.offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    return start, end


def click_at(qtbot, window, offset: int) -> None:  # noqa: ANN001
    view = window.article_panel.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.controller.offsets.to_utf16(offset))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())


def test_clicking_an_entity_inside_a_claim_selects_the_entity_not_the_claim(qtbot, window, project_file: Path) -> None:
    view, c = window.article_panel.view, window.controller
    select_text(window, "Anton Korolev, a lawyer in Moscow, said 40 migrants were forced to sign army contracts")
    qtbot.keyClick(view, Qt.Key.Key_2)  # Claim
    (claim,) = in_file(project_file)
    c.change_annotation(claim.id, attributes={"claim_type": "allegation"})
    entity = next(e for e in c.bundle.entities if c.bundle.article.text[e.start : e.end] == "Moscow")
    click_at(qtbot, window, entity.start + 1)
    assert view.current_entity == entity and c.selected_id is None
    qtbot.keyClick(view, Qt.Key.Key_1)  # codes the entity, leaves the claim alone
    by_label = {a.label: a for a in in_file(project_file)}
    assert (by_label["Actor"].start, by_label["Actor"].end) == (entity.start, entity.end)
    assert by_label["Claim"].attributes == {"claim_type": "allegation"}


def test_a_second_click_cycles_to_the_enclosing_claim_and_relabel_says_so_and_undoes(
    qtbot, window, project_file: Path
) -> None:
    view, c = window.article_panel.view, window.controller
    select_text(window, "Anton Korolev, a lawyer in Moscow, said 40 migrants were forced to sign army contracts")
    qtbot.keyClick(view, Qt.Key.Key_2)
    (claim,) = in_file(project_file)
    c.change_annotation(claim.id, attributes={"claim_type": "allegation"})
    offset = c.bundle.article.text.index("Moscow") + 1
    click_at(qtbot, window, offset)
    assert c.selected_id is None and view.current_entity is not None
    click_at(qtbot, window, offset)
    assert c.selected_id == claim.id and view.current_entity is None
    qtbot.keyClick(view, Qt.Key.Key_1)
    (changed,) = in_file(project_file)
    assert changed.label == "Actor"
    assert "Claim \u2192 Actor" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    (restored,) = in_file(project_file)
    assert restored.label == "Claim" and restored.attributes == {"claim_type": "allegation"}


def test_a_label_key_with_nothing_selected_says_why(qtbot, window, project_file: Path) -> None:
    window.statusBar().clearMessage()
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    assert in_file(project_file) == []
    assert "select text" in window.statusBar().currentMessage().lower()


@pytest.fixture
def package_file(project_file: Path, tmp_path: Path) -> Path:
    from app.services.assignment import assign
    from app.services.packages import write_package

    with open_project(project_file) as project:
        project.store.coders.get_or_create("alice")
        assign(project, ["alice"], overlap=0.0, seed=1)
        write_package(project, "alice", tmp_path / "alice.loupe")
    return tmp_path / "alice.loupe"


def test_a_package_accepts_no_imported_articles(qtbot, package_file: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from app.cli.main import main
    from app.ui.application import open_window

    (tmp_path / "new.txt").write_text("A new headline\n\nA new body.\n", encoding="utf-8")
    with open_project(package_file) as project:
        before = project.store.counts().articles
    # The command line gets one sentence and changes nothing...
    assert main(["import", str(package_file), str(tmp_path / "new.txt")]) == 1
    err = capsys.readouterr().err
    assert "alice's package" in err and "Traceback" not in err
    with open_project(package_file) as project:
        assert project.store.counts().articles == before
    # ...and the window has no File > Import for it.
    win = open_window(package_file, "alice", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    action = win.actions_by_name["import_articles"]
    assert not action.isEnabled() and "alice's package" in action.statusTip()
    win.choose_import()
    assert "alice's package" in win.statusBar().currentMessage()
    win.close()


def test_import_stays_available_in_a_project(qtbot, window) -> None:  # noqa: ANN001
    assert window.actions_by_name["import_articles"].isEnabled()


def test_the_lead_opening_an_assigned_project_is_pointed_to_the_assignments(
    qtbot, project_file: Path, tmp_path: Path  # noqa: ANN001
) -> None:
    from app.services.assignment import assign
    from app.ui.application import open_window

    with open_project(project_file) as project:
        project.store.coders.get_or_create("alice")
        project.store.coders.get_or_create("lena", role="lead")
        assign(project, ["alice"], overlap=0.0, seed=1)
    win = open_window(project_file, "lena", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    panel = win.article_list
    assert len(win.controller.order) == 0 and panel.counts.text() == "0 of 0 done"
    assert panel.empty_banner.isVisibleTo(panel) and not panel.view.isVisibleTo(panel)
    assert "lead" in panel.empty_text.text() and panel.assignments_button.isVisibleTo(panel)
    assert panel.assignments_button.text() == "Open Team > Assignments\u2026"
    # Nothing to code: the Team window opens by itself on the Assignments tab, once the
    # window is up, and the status bar says why.
    assert "Team window" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.team.lead is not None and win.team.lead.isVisible())
    lead = win.team.lead
    assert lead.tabs.currentWidget() is lead.assignments
    lead.close()
    qtbot.mouseClick(panel.assignments_button, Qt.MouseButton.LeftButton)  # the banner opens it again
    assert lead.isVisible() and lead.tabs.currentWidget() is lead.assignments
    lead.close()
    win.close()


def test_the_lead_of_the_bundled_sample_without_assignments_codes_it(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """A lead alone with the sample (nothing assigned yet) codes it, and no Team window
    opens; once the team has assignments, opening it again brings the Team window."""
    from app.services.assignment import assign
    from app.services.sample import ensure_sample_project
    from app.ui.application import open_window

    sample = ensure_sample_project(tmp_path / "data")
    with open_project(sample) as project:
        project.store.coders.get_or_create("lena", role="lead")
    win = open_window(sample, "lena", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    assert len(win.controller.order) and win.controller.bundle is not None
    assert not win.article_list.empty_banner.isVisibleTo(win.article_list)
    qtbot.wait(50)
    assert win.team.lead is None
    win.close()

    with open_project(sample) as project:
        project.store.coders.get_or_create("alice")
        assign(project, ["alice"], overlap=0.0, seed=1)
    win = open_window(sample, "lena", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    assert win.controller.bundle is None and win.article_list.empty_banner.isVisibleTo(win.article_list)
    qtbot.waitUntil(lambda: win.team.lead is not None and win.team.lead.isVisible())
    assert win.team.lead.tabs.currentWidget() is win.team.lead.assignments
    win.close()
    assert win.team.lead is None  # closing the coding window closes the Team window


def test_an_empty_list_shows_its_dock_even_if_it_was_closed(qtbot, project_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """The pointer is in the article list: a dock closed last time is shown again."""
    from app.services.assignment import assign
    from app.ui.application import open_window

    with open_project(project_file) as project:
        project.store.coders.get_or_create("alice")
        assign(project, ["alice"], overlap=0.0, seed=1)
    win = open_window(project_file, "alice", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    win.articles_dock.close()
    win.close()
    win = open_window(project_file, "bob", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    assert win.articles_dock.isVisible() and win.article_list.empty_banner.isVisibleTo(win.article_list)
    assert "assigned to bob" in win.article_list.empty_text.text()
    qtbot.wait(50)
    assert win.team.lead is None  # a coder is pointed to Team > Assignments, not sent there
    win.close()


def test_a_coder_with_no_assignment_is_told_so(qtbot, project_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from app.services.assignment import assign
    from app.ui.application import open_window

    with open_project(project_file) as project:
        project.store.coders.get_or_create("alice")
        assign(project, ["alice"], overlap=0.0, seed=1)
    win = open_window(project_file, "bob", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    panel = win.article_list
    assert panel.empty_banner.isVisibleTo(panel)
    assert "No article of this project is assigned to bob" in panel.empty_text.text()
    win.close()


def test_a_list_with_articles_shows_no_banner(qtbot, window) -> None:  # noqa: ANN001
    panel = window.article_list
    assert not panel.empty_banner.isVisibleTo(panel) and panel.view.isVisibleTo(panel)


def test_del_and_backspace_in_the_annotation_table_delete_and_undo(qtbot, window, project_file: Path) -> None:  # noqa: ANN001
    select_text(window, "Anton Korolev")
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    table = window.annotation_table.view
    table.setFocus()
    for key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
        window.controller.select(in_file(project_file)[0].id)
        qtbot.keyClick(table, key)
        assert in_file(project_file) == []
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(in_file(project_file)) == 1


def test_the_annotation_tables_context_menu_deletes_and_changes_the_label(qtbot, window, project_file: Path) -> None:  # noqa: ANN001
    select_text(window, "Anton Korolev")
    qtbot.keyClick(window.article_panel.view, Qt.Key.Key_1)
    menu = window.annotation_table.context_menu()
    assert menu is not None
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert texts == ["Delete Annotation", "Change Label"]
    change = menu.findChild(type(menu), "changeLabelMenu")
    by_name = {a.objectName(): a for a in change.actions()}
    assert not by_name["changeLabel_Actor"].isEnabled()
    by_name["changeLabel_Claim"].trigger()
    (annotation,) = in_file(project_file)
    assert annotation.label == "Claim"
    assert "Actor \u2192 Claim" in window.statusBar().currentMessage()
    window.annotation_table.context_menu().actions()[0].trigger()
    assert in_file(project_file) == []


def test_the_questions_open_at_the_top_for_each_article(qtbot, window) -> None:  # noqa: ANN001
    form = window.question_form
    window.show()
    qtbot.waitExposed(window)
    form.parentWidget().raise_()
    form.scroll_area.setFixedHeight(120)
    qtbot.waitUntil(lambda: form.scroll_area.verticalScrollBar().maximum() > 0)
    bar = form.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    window.controller.go_relative(1)
    assert bar.value() == 0 and form.first_visible_question() == "relevance"
    window.controller.set_answer("relevance", "yes")
    bar.setValue(bar.maximum())
    window.controller.go_relative(-1)
    assert bar.value() == 0


def test_time_on_an_article_is_written_every_half_minute(qtbot, project_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from app.services.assignment import assign, assignment_summary
    from app.ui.application import open_window
    from app.ui.controller import TIME_FLUSH_MS

    with open_project(project_file) as project:
        project.store.coders.get_or_create("ana")
        assign(project, ["ana"], overlap=0.0, seed=1)
    win = open_window(project_file, "ana", settings_path=tmp_path / "s.ini")
    qtbot.addWidget(win)
    c = win.controller
    assert c.time_timer.isActive() and c.time_timer.interval() == TIME_FLUSH_MS <= 30_000
    c._opened_at -= 45  # 45 s on the article, then the app is killed: nothing closes it
    c.time_timer.setInterval(10)
    with qtbot.waitSignal(c.time_timer.timeout, timeout=2000):
        pass
    with open_project(project_file) as project:
        (load,) = [x for x in assignment_summary(project) if x.name == "ana"]
    assert 44 <= load.seconds_spent <= 50
    c._opened_at -= 20 * 60  # a window left open: a visit still counts 15 minutes at most
    c.flush_time()
    c.flush_time()
    with open_project(project_file) as project:
        (load,) = [x for x in assignment_summary(project) if x.name == "ana"]
    assert load.seconds_spent <= 15 * 60 + 1
    win.close()


def test_assignments_show_minutes_and_info_says_answers(project_file: Path, capsys) -> None:  # noqa: ANN001
    import json

    from app.cli.main import main
    from app.services.assignment import assign
    from app.services.coding import record_time

    with open_project(project_file) as project:
        ana = project.store.coders.get_or_create("ana")
        assign(project, ["ana"], overlap=0.0, seed=1)
        record_time(project, project.store.articles.list()[0].id, ana.id, 4 * 60 + 10)
    assert main(["assignments", str(project_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "time"
    assert lines[1].split()[-1] == "0:04"  # 0.0 hours before
    assert main(["info", str(project_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answers"] == data["document_codes"] == 0


def test_the_shortcuts_list_shows_only_keys_a_keyboard_has(qtbot, window) -> None:  # noqa: ANN001
    from PySide6.QtGui import QKeySequence

    from app.ui.shortcuts_dialog import ShortcutsDialog, shortcut_text

    undo = window.actions_by_name["undo"]
    undo.setShortcuts([QKeySequence("Ctrl+Z"), QKeySequence("F14"), QKeySequence(Qt.Key.Key_Undo)])
    assert shortcut_text(undo) == "Ctrl+Z"
    window.show_shortcuts()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    model = dialog.findChild(QTableView).model()
    texts = [model.index(r, 1).data() or "" for r in range(model.rowCount())]
    assert "Ctrl+Z" in texts and not any("F14" in t or "Undo" in t for t in texts)



def test_in_link_mode_a_click_on_an_entity_picks_the_annotation_around_it(qtbot, window, project_file: Path) -> None:  # noqa: ANN001
    view, c = window.article_panel.view, window.controller
    select_text(window, "Anton Korolev, a lawyer in Moscow")
    qtbot.keyClick(view, Qt.Key.Key_1)
    actor_id = c.selected_id
    select_text(window, "40 migrants were forced to sign army contracts")
    qtbot.keyClick(view, Qt.Key.Key_2)
    qtbot.keyClick(view, Qt.Key.Key_L)
    click_at(qtbot, window, c.bundle.article.text.index("Moscow") + 1)
    with open_project(project_file) as project:
        (relation,) = project.store.relations.for_article(c.bundle.article.id)
    assert relation.label == "said_by" and relation.target_id == actor_id
