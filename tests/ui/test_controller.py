"""The controller: edits are committed at once, undo/redo round-trip through the file."""

from __future__ import annotations

from pathlib import Path

from app.services.projects import open_project


def stored_annotations(path: Path) -> list:
    with open_project(path) as project:
        return [
            a for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        ]


def test_create_undo_redo_is_in_the_file_each_time(controller, project_file: Path) -> None:
    text = controller.bundle.article.text
    start = text.index("Anton Korolev")
    annotation_id = controller.create_annotation("Actor", start, start + len("Anton Korolev"))
    assert annotation_id and controller.selected_id == annotation_id
    assert [a.id for a in stored_annotations(project_file)] == [annotation_id]
    controller.undo_stack.undo()
    assert stored_annotations(project_file) == []
    assert controller.selected_id is None
    controller.undo_stack.redo()
    assert [a.id for a in stored_annotations(project_file)] == [annotation_id]


def test_refused_edit_is_not_pushed_and_says_why(qtbot, controller) -> None:
    with qtbot.waitSignal(controller.refused) as blocker:
        assert controller.create_annotation("NoSuchLabel", 0, 3) is None
    assert "not a span label" in blocker.args[0]
    assert controller.undo_stack.count() == 0


def test_nudges_merge_into_one_undo_step(controller, project_file: Path) -> None:
    annotation_id = controller.create_annotation("Actor", 0, 5)
    for end in (6, 7, 8):
        controller.change_annotation(annotation_id, end=end)
    assert controller.undo_stack.count() == 2
    controller.undo_stack.undo()
    (stored,) = stored_annotations(project_file)
    assert stored.end == 5


def test_undo_of_an_edit_on_another_article_shows_that_article(controller) -> None:
    first = controller.bundle.article.id
    controller.create_annotation("Actor", 0, 5)
    controller.go_relative(1)
    assert controller.bundle.article.id != first
    controller.undo_stack.undo()
    assert controller.bundle.article.id == first
    assert controller.bundle.annotations == []


def test_text_typed_but_not_committed_is_saved_when_the_article_changes(qtbot, controller, project_file) -> None:  # noqa: ANN001
    from app.ui.attribute_editor import AttributeEditor

    editor = AttributeEditor(controller)
    qtbot.addWidget(editor)
    text = controller.bundle.article.text
    start = text.index("Anton Korolev")
    annotation_id = controller.create_annotation("Actor", start, start + len("Anton Korolev"))
    article_id = controller.bundle.article.id
    editor.note.setPlainText("typed, never left the field")
    controller.go_relative(1)  # a shortcut switches article while the note has focus
    with open_project(project_file) as project:
        assert project.store.annotations.get(annotation_id).note == "typed, never left the field"
    assert controller.bundle.article.id != article_id


def test_time_spent_on_an_article_is_recorded_when_leaving_it(controller, project_file: Path) -> None:
    first = controller.bundle.article.id
    controller._opened_at -= 42  # the coder read the first article for 42 seconds
    controller.go_relative(1)
    controller._opened_at -= 24 * 3600  # then left the window open for a day
    second = controller.bundle.article.id
    controller.close_project()
    from app.services.coding import MAX_VISIT_SECONDS

    with open_project(project_file) as project, project.store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT article_id, seconds_spent, status FROM assignment").all()
    seconds = {article: spent for article, spent, _status in rows}
    statuses = {article: status for article, _spent, status in rows}
    assert 42 <= seconds[first] < 43
    assert seconds[second] == MAX_VISIT_SECONDS
    assert statuses[first] == "todo"  # reading is not coding: the status stays
