"""The fast paths of ``assign``: the store's pairs are what ``work_states`` says, and the
allocation hands each free article to the least loaded coder (the first listed among
equals) exactly as a scan over the coders would."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from app.core.allocation import allocate
from app.services.assignment import assign
from tests.team_fixtures import code, team_project

pytestmark = pytest.mark.both_backends


def test_free_articles_go_to_the_least_loaded_coder_first_listed_among_equals() -> None:
    rng = random.Random(4)
    for trial in range(20):
        n = rng.randint(1, 400)
        articles = [(f"a{i}", rng.choice(("s1", "s2", None))) for i in range(n)]
        coders = [f"c{i}" for i in rng.sample(range(12), rng.randint(1, 6))]
        kept = {f"a{i}": {rng.choice([*coders, "other"])} for i in rng.sample(range(n), min(n, rng.randint(0, 20)))}
        allocation = allocate(articles, coders, share=rng.random() / 2, seed=trial, kept=kept)
        counts = dict.fromkeys(coders, 0)
        for article_id, _source in articles:
            group = allocation.coders_of[article_id]
            if article_id in allocation.overlap:
                assert set(group) >= set(coders)
                continue
            if article_id in kept:
                listed = [c for c in coders if c in kept[article_id]]
                if listed:
                    counts[listed[0]] += 1
                continue
            assert len(group) == 1
            counts[group[0]] += 1
        # Balanced: no listed coder has two more of the free and kept articles than another,
        # unless kept work alone made the difference.
        free_counts = [counts[c] for c in coders]
        kept_most = max((sum(1 for a in kept if c in kept[a]) for c in coders), default=0)
        assert max(free_counts) - min(free_counts) <= max(1, kept_most), (trial, counts)
        # The first listed among equals: with nothing kept, the counts fall in list order.
        if not kept:
            assert free_counts == sorted(free_counts, reverse=True), (trial, free_counts)


def test_pairs_are_the_work_states(project_location: str | Path, tmp_path: Path) -> None:
    with team_project(project_location, n=20, folder=tmp_path) as project:
        assign(project, ["alice", "bob"], overlap=0.2, seed=1)
        carol = project.store.coders.find("carol")
        article = project.store.articles.list()[0]
        code(project, article, carol.id)  # work on an article carol is not assigned
        assigned, worked = project.store.assigning.pairs()
        states = project.store.assigning.work_states()
        assert assigned == {(s.article_id, s.coder_id) for s in states if s.assigned}
        assert worked == {(s.article_id, s.coder_id) for s in states if s.has_work}
        assert (article.id, carol.id) in worked - assigned
