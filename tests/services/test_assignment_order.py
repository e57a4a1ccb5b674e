"""The lead's article table read in pieces (assignment_order / assignment_rows) gives
what the whole table (assignment_table) gives, sorted and filtered as the tab did in
Python: sort keys, filters by text, by nobody, by overlap and by coder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.team import ArticleAssignment
from app.services.adjudication import adjudication_progress, overlap_articles
from app.services.assignment import (
    assign,
    assignment_counts,
    assignment_order,
    assignment_rows,
    assignment_table,
    give_articles,
    take_back_articles,
)
from app.services.coding import set_status
from app.services.projects import Project, open_project
from tests.team_fixtures import code, team_project

pytestmark = pytest.mark.both_backends

STATUS_RANK = {None: 0, "todo": 1, "in_progress": 2, "done": 3}


@pytest.fixture
def team(project_location: str | Path, tmp_path: Path) -> Iterator[Project]:
    with team_project(project_location, n=30, folder=tmp_path) as project:
        assign(project, ["alice", "bob"], overlap=0.2, seed=3)
        articles = project.store.articles.list()
        give_articles(project, [articles[0].id], "carol")
        bob = project.store.coders.find("bob")
        assert bob is not None
        for article in articles[:12]:
            if any(r.article_id == article.id and r.status("bob") for r in assignment_table(project)):
                set_status(project, article.id, bob.id, "in_progress")
        yield project


def rank(row: ArticleAssignment, coder: str) -> int:
    cell = row.coders.get(coder)
    return STATUS_RANK[cell.status] + 4 * cell.assigned if cell else -1


def test_order_and_rows_match_the_whole_table(team: Project) -> None:
    table = assignment_table(team)
    by_id = {row.article_id: row for row in table}
    assert assignment_order(team) == [row.article_id for row in table]
    assert assignment_rows(team, list(by_id)) == by_id
    keys = {
        "title": lambda r: (r.title.casefold(), r.position),
        "source": lambda r: ((r.source or "").casefold(), r.position),
        "overlap": lambda r: (r.overlap, r.position),
    }
    for sort, key in keys.items():
        assert assignment_order(team, sort=sort) == [r.article_id for r in sorted(table, key=key)]
    expected = [r.article_id for r in sorted(table, key=lambda r: (rank(r, "bob"), r.position))]
    assert assignment_order(team, sort_coder="bob") == expected
    assert assignment_order(team, sort_coder="bob", descending=True) == expected[::-1]


def test_filters_match_the_whole_table(team: Project) -> None:
    table = assignment_table(team)
    needle = table[4].title.split()[1].lower()
    assert assignment_order(team, needle=needle) == [
        r.article_id for r in table if needle in f"{r.title}\n{r.source or ''}".casefold()
    ]
    couriers = [r.article_id for r in table if r.source == "Daily Courier"]
    assert couriers and assignment_order(team, needle="DAILY courier") == couriers  # ASCII case ignored
    assert assignment_order(team, show="unassigned") == [r.article_id for r in table if not r.assigned_to]
    assert assignment_order(team, show="overlap") == [r.article_id for r in table if r.overlap]
    assert assignment_order(team, show="carol") == [r.article_id for r in table if r.status("carol")]
    assert assignment_counts(team) == (len(table), sum(not r.assigned_to for r in table))


def test_overlap_articles_are_those_of_the_progress(team: Project) -> None:
    alice = team.store.coders.find("alice")
    assert alice is not None
    bob = team.store.coders.find("bob")
    assert bob is not None
    shared = [r.article_id for r in assignment_table(team) if r.status("alice") and r.status("bob")]
    for article_id in shared[:3]:
        for coder in (alice, bob):
            code(team, team.store.articles.get(article_id), coder.id)
    ids = overlap_articles(team)
    assert ids and ids == [p.article_id for p in adjudication_progress(team)]
    assert [p.article_id for p in adjudication_progress(team, None, ids[1:3])] == ids[1:3]


def test_orders_follow_every_change_of_the_file(team: Project) -> None:
    """The assignments are read once per state of the file: a change made by this
    project's own writes, or by another program with the file open, shows at the next
    sort or filter, never a stale order."""
    carol_first = assignment_order(team, show="carol")
    nobody = assignment_order(team, show="unassigned")
    by_bob = assignment_order(team, sort_coder="bob")
    assert carol_first and assignment_order(team, show="carol") == carol_first
    # This project's own write: bob starts the first article he has not begun.
    bob = team.store.coders.find("bob")
    assert bob is not None
    todo = next(r.article_id for r in assignment_table(team) if r.status("bob") == "todo")
    set_status(team, todo, bob.id, "in_progress")
    expected = [r.article_id for r in sorted(assignment_table(team), key=lambda r: (rank(r, "bob"), r.position))]
    assert assignment_order(team, sort_coder="bob") == expected != by_bob
    # Another program: the lead's command line takes carol's article back.
    with open_project(team.store.location) as other:
        assert take_back_articles(other, carol_first, "carol") == len(carol_first)
    assert assignment_order(team, show="carol") == []
    assert set(assignment_order(team, show="unassigned")) >= set(nobody)
    assert assignment_counts(team)[1] == len(assignment_order(team, show="unassigned"))
