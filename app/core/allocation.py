"""Who codes which article: a pure, reproducible allocation with an overlap sample.

Every article goes to exactly one coder, in balanced counts, except an overlap sample
that every listed coder codes (for agreement). The sample is stratified by source, so
that each outlet is represented in proportion, and drawn from a seeded generator: the
same articles, coders, share and seed always give the same allocation. Work already
done is never taken away: ``kept`` pairs stay, and an article someone has worked on
is not handed to a second coder unless it falls in the overlap sample.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Allocation:
    """article id -> the coders who code it, and which articles are in the overlap."""

    coders_of: dict[str, tuple[str, ...]]
    overlap: frozenset[str]

    def count(self, coder: str) -> int:
        return sum(coder in coders for coders in self.coders_of.values())


def overlap_size(n_articles: int, share: float, n_coders: int) -> int:
    """How many articles every coder codes: none unless two or more coders share the work."""
    if n_coders < 2 or n_articles == 0:
        return 0
    return min(n_articles, round(share * n_articles))


def stratified_sample(
    articles: Sequence[tuple[str, str | None]], size: int, rng: random.Random
) -> list[str]:
    """``size`` article ids drawn from each source in proportion to its share.

    Quotas follow the largest-remainder method; ties go to the larger source, then to
    the source whose name sorts first, so the result depends on the seed alone.
    """
    if size <= 0:
        return []
    strata: dict[str, list[str]] = {}
    for article_id, source in articles:
        strata.setdefault(source or "", []).append(article_id)
    total = len(articles)
    exact = {name: size * len(ids) / total for name, ids in strata.items()}
    quota = {name: math.floor(value) for name, value in exact.items()}
    left = size - sum(quota.values())
    by_remainder = sorted(strata, key=lambda name: (-(exact[name] - quota[name]), -len(strata[name]), name))
    for name in by_remainder[:left]:
        quota[name] += 1
    sample: list[str] = []
    for name in sorted(strata):
        sample.extend(rng.sample(strata[name], quota[name]))
    return sample


def allocate(
    articles: Sequence[tuple[str, str | None]],
    coders: Sequence[str],
    *,
    share: float,
    seed: int,
    kept: Mapping[str, set[str]] | None = None,
) -> Allocation:
    """Allocate ``articles`` (id, source), in project order, to ``coders``.

    ``kept`` maps an article to the coders whose work on it must stay (any coder, listed
    or not). A kept article outside the overlap stays with its kept coders; one with a
    listed kept coder counts towards that coder's share, so the rest is balanced around it.
    """
    if not coders:
        raise ValueError("at least one coder is needed")
    if not 0.0 <= share <= 1.0:
        raise ValueError("the overlap share must be between 0 and 1")
    kept = kept or {}
    rng = random.Random(seed)
    overlap = set(stratified_sample(articles, overlap_size(len(articles), share, len(coders)), rng))
    load = dict.fromkeys(coders, 0)
    coders_of: dict[str, set[str]] = {}
    free: list[str] = []
    for article_id, _source in articles:
        keepers = set(kept.get(article_id, ()))
        if article_id in overlap:
            coders_of[article_id] = set(coders) | keepers
        elif keepers:
            coders_of[article_id] = keepers
            listed = [c for c in coders if c in keepers]
            if listed:
                load[listed[0]] += 1
        else:
            free.append(article_id)
    rng.shuffle(free)
    order = {coder: index for index, coder in enumerate(coders)}
    # The least loaded coder, the first listed among equals: a heap, not a scan per article.
    least = [(load[c], order[c], c) for c in coders]
    heapq.heapify(least)
    for article_id in free:
        count, index, coder = heapq.heappop(least)
        heapq.heappush(least, (count + 1, index, coder))
        coders_of[article_id] = {coder}
    return Allocation(
        coders_of={
            article_id: tuple(group) if len(group := coders_of[article_id]) == 1
            else tuple(sorted(group, key=lambda c: (order.get(c, len(order)), c)))
            for article_id, _source in articles
        },
        overlap=frozenset(overlap),
    )
