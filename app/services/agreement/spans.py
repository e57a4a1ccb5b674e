"""Span measures of the agreement report.

Per label and over all labels: precision, recall and F1 per coder pair with exact and
overlap matching (counts summed over the articles both coders finished; pooled over
pairs by summing the counts of every pair), and Krippendorff's alpha_U on each
article's continuum ``[0, len(text))``. The pooled alpha_U is computed on the continuum
made by concatenating the articles (each shifted by the lengths before it): per pair
over the articles both finished, and for all coders over the articles every coder
finished. On the same continua, γ and γ-cat over all labels and γ-k per label
(:mod:`app.services.agreement.gamma`).

Counts come from one matching per coder pair over all articles
(:func:`app.services.agreement.matching.compare_pairs`), tallied with ``bincount`` by pair,
article and label; alpha_U of every article comes from one batched computation
(:func:`app.agreement.unitizing_batch.alpha_u_by_segment`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import combinations
from typing import Any

import numpy as np

from app.agreement.unitizing import NO_VARIATION
from app.agreement.unitizing_batch import alpha_u_by_segment, alpha_u_parts, merge_overlaps
from app.agreement.unitizing_pairs import expected_by_pair
from app.core.codebook import Codebook
from app.services.agreement.figures import (
    NAN,
    ArticleResamples,
    Counts,
    Disagreements,
    Figure,
    Measure,
    Settings,
    Where,
    f1_figure,
    macro_f1_figure,
    with_f1_interval,
)
from app.services.agreement.gamma import gamma_figures
from app.services.agreement.matching import PairMatch
from app.services.agreement.units import CodedValue, Corpus, Disagreement

ALL = "*"
MODES = ("exact", "overlap")
NOTHING_MARKED = "No coder marked any unit; there is nothing to compare."


@dataclass(frozen=True, eq=False)
class Unitized:
    """alpha_U parts per label on one continuum (``problem`` when there is none)."""

    d_o: np.ndarray | None
    d_e: np.ndarray | None
    n: np.ndarray | None
    parts: dict[str, object]
    problem: str | None = None


@dataclass(frozen=True, eq=False)
class Merged:
    """The spans on the concatenated continuum of all articles, overlaps merged per
    coder and label (alpha_U needs a coder's units of one label not to overlap)."""

    coder: np.ndarray
    label: np.ndarray
    begin: np.ndarray
    end: np.ndarray
    article: np.ndarray
    before: np.ndarray  # spans per article and coder before merging, (articles, coders)
    after: np.ndarray
    rows: list[np.ndarray]  # each coder's merged spans (they are sorted by coder)


def _merged(corpus: Corpus) -> Merged:
    s = corpus.spans
    # The units are the ranges the spans cover: a discontinuous span's fragments, never
    # the words between them.
    rows, starts, ends = s.units()
    lifted = corpus.offsets[s.article[rows]]
    coder, label, begin, end, _ = merge_overlaps(s.coder[rows], s.label[rows], lifted + starts, lifted + ends)
    article = np.searchsorted(corpus.offsets, begin, side="right") - 1
    shape = corpus.members.shape
    size = shape[0] * shape[1]
    count = lambda a, c: np.bincount(a * shape[1] + c, minlength=size).reshape(shape)  # noqa: E731
    by_coder = np.searchsorted(coder, np.arange(shape[1] + 1))
    return Merged(
        coder, label, begin, end, article, count(s.article[rows], s.coder[rows]), count(article, coder),
        [np.arange(by_coder[i], by_coder[i + 1]) for i in range(shape[1])],
    )


def _unitize(
    corpus: Corpus, merged: Merged, chosen: np.ndarray, coders: Sequence[str],
    by_pair: dict[tuple[int, int], np.ndarray] | None = None,
) -> Unitized:
    """Pooled alpha_U parts over the articles ``chosen`` (a mask) and these coders;
    ``by_pair``: the observed sums of each coder pair per article (their sum over the
    chosen articles is the pair's over the concatenated continuum)."""
    if not chosen.any():
        return Unitized(None, None, None, {}, f"No article was finished by all {len(coders)} coders.")
    index = np.array(sorted(corpus.coder_index(c) for c in coders), dtype=np.int64)
    lengths = np.diff(corpus.offsets)
    shifted = np.cumsum(np.where(chosen, lengths, 0)) - np.where(chosen, lengths, 0)
    # The coders' spans on the chosen articles, coder by coder: still in (coder, label,
    # begin) order, as alpha_U takes them.
    keep = np.concatenate([np.zeros(0, dtype=np.int64), *(r[chosen[merged.article[r]]] for r in (merged.rows[i] for i in index.tolist()))])
    article = merged.article[keep]
    move = shifted[article] - corpus.offsets[article]
    length = int(lengths[chosen].sum())
    gone = merged.before[np.ix_(chosen, index)].sum() - merged.after[np.ix_(chosen, index)].sum()
    parts: dict[str, object] = {
        "n_articles": int(chosen.sum()), "continuum_length": length, "merged_spans": int(gone),
    }
    if not len(keep):
        return Unitized(None, None, None, parts, NOTHING_MARKED)
    local = np.full(len(corpus.coders), -1, dtype=np.int64)
    local[index] = np.arange(len(index))
    observed = None
    if by_pair is not None:  # the pairs in the order alpha_U sums them
        observed = np.zeros(len(corpus.labels))
        for i, j in combinations(index.tolist(), 2):
            if (i, j) in by_pair:
                observed += by_pair[(i, j)][chosen].sum(axis=0)
    d_o, d_e, n = alpha_u_parts(
        local[merged.coder[keep]], merged.begin[keep] + move, merged.end[keep] + move, merged.label[keep],
        len(index), len(corpus.labels), 0, length, observed,
    )
    return Unitized(d_o, d_e, n, parts)


def _unitize_pairs(
    corpus: Corpus, merged: Merged, matches: Sequence[PairMatch], by_pair: dict[tuple[int, int], np.ndarray]
) -> list[Unitized]:
    """:func:`_unitize` of every coder pair over the articles both finished: the
    expected parts of the pairs that finished the same articles in one computation
    (:func:`app.agreement.unitizing_pairs.expected_by_pair`)."""
    out: list[Unitized | None] = [None] * len(matches)
    alike: dict[bytes, list[int]] = {}
    for p, m in enumerate(matches):
        alike.setdefault(np.packbits(m.shared).tobytes(), []).append(p)
    lengths = np.diff(corpus.offsets)
    gone = merged.before - merged.after
    for chosen_pairs in alike.values():
        chosen = matches[chosen_pairs[0]].shared
        if not chosen.any():
            for p in chosen_pairs:
                out[p] = _unitize(corpus, merged, chosen, matches[p].pair)
            continue
        index = [sorted(corpus.coder_index(c) for c in matches[p].pair) for p in chosen_pairs]
        coders = sorted({k for pair in index for k in pair})
        shifted = np.cumsum(np.where(chosen, lengths, 0)) - np.where(chosen, lengths, 0)
        keep = np.concatenate([np.zeros(0, dtype=np.int64), *(r[chosen[merged.article[r]]] for r in (merged.rows[i] for i in coders))])
        move = shifted[merged.article[keep]] - corpus.offsets[merged.article[keep]]
        length = int(lengths[chosen].sum())
        d_e, n = expected_by_pair(
            merged.coder[keep], merged.begin[keep] + move, merged.end[keep] + move, merged.label[keep],
            len(corpus.labels), length, [(i, j) for i, j in index],
        )
        removed = gone[chosen].sum(axis=0)
        for row, (p, (i, j)) in enumerate(zip(chosen_pairs, index, strict=True)):
            parts: dict[str, object] = {
                "n_articles": int(chosen.sum()), "continuum_length": length,
                "merged_spans": int(removed[i] + removed[j]),
            }
            if not n[row].sum():
                out[p] = Unitized(None, None, None, parts, NOTHING_MARKED)
                continue
            summed = np.zeros(len(corpus.labels))
            if (i, j) in by_pair:
                summed += by_pair[(i, j)][chosen].sum(axis=0)
            # As alpha_u_parts: m = 2 coders on one continuum of this length.
            big_l = float(length)
            d_o = 2.0 * summed / (2.0 * (2.0 - 1.0) * (big_l * big_l))
            out[p] = Unitized(d_o, d_e[row], n[row], parts)
    return [u for u in out if u is not None]


def _by_article(
    corpus: Corpus, merged: Merged, by_pair: dict[tuple[int, int], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return alpha_u_by_segment(
        merged.article, merged.coder, merged.begin, merged.end, merged.label,
        corpus.offsets[:-1], corpus.offsets[1:], corpus.members, len(corpus.labels),
        by_pair=by_pair,
    )


def _alpha_u(found: Unitized, label: int | None, where: Where) -> Figure:
    value, d_o, d_e, n_units, note = NAN, None, None, 0, found.problem
    if found.problem is None and found.n is not None:
        assert found.d_o is not None and found.d_e is not None
        present = found.n > 0
        if label is None:
            d_o, d_e = float(found.d_o[present].sum()), float(found.d_e[present].sum())
            n_units = int(found.n.sum())
            note = NO_VARIATION if d_e == 0.0 else None
            value = NAN if d_e == 0.0 else 1.0 - d_o / d_e
        elif not present[label]:
            note = "No coder marked a span of this label."
        else:
            d_o, d_e = float(found.d_o[label]), float(found.d_e[label])
            n_units = int(found.n[label])
            note = NO_VARIATION if d_e == 0.0 else None
            value = NAN if d_e == 0.0 else 1.0 - d_o / d_e
    parts = found.parts
    if where.scope != "article" and parts:
        pooled = (
            f"Pooled over the concatenated continuum of {parts['n_articles']} articles "
            f"({parts['continuum_length']} characters)."
        )
        note = f"{pooled} {note}" if note else pooled
    components = {"observed_disagreement": d_o, "expected_disagreement": d_e, **parts}
    return Figure(
        "unitizing_alpha", value, where.scope, "alpha_U", n_units, len(where.coders),
        components, None, where.coders, where.article_id, note,
    )


@dataclass(frozen=True, eq=False)
class Tally:
    """Spans of the first and second coder and matches, by pair, article and label.

    ``rows`` holds each pair's rows of the first coder's spans (``n_a``), of the second's
    (``n_b``) and of the first coder's matched spans (``exact``, ``overlap``). The sums a
    report reads are counted pair by pair; the (pairs, articles, labels) arrays only
    for intervals."""

    key: np.ndarray  # each span's article * labels + label
    rows: dict[str, list[np.ndarray]]
    n_articles: int
    n_labels: int

    @classmethod
    def of(cls, corpus: Corpus, matches: Sequence[PairMatch]) -> Tally:
        s = corpus.spans
        n_labels = len(corpus.labels)
        return cls(
            s.article * n_labels + s.label,
            {
                "n_a": [m.rows_a for m in matches],
                "n_b": [m.rows_b for m in matches],
                "exact": [m.exact[0] for m in matches],
                "overlap": [m.overlap[0] for m in matches],
            },
            len(corpus.articles),
            n_labels,
        )

    def _count(self, rows: np.ndarray) -> np.ndarray:
        size = self.n_articles * self.n_labels
        return np.bincount(self.key[rows], minlength=size).reshape(self.n_articles, self.n_labels)

    @cached_property
    def _by_pair(self) -> dict[str, np.ndarray]:
        """Each count as an array (pairs, articles, labels)."""
        empty = np.zeros((0, self.n_articles, self.n_labels), dtype=np.int64)
        return {
            name: np.stack([self._count(r) for r in rows]) if rows else empty
            for name, rows in self.rows.items()
        }

    def per_article(
        self, mode: str, labels: Sequence[int], pair: int | None, articles: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts per article (``articles``: a mask) and label, summed over pairs unless one."""
        return tuple(
            (x.sum(axis=0) if pair is None else x[pair])[articles][:, list(labels)]
            for x in (self._by_pair[name] for name in ("n_a", "n_b", mode))
        )

    @cached_property
    def _totals(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each count summed over articles (pairs, labels) and over pairs (articles, labels)."""
        out = {}
        for name, rows in self.rows.items():
            by_article = np.zeros((self.n_articles, self.n_labels), dtype=np.int64)
            by_pair = np.zeros((len(rows), self.n_labels), dtype=np.int64)
            for p, r in enumerate(rows):
                found = self._count(r)
                by_pair[p] = found.sum(axis=0)
                by_article += found
            out[name] = (by_pair, by_article)
        return out

    @cached_property
    def _sums(self) -> dict[str, dict[str, Any]]:
        """Each count summed over articles (by pair), over pairs (by article) and over
        both, as nested lists: a report reads them once per figure, 100,000s of times."""
        return {
            name: {"pair": by_pair.tolist(), "article": by_article.tolist(), "all": by_article.sum(axis=0).tolist()}
            for name, (by_pair, by_article) in self._totals.items()
        }

    def by_article(self) -> tuple[list[list[int]], list[list[int]], dict[str, list[list[int]]]]:
        """The first coder's spans, the second's and the matches of each mode, summed over
        pairs, as nested lists (articles, labels)."""
        sums = self._sums
        return sums["n_a"]["article"], sums["n_b"]["article"], {m: sums[m]["article"] for m in MODES}

    def marked(self) -> np.ndarray:
        """Spans of both coders of every pair, by article and label."""
        return self._totals["n_a"][1] + self._totals["n_b"][1]

    def counts(self, mode: str, label: int, pair: int | None = None, article: int | None = None) -> Counts:
        if pair is not None and article is not None:
            found = [self._by_pair[name][pair, article, label] for name in ("n_a", "n_b", mode)]
            return Counts(int(found[0]), int(found[1]), int(found[2]))
        scope, at = ("all", None) if pair is None and article is None else ("pair", pair) if article is None else ("article", article)
        found = [self._sums[name][scope] for name in ("n_a", "n_b", mode)]
        if at is not None:
            found = [x[at] for x in found]
        return Counts(int(found[0][label]), int(found[1][label]), int(found[2][label]))


def _f1s(tally: Tally, labels: Sequence[int], whole: bool, where: Where, **scope: int | None) -> list[Figure]:
    return _label_f1s({m: [tally.counts(m, x, **scope) for x in labels] for m in MODES}, whole, where)


def _article_f1s(rows: tuple[Any, Any, dict[str, Any]], k: int, labels: Sequence[int], whole: bool, where: Where) -> list[Figure]:
    """:func:`_f1s` of article ``k`` from the per-article counts as lists (``rows``: the
    first coder's spans, the second's and the matches by mode, each articles x labels):
    a report builds these for every article and label, 140,000 figures at 10,000
    articles, so each count is read directly."""
    n_a, n_b, hits = rows[0][k], rows[1][k], {m: rows[2][m][k] for m in MODES}
    return _label_f1s({m: [Counts(n_a[x], n_b[x], hits[m][x]) for x in labels] for m in MODES}, whole, where)


def _label_f1s(per_label: dict[str, list[Counts]], whole: bool, where: Where) -> list[Figure]:
    """F1 of each mode from the counts of each label: of the one label, or (``whole``)
    micro and macro over them."""
    if not whole:
        return [f1_figure(per_label[m][0], m, where) for m in MODES]
    micro = {m: Counts() for m in MODES}
    for m in MODES:
        for c in per_label[m]:
            micro[m].add(c.n_a, c.n_b, c.matched)
    return [f1_figure(micro[m], m, where, "f1_micro") for m in MODES] + [
        macro_f1_figure(per_label[m], m, where) for m in MODES
    ]


def _span_disagreements(corpus: Corpus, matches: Sequence[PairMatch], label: int) -> list[Disagreement]:
    """Spans of ``label`` one coder of a pair marked and the other did not, and overlapping
    spans whose boundaries differ, by article, coder pair and position."""
    s = corpus.spans
    columns: list[tuple[np.ndarray, ...]] = []  # pair, kind, first row, second row (-1: none)
    for p, m in enumerate(matches):
        for side, (rows, hit) in enumerate(((m.rows_a, m.overlap[0]), (m.rows_b, m.overlap[1]))):
            loose = rows[(s.label[rows] == label) & ~np.isin(rows, hit)]
            columns.append((np.full(len(loose), p), np.full(len(loose), side), loose, np.full(len(loose), -1)))
        xa, xb = m.overlap
        moved = (s.label[xa] == label) & (~np.isin(xa, m.exact[0]) | ~np.isin(xb, m.exact[1]))
        columns.append((np.full(int(moved.sum()), p), np.full(int(moved.sum()), 2), xa[moved], xb[moved]))
    if not columns:
        return []
    pair, kind, first, second = (np.concatenate(c).astype(np.int64) for c in zip(*columns, strict=True))
    order = np.lexsort((s.start[first], kind, pair, s.article[first]))
    starts, ends, articles = s.start.tolist(), s.end.tolist(), s.article.tolist()
    name = corpus.labels[label]
    out = []
    for p, k, x, y in zip(*(c[order].tolist() for c in (pair, kind, first, second)), strict=True):
        article = corpus.articles[articles[x]]
        a, b = corpus.pairs[p] if k != 1 else corpus.pairs[p][::-1]
        mine = CodedValue(a, name, starts[x], ends[x], article.text[starts[x]:ends[x]])
        if k == 2:
            theirs = CodedValue(b, name, starts[y], ends[y], article.text[starts[y]:ends[y]])
            out.append(Disagreement(article.id, article.title, "boundary", name, (mine, theirs)))
        else:
            out.append(Disagreement(article.id, article.title, "unmatched", name, (mine, CodedValue(b, None))))
    return out


def span_measures(
    corpus: Corpus, codebook: Codebook, matches: Sequence[PairMatch], settings: Settings
) -> list[Measure]:
    """One measure per span label, then one over all labels (key ``span:*``)."""
    labels = list(range(len(codebook.label_names)))
    tally = Tally.of(corpus, matches)
    every_article = np.ones(len(corpus.articles), dtype=bool)
    resamples = ArticleResamples(settings)

    def intervals(figures: list[Figure], chosen: list[int], pair: int | None) -> list[Figure]:
        if not settings.n_bootstrap:
            return figures
        mask = every_article if pair is None else matches[pair].shared
        return [
            with_f1_interval(f, tally.per_article(f.level, chosen, pair, mask), resamples)
            if f.coefficient.startswith("f1") else f
            for f in figures
        ]

    merged = _merged(corpus)
    observed: dict[tuple[int, int], np.ndarray] = {}
    d_o, d_e, n = _by_article(corpus, merged, observed)
    pooled = _unitize(corpus, merged, np.asarray(corpus.members.all(axis=1)), corpus.coders, observed)
    by_pair = _unitize_pairs(corpus, merged, matches, observed)
    gamma_all, gamma_pairs = gamma_figures(corpus, [(m.pair, m.shared) for m in matches], settings.seed)
    merged_per_article = (merged.before - merged.after).sum(axis=1)
    lengths = np.diff(corpus.offsets)
    per_article = [
        Unitized(d_o[k], d_e[k], n[k], {
            "n_articles": 1, "continuum_length": int(lengths[k]),
            "merged_spans": int(merged_per_article[k]),
        }, None if n[k].sum() else NOTHING_MARKED)
        for k in range(len(corpus.articles) if settings.per_article else 0)
    ]
    marked = tally.marked()  # (articles, labels)
    by_article = tally.by_article() if settings.per_article else ((), (), {})
    wheres: dict[int, Where] = {}

    def article_where(k: int) -> Where:
        if k not in wheres:
            article = corpus.articles[k]
            wheres[k] = Where("article", corpus.done[article.id], article.id)
        return wheres[k]

    lists = {x: Disagreements(partial(_span_disagreements, corpus, matches, x)) for x in labels}

    measures = []
    for label in [*labels, None]:
        chosen = labels if label is None else [label]
        whole = label is None
        every = Where("pooled", corpus.coders)
        figures = [_alpha_u(pooled, label, every), *intervals(_f1s(tally, chosen, whole, every), chosen, None)]
        figures += gamma_all[label]
        pairs: list[Figure] = []
        for p, m in enumerate(matches):
            where = Where("pair", m.pair)
            pairs += [
                _alpha_u(by_pair[p], label, where),
                *intervals(_f1s(tally, chosen, whole, where, pair=p), chosen, p),
                *gamma_pairs[p][label],
            ]
        articles: list[Figure] = []
        for k in np.flatnonzero(marked[:, chosen].sum(axis=1) > 0).tolist() if settings.per_article else ():
            where = article_where(k)
            articles.append(_alpha_u(per_article[k], label, where))
            articles += _article_f1s(by_article, k, chosen, whole, where)
        if label is None:
            found = Disagreements(lambda: [d for x in labels for d in lists[x]])
        else:
            found = lists[label]
        name = ALL if label is None else corpus.labels[label]
        measures.append(
            Measure(
                "spans", f"span:{name}", "All labels" if whole else name,
                "all span labels" if whole else "span label", tuple(figures),
                tuple(pairs), tuple(articles), found,
            )
        )
    return measures
