"""The lead's assignments panel driven offscreen on real project files: the figures it
shows, giving and taking back selected articles, refusals, and distribution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
)

from app.core.records import utc_now
from app.services.assignment import assign, assignment_summary, assignment_table
from app.services.coding import set_status
from app.services.projects import Project
from tests.team_fixtures import code, dump, team_project


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Project]:
    with team_project(tmp_path / "study.loupe", n=30) as project:
        project.store.coders.get_or_create("gil", "adjudicator")
        yield project


def make_view(qtbot, project: Project):  # noqa: ANN001, ANN201
    from app.ui.lead.assignments_view import AssignmentsView

    view = AssignmentsView(lambda: project)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()  # reads both tables
    return view


@pytest.fixture
def view(qtbot, team: Project):  # noqa: ANN001, ANN201
    return make_view(qtbot, team)


def coder_id(project: Project, name: str) -> str:
    coder = project.store.coders.find(name)
    assert coder is not None
    return coder.id


def shown(view, column: int) -> list[str]:  # noqa: ANN001
    """The cells of one column of the article table, in the order shown."""
    proxy = view.proxy
    return [proxy.data(proxy.index(row, column)) for row in range(proxy.rowCount())]


def load_cells(view) -> dict[str, tuple[str, ...]]:  # noqa: ANN001
    return {row.name: view.loads.cells(row) for row in view.loads.rows}


def click_row(qtbot, table: QAbstractItemView, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    index = table.model().index(row, 1)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, table.visualRect(index).center())


def answer_with(monkeypatch: pytest.MonkeyPatch, name: str) -> list[list[str]]:
    """Answer the coder chooser with ``name``; returns the lists of names it offered."""
    offered: list[list[str]] = []

    def get_item(_parent, _title, _label, items, *_args):  # noqa: ANN001, ANN002, ANN202
        offered.append(list(items))
        return name, True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    return offered


def test_tables_show_each_coders_progress_and_every_article(
    qtbot, qtmodeltester, team: Project  # noqa: ANN001
) -> None:
    assign(team, ["alice", "bob", "carol"], overlap=0.2, seed=3)
    table = assignment_table(team)
    alices = [row.article_id for row in table if "alice" in row.assigned_to]
    code(team, team.store.articles.get(alices[0]), coder_id(team, "alice"))
    bobs = [row.article_id for row in table if "bob" in row.assigned_to]
    set_status(team, bobs[0], coder_id(team, "bob"), "in_progress")
    team.store.assignments.add_time(bobs[0], coder_id(team, "bob"), 4200.0, utc_now())
    view = make_view(qtbot, team)
    for model in (view.loads, view.articles, view.proxy):
        qtmodeltester.check(model)

    assert load_cells(view) == {
        "alice": ("alice", "coder", "14", "13", "0", "1", "6", "0:00", "7 %"),
        "bob": ("bob", "coder", "14", "13", "1", "0", "6", "1:10", "0 %"),
        "carol": ("carol", "coder", "14", "14", "0", "0", "6", "0:00", "0 %"),
        "lena": ("lena", "lead", "0", "0", "0", "0", "0", "0:00", "0 %"),
    }
    headers = [view.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(view.proxy.columnCount())]
    assert headers == ["#", "Title", "Source", "alice", "bob", "carol", "lena", "Overlap"]
    assert shown(view, 0) == [str(i) for i in range(1, 31)]
    assert shown(view, 1) == [a.title for a in team.store.articles.list()]
    assert shown(view, 7).count("yes") == 6
    alice_column = shown(view, 3)
    assert (alice_column.count("to do"), alice_column.count("done"), alice_column.count("")) == (13, 1, 16)
    assert shown(view, 4).count("in progress") == 1 and shown(view, 6) == [""] * 30
    assert view.count.text() == "30 of 30 article(s) shown, 0 selected"

    view.proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert shown(view, 0)[:3] == ["30", "29", "28"]
    view.show_filter.setCurrentIndex(view.show_filter.findData("overlap"))
    assert shown(view, 7) == ["yes"] * 6
    view.show_filter.setCurrentIndex(view.show_filter.findData("alice"))
    assert view.proxy.rowCount() == 14
    view.show_filter.setCurrentIndex(0)
    view.search.setText("report 1")  # Report 1 and Report 10 to 19
    assert view.proxy.rowCount() == 11 and view.count.text() == "11 of 30 article(s) shown, 0 selected"


def test_give_the_selected_rows_to_a_coder(qtbot, view, team: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    table = view.articles_view
    assert not view.give_button.isEnabled()
    click_row(qtbot, table, 2)
    click_row(qtbot, table, 6, Qt.KeyboardModifier.ShiftModifier)
    click_row(qtbot, table, 9, Qt.KeyboardModifier.ControlModifier)
    articles = team.store.articles.list()
    chosen = [a.id for a in articles[2:7]] + [articles[9].id]
    assert view.selected_ids() == chosen and view.give_button.isEnabled()
    offered = answer_with(monkeypatch, "lena")
    with qtbot.waitSignal(view.assignments_changed):
        qtbot.mouseClick(view.findChild(QPushButton, "giveButton"), Qt.MouseButton.LeftButton)
    assert offered == [["alice", "bob", "carol", "lena"]]  # no adjudicator
    assert view.status.text() == (
        "Gave 6 article(s) to lena. These are the project's first assignments: from now on "
        "each coder sees only the articles assigned to them."
    )
    assert load_cells(view)["lena"][2:4] == ("6", "6")
    assert [i for i, cell in enumerate(shown(view, 6)) if cell] == [2, 3, 4, 5, 6, 9]
    assert view.selected_ids() == chosen  # the selection stays
    assert {load.name: load.assigned for load in assignment_summary(team)}["lena"] == 6
    assert {r.article_id for r in assignment_table(team) if r.status("lena") == "todo"} == set(chosen)

    assert view.give("lena") == 0 and view.status.text() == "Gave 0 article(s) to lena (6 were theirs already)."
    assert view.give("bob", [articles[2].id]) == 1
    assert shown(view, 7)[2] == "yes" and load_cells(view)["lena"][6] == "1"
    with qtbot.waitSignal(view.refused):
        assert view.give("gil") is None
    box = view.findChild(QMessageBox, "assignmentRefusal")
    assert box is not None and box.isVisible() and box.text().startswith("gil is an adjudicator")
    box.close()


def test_taking_back_a_worked_article_is_refused_and_changes_nothing(
    qtbot, view, team: Project, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    articles = team.store.articles.list()
    view.give("alice", [a.id for a in articles[:3]])
    view.give("bob", [articles[0].id])
    code(team, articles[1], coder_id(team, "alice"))
    view.refresh()
    view.select_articles([a.id for a in articles[:4]])
    before, loads = dump(Path(team.store.location)), load_cells(view)
    offered = answer_with(monkeypatch, "alice")
    with qtbot.waitSignal(view.refused) as refusal:
        qtbot.mouseClick(view.take_back_button, Qt.MouseButton.LeftButton)
    assert offered == [["alice", "bob"]]  # only coders the selection is assigned to
    sentence = (
        f"alice has already worked on '{articles[1].title}', and work is never taken back "
        "from a coder, so no article was taken back."
    )
    assert refusal.args == [sentence]
    box = view.findChild(QMessageBox, "assignmentRefusal")
    assert box is not None and box.isVisible() and box.text() == sentence
    box.close()
    assert dump(Path(team.store.location)) == before and load_cells(view) == loads
    assert shown(view, 3)[:4] == ["to do", "done", "to do", ""]

    view.select_articles([articles[0].id, articles[2].id])
    menu = view.context_menu()
    take = next(a.menu() for a in menu.actions() if a.menu() and a.menu().objectName() == "takeBackFromMenu")
    assert [a.text() for a in take.actions()] == ["alice", "bob"]
    with qtbot.waitSignal(view.assignments_changed):
        take.actions()[0].trigger()
    assert view.status.text() == "Took 2 article(s) back from alice."
    assert shown(view, 3)[:4] == ["", "done", "", ""] and shown(view, 7)[0] == "no"
    assert load_cells(view)["alice"][2:6] == ("1", "0", "0", "1")
    menu.deleteLater()


def test_distribute_with_overlap_assigns_every_article_and_the_seed_repeats(
    qtbot, view, team: Project, tmp_path: Path  # noqa: ANN001
) -> None:
    dialog = view.ask_distribute()
    assert dialog.isVisible() and dialog.chosen() == ["alice", "bob", "carol"]  # the lead unchecked
    dialog.overlap.setValue(20)
    dialog.seed.setValue(7)
    with qtbot.waitSignal(view.assignments_changed):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    box = view.findChild(QMessageBox, "distributeReport")
    assert box is not None and box.isVisible()
    assert box.text().splitlines() == [
        "Distributed 30 article(s), 6 of them in the overlap every coder codes (seed 7).",
        "alice: 14 new article(s)", "bob: 14 new article(s)", "carol: 14 new article(s)",
    ]
    box.close()
    assert shown(view, 7).count("yes") == 6
    assert [load_cells(view)[n][2] for n in ("alice", "bob", "carol", "lena")] == ["14", "14", "14", "0"]
    view.show_filter.setCurrentIndex(view.show_filter.findData("unassigned"))
    assert view.proxy.rowCount() == 0
    first = {r.title: r.assigned_to for r in assignment_table(view.project())}
    assert all(first.values())

    (tmp_path / "again").mkdir()
    with team_project(tmp_path / "again" / "study.loupe", n=30) as other:
        again = make_view(qtbot, other)
        report = again.distribute(["alice", "bob", "carol"], 0.2, 7, False)
        assert report is not None and (report.distributed, report.overlap) == (30, 6)
        assert {r.title: r.assigned_to for r in assignment_table(again.project())} == first
    replaced = view.distribute(["alice", "bob", "carol"], 0.2, 7, True)
    assert replaced is not None and replaced.removed == 0
    assert {r.title: r.assigned_to for r in assignment_table(view.project())} == first
    assert view.distribute(["alice", "dave"], 0.2, 7, False) is None
    assert view.status.text().startswith("There is no coder named 'dave'")


def test_context_menu_gives_to_a_coder_and_mirrors_the_buttons(qtbot, view, team: Project) -> None:  # noqa: ANN001
    menu = view.context_menu()
    names = [a.objectName() for a in menu.actions() if a.objectName()]
    assert names == ["addCoderAction", "giveAction", "takeBackAction", "distributeAction", "refreshAction"]
    assert not any(a.isEnabled() for a in menu.actions() if a.objectName() in ("giveAction", "takeBackAction"))
    with qtbot.waitSignal(view.articles.modelReset):
        next(a for a in menu.actions() if a.objectName() == "refreshAction").trigger()
    menu.deleteLater()
    articles = team.store.articles.list()
    view.select_articles([articles[4].id, articles[5].id], current=articles[5].id)
    menu = view.context_menu()
    give = next(a.menu() for a in menu.actions() if a.menu() and a.menu().objectName() == "giveToMenu")
    with qtbot.waitSignal(view.assignments_changed):
        next(a for a in give.actions() if a.text() == "carol").trigger()
    assert [i for i, cell in enumerate(shown(view, 5)) if cell == "to do"] == [4, 5]
    assert view.articles_view.currentIndex() == view.proxy.index(5, 0) != QModelIndex()
    menu.deleteLater()


def test_add_coder_from_the_panel_with_a_role(qtbot, view, team: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("  dana ", True)))
    offered = answer_with(monkeypatch, "lead")
    qtbot.mouseClick(view.findChild(QPushButton, "addCoderButton"), Qt.MouseButton.LeftButton)
    assert offered == [["coder", "lead", "adjudicator"]]
    added = team.store.coders.find("dana")
    assert added is not None and added.role == "lead"
    assert "dana" in load_cells(view)  # the progress table lists the new lead at once
    assert "dana" in [view.articles.headerData(c, Qt.Orientation.Horizontal) for c in range(view.articles.columnCount())]
    refused: list[str] = []
    view.refused.connect(refused.append)
    assert view.add_coder("dana") is False and refused == ["There is already a coder named 'dana' (lead)."]
    assert view.add_coder("a,b") is False and "comma" in refused[-1]


def test_the_first_assignment_of_a_project_says_what_coders_will_see(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from app.services.assignment import add_coder
    from app.services.importing import import_articles
    from app.services.projects import create_project

    folder = tmp_path / "texts"
    folder.mkdir()
    for k in range(3):
        (folder / f"{k}.txt").write_text(f"Report {k}\n\nText {k} about the army.", encoding="utf-8")
    with create_project(tmp_path / "fresh.loupe") as project:
        import_articles(project, sorted(folder.glob("*.txt")), model="no_such_pipeline_xyz")
        add_coder(project, "ana")
        view = make_view(qtbot, project)
        first, second = (a.id for a in project.store.articles.list()[:2])
        assert view.give("ana", [first]) == 1
        status = view.findChild(QLabel, "assignmentStatus").text()
        assert "first assignments" in status and "only the articles assigned to them" in status
        assert view.give("ana", [second]) == 1
        assert "first assignments" not in view.findChild(QLabel, "assignmentStatus").text()
