"""The article list: opens what the coder clicks, follows the controller, sorts and
filters through the project, and reads only the rows it shows."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QTableView

from app.services.coding import ListedArticle
from app.ui.article_list import ARTICLE_ID_ROLE, ArticleListModel, ArticleListPanel, Column
from app.ui.article_list_model import WINDOW


@pytest.fixture
def panel(qtbot, controller) -> ArticleListPanel:  # noqa: ANN001
    widget = ArticleListPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def listed_titles(panel: ArticleListPanel) -> list[str]:
    model = panel.model
    return [model.index(r, Column.TITLE).data() for r in range(model.rowCount())]


def click_row(qtbot, panel: ArticleListPanel, row: int) -> None:  # noqa: ANN001
    index = panel.model.index(row, Column.TITLE)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def mark_done(controller, row: int) -> None:  # noqa: ANN001
    """Set a status directly in the store, as a lead's merge would, then refresh."""
    article_id = controller.order[row].id
    controller.project.store.assignments.set_status(article_id, controller.coder.id, "done", "t")
    controller.refresh_listing()


def test_the_model_passes_the_model_tester(qtmodeltester, panel) -> None:  # noqa: ANN001
    qtmodeltester.check(panel.model)


def test_columns_status_text_dot_and_bold_current(panel, controller) -> None:  # noqa: ANN001
    model = panel.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        "#", "Title", "Source", "Date", "Status", "Lang."
    ]
    assert model.index(0, Column.NUMBER).data() == "1"
    assert model.index(1, Column.STATUS).data() == "To do"
    assert isinstance(model.index(1, Column.STATUS).data(Qt.ItemDataRole.DecorationRole), QIcon)
    current = model.index(0, Column.TITLE).data(Qt.ItemDataRole.FontRole)
    assert isinstance(current, QFont) and current.bold()
    assert model.index(1, Column.TITLE).data(Qt.ItemDataRole.FontRole) is None
    assert panel.view.objectName() == "articleList"
    assert panel.view.accessibleName() == "Article list"
    assert panel.counts.text() == "0 of 3 done"
    # Plain-text imports have no source or date: those columns do not take dock space.
    assert panel.view.isColumnHidden(Column.SOURCE) and panel.view.isColumnHidden(Column.DATE)
    assert not panel.view.isColumnHidden(Column.STATUS)


def test_clicking_a_row_opens_that_article(qtbot, panel, controller) -> None:  # noqa: ANN001
    second = controller.order[1]
    with qtbot.waitSignal(controller.article_opened) as opened:
        click_row(qtbot, panel, 1)
    assert opened.args[0].article.id == second.id
    assert controller.bundle.article.id == second.id
    bold = panel.model.index(1, Column.TITLE).data(Qt.ItemDataRole.FontRole)
    assert bold is not None and bold.bold()
    assert panel.model.index(0, Column.TITLE).data(Qt.ItemDataRole.FontRole) is None


def test_controller_navigation_selects_the_row_without_reopening(qtbot, panel, controller) -> None:  # noqa: ANN001
    opened: list[object] = []
    controller.article_opened.connect(opened.append)
    controller.go_relative(2)
    assert len(opened) == 1  # selecting the row did not open the article a second time
    rows = panel.view.selectionModel().selectedRows()
    assert [r.data(ARTICLE_ID_ROLE) for r in rows] == [controller.order[2].id]


def test_done_filter_and_counts_follow_the_listing(qtbot, panel, controller) -> None:  # noqa: ANN001
    mark_done(controller, 2)
    assert panel.counts.text() == "1 of 3 done"
    assert panel.model.index(2, Column.STATUS).data() == "Done"
    third = panel.model.index(2, Column.TITLE).data()
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("Done"))
    assert listed_titles(panel) == [third]
    assert panel.counts.text() == "1 of 3 done"  # counts are of the whole listing
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("To do"))
    assert len(listed_titles(panel)) == 2 and third not in listed_titles(panel)
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("All"))
    assert len(listed_titles(panel)) == 3


