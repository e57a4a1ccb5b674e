"""Single assignment changes (give, take back) and the lead's article table, through the
services on real project files: exact counts, idempotence, and refusals that change nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.edits import SetAnswer
from app.core.records import utc_now
from app.services.assignment import (
    AssignmentError,
    assign,
    assignable_coders,
    assignment_summary,
    assignment_table,
    give_articles,
    take_back_articles,
)
from app.services.coding import set_status
from app.services.editing import add_annotation, apply_edit
from app.services.projects import Project
from tests.team_fixtures import code, dump, span, team_project

pytestmark = pytest.mark.both_backends


@pytest.fixture
def team(project_location: str | Path, tmp_path: Path) -> Iterator[Project]:
    with team_project(project_location, n=30, folder=tmp_path) as project:
        project.store.coders.get_or_create("gil", "adjudicator")
        yield project


def ids(project: Project) -> list[str]:
    return [row.article_id for row in assignment_table(project)]


def assigned(project: Project) -> dict[str, set[str]]:
    """Article id -> names of the coders it is assigned to (articles assigned to nobody left out)."""
    return {row.article_id: set(row.assigned_to) for row in assignment_table(project) if row.assigned_to}


def coder_id(project: Project, name: str) -> str:
    coder = project.store.coders.find(name)
    assert coder is not None
    return coder.id


def test_give_counts_only_new_pairs_and_is_idempotent(team: Project) -> None:
    articles = ids(team)
    assert give_articles(team, articles[:5], "alice") == 5
    assert give_articles(team, articles[:5], "alice") == 0
    assert give_articles(team, articles[3:8] + articles[3:5], "alice") == 3  # repeats count once
    assert give_articles(team, articles[:2], "lena") == 2  # a lead codes too
    assert assigned(team) == {
        **{a: {"alice"} for a in articles[2:8]},
        **{a: {"alice", "lena"} for a in articles[:2]},
    }
    loads = {load.name: load for load in assignment_summary(team)}
    assert (loads["alice"].assigned, loads["alice"].todo, loads["alice"].overlap) == (8, 8, 2)
    assert give_articles(team, [], "alice") == 0


def test_give_marks_earlier_work_as_assigned_without_touching_it(team: Project) -> None:
    articles = team.store.articles.list()
    code(team, articles[4], coder_id(team, "bob"))  # worked on before any assignment
    (row,) = [r for r in assignment_table(team) if r.article_id == articles[4].id]
    cell = row.coders["bob"]
    assert (cell.status, cell.assigned, cell.worked, row.status("bob")) == ("done", False, True, None)
    assert give_articles(team, [articles[4].id, articles[5].id], "bob") == 2
    (row,) = [r for r in assignment_table(team) if r.article_id == articles[4].id]
    assert row.status("bob") == "done" and row.coders["bob"].worked
    assert len(team.store.annotations.for_article(articles[4].id, coder_id(team, "bob"))) == 2


def test_take_back_counts_and_is_idempotent(team: Project) -> None:
    articles = ids(team)
    give_articles(team, articles[:10], "bob")
    give_articles(team, articles[:3], "carol")
    assert take_back_articles(team, articles[2:6], "bob") == 4
    assert take_back_articles(team, articles[2:6], "bob") == 0
    assert take_back_articles(team, articles[20:25], "bob") == 0  # never given
    assert assigned(team) == {
        articles[0]: {"bob", "carol"}, articles[1]: {"bob", "carol"}, articles[2]: {"carol"},
        **{a: {"bob"} for a in articles[6:10]},
    }
    assert {load.name: load.assigned for load in assignment_summary(team)}["bob"] == 6


def _annotation(project: Project, article_id: str, coder: str) -> None:
    article = project.store.articles.get(article_id)
    start, end = span(article, "Kiresk")
    add_annotation(project, article_id=article_id, coder_id=coder, label="Actor", start=start, end=end)


WORK: dict[str, Callable[[Project, str, str], None]] = {
    "annotation": _annotation,
    "answer": lambda p, a, c: apply_edit(p, SetAnswer(a, c, "relevance", "yes")),
    "time": lambda p, a, c: p.store.assignments.add_time(a, c, 42.0, utc_now()),
    "status": lambda p, a, c: set_status(p, a, c, "in_progress"),
}


@pytest.mark.parametrize("work", sorted(WORK))
def test_taking_back_worked_articles_is_refused_and_changes_nothing(team: Project, work: str) -> None:
    articles = ids(team)
    give_articles(team, articles[:6], "alice")
    WORK[work](team, articles[3], coder_id(team, "alice"))
    WORK[work](team, articles[5], coder_id(team, "alice"))
    before = dump(team.store.location)
    title = team.store.articles.get(articles[3]).title
    with pytest.raises(AssignmentError) as refused:
        take_back_articles(team, articles[:6], "alice")
    assert refused.value.message == (
        f"alice has already worked on '{title}' and 1 more of these articles, and work is never "
        "taken back from a coder, so no article was taken back."
    )
    assert dump(team.store.location) == before
    assert take_back_articles(team, articles[:3], "alice") == 3  # the unworked ones can go
    assert assigned(team) == {a: {"alice"} for a in articles[3:6]}


def test_unknown_coders_articles_and_adjudicators_are_refused(team: Project) -> None:
    articles = ids(team)
    give_articles(team, articles[:4], "alice")
    before = dump(team.store.location)
    with pytest.raises(AssignmentError, match="^There is no coder named 'dave' in this project"):
        give_articles(team, articles[:2], "dave")
    with pytest.raises(AssignmentError, match="^There is no coder named 'dave' in this project"):
        take_back_articles(team, articles[:2], "dave")
    with pytest.raises(AssignmentError) as unknown:
        give_articles(team, [articles[5], "no-such-id", "another"], "bob")
    assert unknown.value.message == (
        "There is no article with id 'no-such-id' in this project, nor for 1 more of the ids given."
    )
    with pytest.raises(AssignmentError, match="^There is no article with id 'x' in this project.$"):
        take_back_articles(team, [articles[0], "x"], "alice")
    with pytest.raises(AssignmentError, match="^gil is an adjudicator"):
        give_articles(team, articles[:2], "gil")
    with pytest.raises(AssignmentError, match="^gil is an adjudicator"):
        take_back_articles(team, articles[:2], "gil")
    assert dump(team.store.location) == before


def test_article_table_matches_the_per_coder_summary(team: Project) -> None:
    report = assign(team, ["alice", "bob", "carol"], overlap=0.2, seed=3)
    assert report.overlap == 6
    articles = team.store.articles.list()
    table = assignment_table(team)
    overlap_ids = [row.article_id for row in table if row.overlap]
    alice, bob = coder_id(team, "alice"), coder_id(team, "bob")
    code(team, team.store.articles.get(overlap_ids[0]), alice)  # done
    bobs = [row.article_id for row in table if "bob" in row.assigned_to]
    set_status(team, bobs[0], bob, "in_progress")
    team.store.assignments.add_time(bobs[0], bob, 90.0, utc_now())
    code(team, articles[0], coder_id(team, "gil"))  # the gold is not a column

    table = assignment_table(team)
    assert [row.article_id for row in table] == [a.id for a in articles]
    assert [row.position for row in table] == list(range(1, 31))
    assert [(row.title, row.source) for row in table] == [(a.title, a.source) for a in articles]
    assert sum(row.overlap for row in table) == 6
    assert all(len(row.assigned_to) == (3 if row.overlap else 1) for row in table)
    assert all("gil" not in row.coders for row in table)
    assert [c.name for c in assignable_coders(team)] == ["alice", "bob", "carol", "lena"]
    for load in assignment_summary(team):
        if load.role == "adjudicator":
            continue
        cells = [row.coders[load.name] for row in table if load.name in row.coders]
        statuses = Counter(cell.status for cell in cells)
        shown = (
            sum(cell.assigned for cell in cells), statuses["todo"], statuses["in_progress"],
            statuses["done"], sum(row.overlap and row.status(load.name) is not None for row in table),
        )
        assert shown == (load.assigned, load.todo, load.in_progress, load.done, load.overlap), load.name
    loads = {load.name: load for load in assignment_summary(team)}
    assert (loads["alice"].assigned, loads["alice"].done, loads["alice"].todo) == (14, 1, 13)
    assert (loads["bob"].in_progress, loads["bob"].seconds_spent) == (1, 90.0)
    assert loads["lena"].assigned == 0
