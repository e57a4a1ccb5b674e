"""``loupe assign --articles``: single articles given to a coder or taken back from one,
named by position or id, through the same services as the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.services.assignment import AssignmentError, assignment_table, resolve_articles
from app.services.projects import open_project
from tests.team_fixtures import code, dump, team_project


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "study.loupe"
    team_project(target, n=12).close()
    return target


def assigned_positions(path: Path, coder: str) -> list[int]:
    with open_project(path) as project:
        return [row.position for row in assignment_table(project) if row.status(coder) is not None]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code_ = main(list(args))
    out, err = capsys.readouterr()
    return code_, out.strip(), err.strip()


def test_positions_and_ids_resolve_in_order_without_repeats(path: Path) -> None:
    with open_project(path) as project:
        ids = [row.article_id for row in assignment_table(project)]
        assert resolve_articles(project, ["3", " 1-2", "3", ids[10]]) == [ids[2], ids[0], ids[1], ids[10]]
        with pytest.raises(AssignmentError, match=r"^There is no article at position 13; this project has 12"):
            resolve_articles(project, ["11-14"])
        with pytest.raises(AssignmentError, match="write the lower one first"):
            resolve_articles(project, ["5-3"])
        with pytest.raises(AssignmentError, match="^There is no article with id 'abc' in this project.$"):
            resolve_articles(project, ["1", "abc"])


def test_give_and_take_back_by_position_and_id(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_project(path) as project:
        tenth = assignment_table(project)[9].article_id
    assert run(capsys, "assign", str(path), "--coders", "alice", "--articles", f"1-3,5,{tenth}") == (
        0, "Gave 5 articles to alice.", "")
    assert run(capsys, "assign", str(path), "--coders", "alice", "--articles", "1,2,4") == (
        0, "Gave 1 article to alice (2 already theirs).", "")
    assert assigned_positions(path, "alice") == [1, 2, 3, 4, 5, 10]
    assert run(capsys, "assign", str(path), "--coders", "alice", "--articles", "2-4", "--remove") == (
        0, "Took 3 articles back from alice.", "")
    assert assigned_positions(path, "alice") == [1, 5, 10]


def test_refusals_change_nothing(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assign", str(path), "--coders", "bob", "--articles", "1-4"]) == 0
    with open_project(path) as project:
        bob = project.store.coders.find("bob")
        code(project, project.store.articles.list()[2], bob.id)
    capsys.readouterr()
    before = dump(path)
    status, out, err = run(capsys, "assign", str(path), "--coders", "bob", "--articles", "1-4", "--remove")
    assert (status, out) == (1, "")
    assert err == (
        "loupe: bob has already worked on 'Report 2: recruits from Kiresk say they were coerced', and work "
        "is never taken back from a coder, so no article was taken back."
    )
    for args, message in (
        (["--coders", "bob,carol", "--articles", "5"], "With --articles, name exactly one coder with --coders."),
        (["--coders", "bob", "--remove"], "--remove takes back the articles named with --articles; name them."),
        (["--coders", "bob", "--articles", "5", "--seed", "3"], "--seed and --replace distribute the project"),
        (["--coders", "bob", "--articles", "5,40"], "There is no article at position 40"),
        (["--coders", "dave", "--articles", "5"], "There is no coder named 'dave' in this project"),
    ):
        status, out, err = run(capsys, "assign", str(path), *args)
        assert status == 1 and out == "" and err.startswith(f"loupe: {message}"), args
    assert dump(path) == before
