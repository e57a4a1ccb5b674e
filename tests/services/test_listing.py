"""A coder's article list read in pieces: the order the store sorts and filters (with and
without assignments), the rows of some articles, the counts, and moving through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.assignment import assign
from app.services.coding import (
    TRAINING,
    ArticleOrder,
    article_listing,
    article_order,
    listing_order,
    listing_rows,
    listing_summary,
    set_status,
)
from app.services.importing import import_articles
from app.services.projects import Project

pytestmark = pytest.mark.both_backends

ARTICLES = [  # title, source, published, language
    ("Zeta: recruits sent to the front", "Reuters", "2024-03-05", "en"),
    ("alpha: prisoners pardoned", "meduza.io", "2024-01-20", "en"),
    ("Вербовка мигрантов", "Novaya Gazeta", None, "ru"),
    ("Beta: contracts under threat", None, "2024-02-11", "en"),
    ("gamma: a colony emptied", "Reuters", "2023-12-30", "en"),
]


@pytest.fixture
def listed(project: Project, tmp_path: Path) -> tuple[Project, str, list[str]]:
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for i, (title, source, published, language) in enumerate(ARTICLES):
            row = {"title": title, "text": f"{title}. Body {i}.", "language": language}
            row.update({k: v for k, v in (("source", source), ("published", published)) if v})
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    import_articles(project, [feed], model="no_such_pipeline_xyz")
    ana = project.store.coders.get_or_create("ana").id
    ids = [a.id for a in project.store.articles.list()]
    return project, ana, ids


def titles(project: Project, coder_id: str, ids: list[str]) -> list[str]:
    rows = listing_rows(project, coder_id, ids)
    return [rows[i].title for i in ids]


def test_every_sort_key_both_ways_without_assignments(listed) -> None:  # noqa: ANN001
    project, ana, ids = listed
    assert listing_order(project, ana) == ids  # import order
    by_title = titles(project, ana, listing_order(project, ana, sort="title"))
    assert by_title == sorted((a[0] for a in ARTICLES), key=str.casefold)
    assert titles(project, ana, listing_order(project, ana, sort="title", descending=True)) == by_title[::-1]
    by_source = [listing_rows(project, ana, [i])[i].source or "" for i in listing_order(project, ana, sort="source")]
    assert by_source == sorted((a[1] or "" for a in ARTICLES), key=str.casefold)
    by_date = [listing_rows(project, ana, [i])[i].published or "" for i in listing_order(project, ana, sort="published")]
    assert by_date == sorted(a[2] or "" for a in ARTICLES)
    set_status(project, ids[3], ana, "in_progress")
    project.store.assignments.set_status(ids[1], ana, "done", "t")
    by_status = listing_order(project, ana, sort="status")
    assert by_status[-2:] == [ids[3], ids[1]] and by_status[:3] == [ids[0], ids[2], ids[4]]


def test_filters_by_status_and_by_text_in_title_or_source(listed) -> None:  # noqa: ANN001
    project, ana, ids = listed
    project.store.assignments.set_status(ids[1], ana, "done", "t")
    set_status(project, ids[2], ana, "in_progress")
    assert listing_order(project, ana, status="done") == [ids[1]]
    assert listing_order(project, ana, status="in_progress") == [ids[2]]
    assert listing_order(project, ana, status="todo") == [ids[0], ids[3], ids[4]]
    assert listing_order(project, ana, needle="reuters") == [ids[0], ids[4]]  # the source
    assert listing_order(project, ana, needle="PRISONERS") == [ids[1]]
    assert listing_order(project, ana, needle="Вербовка") == [ids[2]]
    assert listing_order(project, ana, needle="50%_off") == []  # LIKE's wildcards are literal
    assert listing_order(project, ana, needle="reuters", status="todo", sort="published") == [ids[4], ids[0]]


def test_with_assignments_a_coder_lists_only_their_articles_and_statuses(listed) -> None:  # noqa: ANN001
    project, ana, ids = listed
    bob = project.store.coders.get_or_create("bob").id
    assign(project, ["ana", "bob"], overlap=0.0, seed=3)
    mine = [r.id for r in article_listing(project, ana)]
    theirs = [r.id for r in article_listing(project, bob)]
    assert mine and theirs and not set(mine) & set(theirs)
    assert listing_order(project, ana) == mine
    project.store.assignments.set_status(mine[0], ana, "done", "t")
    assert listing_order(project, ana, status="done") == [mine[0]]
    assert listing_order(project, bob, status="done") == []
    assert set(listing_order(project, ana, sort="title")) == set(mine)
    summary = listing_summary(project, ana)
    assert (summary.total, summary.done) == (len(mine), 1)
    assert set(listing_rows(project, ana, ids)) >= set(mine)
    assert listing_rows(project, ana, [mine[0]])[mine[0]].status == "done"


def test_training_articles_lead_the_order_and_are_marked(listed) -> None:  # noqa: ANN001
    project, ana, ids = listed
    # The training set as mark_training keeps it (its gold is tested in test_training_order).
    project.store.update_settings({TRAINING: [ids[3], ids[1]]})
    order = article_order(project, ana)
    assert order.ids[:2] == [ids[3], ids[1]]
    assert order.ids == [r.id for r in article_listing(project, ana)]
    assert listing_order(project, ana) == order.ids
    assert order.is_training(ids[3]) and not order.is_training(ids[0])
    assert listing_rows(project, ana, [ids[3]])[ids[3]].training


def test_summary_counts_and_columns(listed) -> None:  # noqa: ANN001
    project, ana, ids = listed
    project.store.assignments.set_status(ids[0], ana, "done", "t")
    summary = listing_summary(project, ana)
    assert (summary.total, summary.done, summary.with_source, summary.with_date) == (5, 1, True, True)
    assert summary.languages == 2


def test_article_order_moves_and_wraps_without_reading_the_project() -> None:
    order = ArticleOrder([("a", "done"), ("b", "todo"), ("c", "done"), ("d", "in_progress")], ["c"])
    assert len(order) == 4 and order.position("c") == 2 and order.position("x") == -1
    assert order.next_unfinished("b") == "d"
    assert order.next_unfinished("d") == "b"  # wraps, skipping done ones
    assert order.next_unfinished(None) == "b"
    assert order.set_status("b", "done") and not order.set_status("x", "done")
    assert order.next_unfinished("d") is None and order.done() == 3
    assert order[2] == ("c", "done", True) and order.is_training("c")
    assert [row.id for row in order] == ["a", "b", "c", "d"]


def test_a_coders_count_of_matching_articles_stops_at_the_cap(listed, monkeypatch) -> None:  # noqa: ANN001
    """When the hits are cut, a blinded coder's matching articles are counted only up to
    the cap (each costs a lookup); below it, and for every hit shown, the count is exact."""
    from app.services import search as search_service

    project, ana, ids = listed
    filters = search_service.search_filters(project, ana, status="todo")
    everything = search_service.search(project, "body", filters, limit=100)
    assert (everything.articles, everything.truncated, everything.articles_at_least) == (5, False, False)
    monkeypatch.setattr(search_service, "COUNT_CAP", 2)
    cut = search_service.search(project, "body", filters, limit=3)
    assert cut.truncated and (cut.articles, cut.articles_at_least) == (2, True)
    monkeypatch.setattr(search_service, "COUNT_CAP", 10)
    cut = search_service.search(project, "body", filters, limit=3)
    assert cut.truncated and (cut.articles, cut.articles_at_least) == (5, False)
