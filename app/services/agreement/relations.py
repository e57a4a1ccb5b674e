"""Relation measures of the agreement report.

Per relation type and over all types: a relation matches when the other coder of the
pair has a relation of the same type between the spans its endpoints were matched to
(overlap matching), F1 as for spans; over all types also alpha on the types of the
endpoint pairs that both coders related. Same rules as
:func:`app.agreement.relation_agreement`, applied to every article of a pair at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from app.agreement.reliability_data import ReliabilityData, from_columns
from app.agreement.span_matching import match_exact
from app.core.codebook import Codebook
from app.services.agreement.figures import (
    ArticleResamples,
    Counts,
    Disagreements,
    Figure,
    Measure,
    Settings,
    Where,
    alpha_figure,
    f1_figure,
    with_f1_interval,
)
from app.services.agreement.matching import PairMatch
from app.services.agreement.units import CodedValue, Corpus, Disagreement

ALL = "*"
LEVEL = "through matched spans"


@dataclass(frozen=True, eq=False)
class PairRelations:
    """One pair's relations on the articles both finished: rows of
    :class:`RelationColumns` of each coder, the matched rows and the type pairs of
    the endpoint pairs both related."""

    rows_a: np.ndarray
    rows_b: np.ndarray
    matched_a: np.ndarray
    matched_b: np.ndarray
    type_pairs: tuple[np.ndarray, np.ndarray]


def _compare(corpus: Corpus, m: PairMatch, canon: np.ndarray, to_b: np.ndarray) -> PairRelations:
    """``to_b``: -1 for every span, as it is left (one array for every pair, not 1,000,000
    numbers written per pair)."""
    r = corpus.relations
    on_shared = m.shared[r.article]
    ra, rb = (np.flatnonzero(on_shared & (r.coder == corpus.coder_index(c))) for c in m.pair)
    mapped = canon[m.overlap[0]]
    to_b[mapped] = canon[m.overlap[1]]
    source, target = to_b[canon[r.source[ra]]], to_b[canon[r.target[ra]]]
    to_b[mapped] = -1
    carried = np.flatnonzero((source >= 0) & (target >= 0))
    ca, sa, ta = ra[carried], source[carried], target[carried]
    sb, tb = canon[r.source[rb]], canon[r.target[rb]]
    # Same type between the same (mapped) endpoints: a match, copies paired in order.
    ia, ib = match_exact(r.label[ca], sa, ta, r.label[rb], sb, tb)
    matched_a, matched_b = ca[ia], rb[ib]
    # The other relations between endpoints both related: pairs of differing types.
    rest_a = np.setdiff1d(np.arange(len(ca)), ia)
    rest_b = np.setdiff1d(np.arange(len(rb)), ib)
    ja, jb = match_exact(
        sa[rest_a], ta[rest_a], np.zeros(len(rest_a)),
        sb[rest_b], tb[rest_b], np.zeros(len(rest_b)),
    )
    first = np.concatenate([r.label[matched_a], r.label[ca[rest_a[ja]]]])
    second = np.concatenate([r.label[matched_b], r.label[rb[rest_b[jb]]]])
    return PairRelations(ra, rb, matched_a, matched_b, (first, second))


def _disagreements(corpus: Corpus, compared: Sequence[tuple[PairMatch, PairRelations]], t: int) -> list[Disagreement]:
    r, s = corpus.relations, corpus.spans
    name = corpus.relation_types[t]
    found = []
    for p, (m, pr) in enumerate(compared):
        a, b = m.pair
        for side, (coder, other, rows, hit) in enumerate(
            ((a, b, pr.rows_a, pr.matched_a), (b, a, pr.rows_b, pr.matched_b))
        ):
            for row in rows[~np.isin(rows, hit) & (r.label[rows] == t)].tolist():
                article = corpus.articles[r.article[row]]
                x, y = r.source[row], r.target[row]
                text = f"{article.text[s.start[x]:s.end[x]]} \u2192 {article.text[s.start[y]:s.end[y]]}"
                values = (CodedValue(coder, name, text=text), CodedValue(other, None))
                disagreement = Disagreement(article.id, article.title, "unmatched", name, values)
                found.append((int(r.article[row]), p, side, row, disagreement))
    found.sort(key=lambda item: item[:4])
    return [item[4] for item in found]


def relation_measures(
    corpus: Corpus, codebook: Codebook, matches: Sequence[PairMatch], settings: Settings
) -> list[Measure]:
    """One measure per relation type, then one over all types (key ``relation:*``)."""
    types = list(range(len(codebook.relation_types)))
    r = corpus.relations
    n_articles, n_types = len(corpus.articles), max(len(corpus.relation_types), 1)
    key = r.article * n_types + r.label
    if len(r.article):
        canon = corpus.spans.canonical()
        to_b = np.full(len(corpus.spans), -1, dtype=np.int64)
        compared = [(m, _compare(corpus, m, canon, to_b)) for m in matches]
    else:  # no relation to compare: no endpoint to map either
        none = np.zeros(0, dtype=np.int64)
        compared = [(m, PairRelations(none, none, none, none, (none, none))) for m in matches]

    def count(rows: np.ndarray) -> np.ndarray:
        return np.bincount(key[rows], minlength=n_articles * n_types).reshape(n_articles, n_types)

    def summed(rows: Callable[[PairRelations], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Counts by pair and type (pairs, types) and by article and type, summed over the
        pairs (articles, types): no (pairs, articles, types) array, which at 190 pairs
        and 10,000 articles took longer to build than the relations to compare."""
        by_pair = np.zeros((len(compared), n_types), dtype=np.int64)
        by_article = np.zeros((n_articles, n_types), dtype=np.int64)
        for p, (_, pr) in enumerate(compared):
            found = count(rows(pr))
            by_pair[p] = found.sum(axis=0)
            by_article += found
        return by_pair, by_article

    kinds: tuple[Callable[[PairRelations], np.ndarray], ...] = (
        lambda pr: pr.rows_a, lambda pr: pr.rows_b, lambda pr: pr.matched_a,
    )
    sums = [summed(rows) for rows in kinds]
    every_article = np.ones(n_articles, dtype=bool)
    resamples = ArticleResamples(settings)

    def f1(chosen: list[int], whole: bool, where: Where, pair: int | None = None, article: int | None = None) -> Figure:
        if pair is not None:
            total = Counts(*(int(by_pair[pair, chosen].sum()) for by_pair, _ in sums))
        else:
            rows = slice(None) if article is None else article
            total = Counts(*(int(by_article[rows, chosen].sum()) for _, by_article in sums))
        figure = f1_figure(total, LEVEL, where, "f1_micro" if whole else "f1")
        if article is not None or not settings.n_bootstrap:
            return figure
        mask = every_article if pair is None else matches[pair].shared
        counts = tuple(
            (by_article if pair is None else count(rows(compared[pair][1])))[mask][:, chosen]
            for rows, (_, by_article) in zip(kinds, sums, strict=True)
        )
        return with_f1_interval(figure, counts, resamples)

    def type_units(pairs: Sequence[PairRelations]) -> ReliabilityData:
        names = np.array(corpus.relation_types, dtype=object)
        first = np.concatenate([pr.type_pairs[0] for pr in pairs] or [np.zeros(0, np.int64)])
        second = np.concatenate([pr.type_pairs[1] for pr in pairs] or [np.zeros(0, np.int64)])
        return from_columns({"first": names[first].tolist(), "second": names[second].tolist()})

    lists = {t: Disagreements(partial(_disagreements, corpus, compared, t)) for t in types}
    marked = sums[0][1] + sums[1][1]
    measures = []
    for t in [*types, None]:
        whole = t is None
        chosen = types if t is None else [t]
        every = Where("pooled", corpus.coders)
        figures = [f1(chosen, whole, every)]
        if whole:
            figures.append(alpha_figure(type_units([pr for _, pr in compared]), settings, every))
        pairs = []
        for p, (m, pr) in enumerate(compared):
            where = Where("pair", m.pair)
            pairs.append(f1(chosen, whole, where, pair=p))
            if whole:
                pairs.append(alpha_figure(type_units([pr]), settings, where))
        articles = [
            f1(chosen, whole, Where("article", corpus.done[corpus.articles[k].id], corpus.articles[k].id), article=k)
            for k in np.flatnonzero(marked[:, chosen].sum(axis=1) > 0).tolist()
        ] if settings.per_article else []
        found = Disagreements(lambda: [d for x in types for d in lists[x]]) if t is None else lists[t]
        name = ALL if t is None else corpus.relation_types[t]
        measures.append(
            Measure(
                "relations", f"relation:{name}", "All relation types" if whole else name,
                "all relation types" if whole else "relation type", tuple(figures),
                tuple(pairs), tuple(articles), found,
            )
        )
    return measures
