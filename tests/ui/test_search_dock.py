"""Find in Project in the real window: search, open a hit at its match, code every
occurrence as one undo step, blinding, refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from app.services.projects import open_project
from app.ui.search_hits import KWIC_ROLE, Column, SearchHitModel, is_right_to_left, kwic_split

#: Cyrillic, Arabic and emoji (astral characters before the matches: UTF-16 != code points).
ARTICLES = [
    {
        "title": "Контракты 😀 в колонии", "source": "Meduza", "date": "2024-03-01",
        "text": "😀🎉 Заключённым предложили контракт. Контракт подписали 200 человек, сказал Антон Королёв.",
    },
    {
        "title": "عقد في دمشق", "source": "Enab Baladi", "date": "2024-05-20",
        "text": "وصل محمد إلى دمشق 🎉 ووقع العقد. قال محمد إن العقد كان سريا.",
    },
    {
        "title": "Contracts 🎉 in Moscow", "source": "Novaya Gazeta Europe", "date": "2025-01-10",
        "text": "🎉 The контракт was signed in Moscow. Another contract followed in May.",
    },
]


def make_project(tmp_path: Path) -> Path:
    from app.services.importing import import_articles
    from app.services.projects import create_project

    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    path = tmp_path / "search.loupe"
    with create_project(path) as project:
        import_articles(project, [source])
    return path


@pytest.fixture
def search_file(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def _open(qtbot, path: Path, settings_file: Path, coder: str = "ana"):  # noqa: ANN001, ANN202
    from app.ui.application import open_window

    win = open_window(path, coder, settings_path=settings_file)
    qtbot.addWidget(win)
    qtbot.waitUntil(win.isActiveWindow)  # window shortcuts reach an active window only
    return win


@pytest.fixture
def window(qtbot, search_file: Path, settings_file: Path) -> Iterator[object]:  # noqa: ANN001
    win = _open(qtbot, search_file, settings_file)
    yield win
    win.close()


def find(qtbot, window, query: str):  # noqa: ANN001, ANN201
    """Ctrl+Shift+F, type the query, Enter; returns the panel."""
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.search_panel
    assert window.search_dock.isVisible() and panel.query.hasFocus()
    panel.query.setText(query)  # QTest types ASCII only
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    return panel


def annotations_in(path: Path) -> list:
    with open_project(path) as project:
        return [
            a for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        ]


def click_row(qtbot, panel, row: int) -> None:  # noqa: ANN001
    table = panel.table
    rect = table.visualRect(panel.model.index(row, Column.TITLE))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def button(box: QMessageBox, text: str) -> QAbstractButton:
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def test_ctrl_shift_f_shows_the_dock_with_the_focus_in_the_query(qtbot, window) -> None:  # noqa: ANN001
    assert not window.search_dock.isVisible()
    assert window.actions_by_name["find_in_project"] in window.menus.edit.actions()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.search_dock.isVisible()
    qtbot.waitUntil(window.search_panel.query.hasFocus)
    assert "prefix*" in window.search_panel.query.placeholderText()


def test_a_search_lists_keyword_in_context_hits(qtbot, window, qtmodeltester) -> None:  # noqa: ANN001
    panel = find(qtbot, window, "контракт*")
    hits = panel.model.rows
    # Cyrillic in two articles, any case; the prefix takes "Контракты" (the title's line) too.
    assert [h.matched for h in hits] == ["Контракты", "контракт", "Контракт", "контракт"]
    assert panel.summary.text() == "4 hits in 2 articles."
    third = panel.model.index(2, Column.MATCH)
    assert panel.model.data(third, KWIC_ROLE) == ("", "Контракт", " подписали 200 человек, сказал Антон Королёв.")
    qtmodeltester.check(panel.model)

    panel = find(qtbot, window, "العقد")  # Arabic, twice in one article
    assert [h.matched for h in panel.model.rows] == ["العقد", "العقد"]
    assert panel.summary.text() == "2 hits in 1 article."
    assert is_right_to_left(panel.model.rows[0].sentence)


def test_clicking_a_hit_opens_the_article_with_the_match_selected(qtbot, window) -> None:  # noqa: ANN001
    panel = find(qtbot, window, "контракт")
    view = window.article_panel.view
    for row in (2, 1, 0):  # the last hit's article is the third: it is opened, then the first
        hit = panel.model.hit(row)
        click_row(qtbot, panel, row)
        assert window.controller.bundle.article.id == hit.article_id
        assert view.textCursor().selectedText() == hit.matched
        assert view.selection_code_points() == (hit.start, hit.end)
    assert panel.model.hit(0).start > 0 and "😀" in window.controller.bundle.article.text[: panel.model.hit(0).start]

    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)  # the keyboard moves through the hits too
    assert view.textCursor().selectedText() == panel.model.hit(1).matched
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter: to the text, where a label key codes it
    qtbot.waitUntil(view.hasFocus)


def test_code_all_occurrences_is_one_undo_step(qtbot, window, search_file: Path) -> None:  # noqa: ANN001
    panel = find(qtbot, window, "контракт OR العقد")
    text_hits = [h for h in panel.model.rows if h.start >= 0]
    assert len(text_hits) == 5
    qtbot.mouseClick(panel.select_all_button, Qt.MouseButton.LeftButton)
    panel.label.setCurrentIndex(panel.label.findData("Actor"))
    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)
    box = panel.preview
    assert box is not None and box.isVisible()
    assert box.text().startswith("Code 5 occurrences as Actor?")
    qtbot.mouseClick(button(box, "Code"), Qt.MouseButton.LeftButton)

    coded = annotations_in(search_file)
    assert len(coded) == 5 and {a.label for a in coded} == {"Actor"}
    with open_project(search_file) as project:
        texts = {a.id: a.text for a in project.store.articles.list()}
    assert sorted((a.article_id, a.start, a.end) for a in coded) == sorted(
        (h.article_id, h.start, h.end) for h in text_hits
    )
    assert all(texts[a.article_id][a.start : a.end] in ("контракт", "Контракт", "العقد") for a in coded)
    assert window.statusBar().currentMessage() == "Coded 5 occurrences as Actor (Ctrl+Z to undo)"
    # The open article is reloaded in place: its new annotations are there, nothing jumped.
    open_id = window.controller.bundle.article.id
    assert {a.id for a in window.controller.bundle.annotations} == {a.id for a in coded if a.article_id == open_id}

    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)  # the same hits again
    assert panel.preview is None
    assert panel.note.text() == "All 5 hits already carry Actor."
    assert len(annotations_in(search_file)) == 5

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step removes all
    assert annotations_in(search_file) == []
    assert window.controller.bundle.article.id == open_id and window.controller.bundle.annotations == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(annotations_in(search_file)) == 5


def test_coding_some_hits_and_cancelling(qtbot, window, search_file: Path) -> None:  # noqa: ANN001
    panel = find(qtbot, window, "контракт")
    click_row(qtbot, panel, 0)
    qtbot.mouseClick(
        panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
        panel.table.visualRect(panel.model.index(2, Column.TITLE)).center(),
    )
    assert panel.note.text() == "2 of 3 hits chosen"
    panel.label.setCurrentIndex(panel.label.findData("Actor"))
    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(panel.preview, "Cancel"), Qt.MouseButton.LeftButton)
    assert annotations_in(search_file) == []
    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)
    assert panel.preview.text() == "Code 2 occurrences as Actor?"
    qtbot.mouseClick(button(panel.preview, "Code"), Qt.MouseButton.LeftButton)
    assert len(annotations_in(search_file)) == 2

    panel.select_all()  # the third is new; the two coded are counted in the preview
    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)
    assert panel.preview.text() == "Code 1 occurrence as Actor? 2 hits already carry it."


def test_a_coder_does_not_find_an_article_assigned_only_to_another(
    qtbot, search_file: Path, settings_file: Path,  # noqa: ANN001
) -> None:
    from app.services.assignment import add_coder, give_articles

    with open_project(search_file) as project:
        first, second, third = (a.id for a in project.store.articles.list())
        for name in ("ana", "ben"):
            add_coder(project, name)
        give_articles(project, [first, second], "ana")
        give_articles(project, [third], "ben")
    window = _open(qtbot, search_file, settings_file, "ana")
    panel = find(qtbot, window, "контракт")
    assert {h.article_id for h in panel.model.rows} == {first}
    assert panel.summary.text() == "2 hits in 1 article."
    panel = find(qtbot, window, "Moscow")  # only in ben's article
    assert panel.model.rowCount() == 0 and panel.summary.text() == "No hits."
    # The source filter offers the sources of ana's articles only.
    assert [panel.source.itemText(i) for i in range(panel.source.count())] == ["Any source", "Enab Baladi", "Meduza"]
    window.close()


@pytest.mark.parametrize("query", ["контракт AND", "NOT", '"'])
def test_a_query_that_cannot_be_read_is_one_sentence_in_the_dock(qtbot, window, query: str) -> None:  # noqa: ANN001
    panel = find(qtbot, window, query)
    message = panel.summary.text()
    assert message and "\n" not in message and message.endswith(".")
    assert panel.model.rowCount() == 0 and not panel.code_button.isEnabled()
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_filters_by_source_date_and_status(qtbot, window) -> None:  # noqa: ANN001
    panel = find(qtbot, window, "контракт")
    assert panel.model.rowCount() == 3
    sources = [panel.source.itemText(i) for i in range(panel.source.count())]
    assert sources == ["Any source", "Enab Baladi", "Meduza", "Novaya Gazeta Europe"]
    panel.source.setCurrentIndex(panel.source.findData("Novaya Gazeta Europe"))  # searches again at once
    assert [h.matched for h in panel.model.rows] == ["контракт"]
    panel.source.setCurrentIndex(0)
    panel.date_to.setText("2024-03")  # a month takes in its days
    qtbot.keyClick(panel.date_to, Qt.Key.Key_Return)
    assert [h.start for h in panel.model.rows] == [49, 59]
    panel.date_to.clear()
    panel.date_from.setText("2025")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert panel.summary.text() == "1 hit in 1 article."
    panel.date_from.clear()
    panel.status.setCurrentIndex(panel.status.findData("done"))
    assert panel.model.rowCount() == 0 and panel.summary.text() == "No hits."
    panel.status.setCurrentIndex(panel.status.findData("todo"))
    assert panel.model.rowCount() == 3
    panel.date_from.setText("2024-1")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert panel.summary.text().startswith("Write a date as")
    assert panel.model.rowCount() == 0


def test_kwic_split_finds_the_hits_own_appearance() -> None:
    sentence = "The contract, a contracted contract."
    assert kwic_split(sentence, "contract") == ("The ", "contract", ", a contracted contract.")
    assert kwic_split(sentence, "contract", 1) == ("The contract, a contracted ", "contract", ".")
    assert kwic_split("signed a\ncontract", "a\ncontract") == ("signed ", "a\ncontract", "")
    assert kwic_split("signed a contract", "a\ncontract") == ("signed ", "a contract", "")
    assert kwic_split("Title only", "") is None


def test_model_occurrences_count_per_sentence() -> None:
    from app.services.search import Hit

    sentence = "محمد قال إن محمد"
    hits = [Hit("a", 1, "t", 0, 4, "محمد", sentence), Hit("a", 1, "t", 12, 16, "محمد", sentence)]
    model = SearchHitModel()
    model.set_rows(hits)
    assert model.data(model.index(1, Column.MATCH), KWIC_ROLE) == ("محمد قال إن ", "محمد", "")
    assert model.data(model.index(0, Column.NUMBER)) == "1"