def test_a_status_change_repaints_one_row(qtbot, panel, controller) -> None:  # noqa: ANN001
    changed: list[tuple[int, int]] = []
    panel.model.dataChanged.connect(lambda first, last, _roles: changed.append((first.row(), last.row())))
    resets: list[bool] = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    controller.open_article(controller.order[1].id)
    changed.clear()
    assert controller.set_status("in_progress")
    assert (1, 1) in changed and resets == []  # that row, not the list
    assert all(first == last == 1 for first, last in changed)
    assert panel.model.index(1, Column.STATUS).data() == "In progress"
    assert panel.counts.text() == "0 of 3 done"


def test_listing_change_keeps_the_current_row_selected(qtbot, panel, controller) -> None:  # noqa: ANN001
    click_row(qtbot, panel, 1)
    mark_done(controller, 0)
    rows = panel.view.selectionModel().selectedRows()
    assert [r.data(ARTICLE_ID_ROLE) for r in rows] == [controller.order[1].id]


def test_search_box_filters_titles_case_insensitively(qtbot, panel, controller) -> None:  # noqa: ANN001
    assert panel.search.placeholderText() == "Search titles and sources"
    qtbot.keyClicks(panel.search, "PRISONERS")
    qtbot.waitUntil(lambda: listed_titles(panel) == ["Prisoners 😀 recruited with pardons"])
    panel.search.clear()
    qtbot.waitUntil(lambda: len(listed_titles(panel)) == 3)
    qtbot.keyClicks(panel.search, "no such article")
    qtbot.waitUntil(lambda: listed_titles(panel) == [])
    assert panel.view.selectionModel().selectedRows() == []


def test_clicking_a_header_sorts_through_the_project(qtbot, panel, controller) -> None:  # noqa: ANN001
    by_number = listed_titles(panel)
    panel.view.sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert listed_titles(panel) == sorted(by_number, key=str.casefold)
    panel.view.sortByColumn(Column.TITLE, Qt.SortOrder.DescendingOrder)
    assert listed_titles(panel) == sorted(by_number, key=str.casefold, reverse=True)
    panel.view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert listed_titles(panel) == by_number
    numbers = [panel.model.index(r, Column.NUMBER).data() for r in range(3)]
    assert numbers == ["1", "2", "3"]
    # The open article stays selected whatever the order.
    rows = panel.view.selectionModel().selectedRows()
    assert [r.data(ARTICLE_ID_ROLE) for r in rows] == [controller.bundle.article.id]


def test_the_language_identified_at_import_is_a_column_when_articles_differ(panel) -> None:  # noqa: ANN001
    """The fixture's English and Arabic articles are identified at import; the mixed one
    (a few words of several scripts) is too short to tell and stays empty."""
    model = panel.model
    languages = {model.index(row, Column.TITLE).data(): model.index(row, Column.LANGUAGE).data()
                 for row in range(model.rowCount())}
    assert languages["Migrants told to sign or be deported"] == "en", languages
    assert languages["عنوان عربي"].startswith("ar"), languages
    assert model.headerData(Column.LANGUAGE, Qt.Orientation.Horizontal) == "Lang."
    assert not panel.view.isColumnHidden(Column.LANGUAGE)


def test_the_list_reads_only_the_rows_it_shows(qtbot) -> None:  # noqa: ANN001
    """100,000 articles: showing the list, scrolling to the end and marking one row read
    a few windows of rows, never the whole list."""
    asked: list[int] = []

    def read(ids: Sequence[str]) -> dict[str, ListedArticle]:
        asked.append(len(ids))
        return {i: ListedArticle(i, int(i), f"Title {i}", None, None, "todo") for i in ids}

    model = ArticleListModel(read)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    model.set_order([str(n) for n in range(1, 100_001)])
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.wait(10)
    model.set_current("99990")
    model.set_status("99990", "done")
    assert model.index(99_989, Column.STATUS).data() == "Done"
    assert sum(asked) <= 4 * WINDOW, asked
    assert model.row_for_id("99990") == 99_989 and model.row_for_id("nope") == -1
