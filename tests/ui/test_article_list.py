"""The article list: opens what the coder clicks, follows the controller, filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QIcon

from app.core.records import ArticleListing
from app.ui.article_list import (
    ARTICLE_ID_ROLE,
    ArticleFilterProxy,
    ArticleListModel,
    ArticleListPanel,
    Column,
)


@pytest.fixture
def panel(qtbot, controller) -> ArticleListPanel:  # noqa: ANN001
    widget = ArticleListPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def listed_titles(panel: ArticleListPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, Column.TITLE).data() for r in range(proxy.rowCount())]


def click_row(qtbot, panel: ArticleListPanel, row: int) -> None:  # noqa: ANN001
    index = panel.proxy.index(row, Column.TITLE)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def mark_done(controller, row: int) -> None:  # noqa: ANN001
    """Set a status directly in the store, as a lead's merge would, then refresh."""
    article_id = controller.listing[row].id
    controller.project.store.assignments.set_status(article_id, controller.coder.id, "done", "t")
    controller._refresh_listing()


def test_models_pass_the_model_tester(qtmodeltester, controller) -> None:  # noqa: ANN001
    model = ArticleListModel()
    model.set_rows(controller.listing)
    qtmodeltester.check(model)
    proxy = ArticleFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search_text("pris")
    qtmodeltester.check(proxy)


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
    second = controller.listing[1]
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
    assert [r.data(ARTICLE_ID_ROLE) for r in rows] == [controller.listing[2].id]


def test_done_filter_and_counts_follow_the_listing(qtbot, panel, controller) -> None:  # noqa: ANN001
    mark_done(controller, 2)
    assert panel.counts.text() == "1 of 3 done"
    assert panel.model.index(2, Column.STATUS).data() == "Done"
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("Done"))
    assert listed_titles(panel) == [controller.listing[2].title]
    assert panel.counts.text() == "1 of 3 done"  # counts are of the whole listing
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("To do"))
    assert len(listed_titles(panel)) == 2
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("All"))
    assert len(listed_titles(panel)) == 3


def test_listing_change_keeps_the_current_row_selected(qtbot, panel, controller) -> None:  # noqa: ANN001
    click_row(qtbot, panel, 1)
    mark_done(controller, 0)
    rows = panel.view.selectionModel().selectedRows()
    assert [r.data(ARTICLE_ID_ROLE) for r in rows] == [controller.listing[1].id]


def test_search_box_filters_titles_case_insensitively(qtbot, panel, controller) -> None:  # noqa: ANN001
    assert panel.search.placeholderText() == "Search titles and sources"
    qtbot.keyClicks(panel.search, "PRISONERS")
    assert listed_titles(panel) == ["Prisoners 😀 recruited with pardons"]
    panel.search.clear()
    assert len(listed_titles(panel)) == 3
    qtbot.keyClicks(panel.search, "no such article")
    assert listed_titles(panel) == []
    assert panel.view.selectionModel().selectedRows() == []


def test_search_covers_the_source_column() -> None:
    rows = [
        ArticleListing("a", 1, "Recruits unpaid", "Meduza", "2024-03-01T10:00:00", "todo"),
        ArticleListing("b", 2, "Colony emptied", "Reuters", None, "in_progress"),
    ]
    model = ArticleListModel()
    model.set_rows(rows)
    proxy = ArticleFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search_text("reuters")
    assert [proxy.index(r, Column.TITLE).data() for r in range(proxy.rowCount())] == ["Colony emptied"]
    assert model.index(0, Column.DATE).data() == "2024-03-01"
    proxy.set_search_text("")
    proxy.set_status_filter("in_progress")
    assert proxy.rowCount() == 1 and proxy.index(0, Column.STATUS).data() == "In progress"
    assert model.rowCount(model.index(0, 0)) == 0 and model.index(5, 0) == QModelIndex()


def test_sorting_by_number_is_numeric(panel) -> None:  # noqa: ANN001
    rows = [ArticleListing(str(i), i, f"t{i}", None, None, "todo") for i in (2, 10, 1)]
    panel.model.set_rows(rows)
    panel.view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert [panel.proxy.index(r, Column.NUMBER).data() for r in range(3)] == ["1", "2", "10"]


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


def test_one_language_throughout_hides_the_column(panel) -> None:  # noqa: ANN001
    rows = [ArticleListing(str(i), i, f"t{i}", None, None, "todo", "en") for i in (1, 2)]
    panel.model.set_rows(rows)
    panel._controller.listing = rows
    panel._on_listing_changed()
    assert panel.view.isColumnHidden(Column.LANGUAGE)
