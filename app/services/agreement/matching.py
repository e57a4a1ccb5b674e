"""Span matching of every coder pair for the agreement report.

:func:`compare_pairs` matches each coder pair's spans on the articles both finished,
exactly and by overlap (:mod:`app.agreement.span_matching`); attributes, relations and
the span figures hang off the result, one :class:`PairMatch` per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.agreement.span_matching import lex_order, match_overlap
from app.core.parallel import ordered_map
from app.services.agreement.units import Corpus, SpanColumns


@dataclass(frozen=True, eq=False)
class PairMatch:
    """Two coders' spans on the articles both finished, matched.

    ``rows_a`` and ``rows_b`` are the rows of :class:`SpanColumns` of the first and the
    second coder on those articles; ``exact`` and ``overlap`` hold the matched rows
    ``(rows of the first, rows of the second)``, ``overlap`` in the order of the first
    coder's rows, ``exact`` in no particular order. Attributes and relations are
    compared through the overlap matching.
    """

    pair: tuple[str, str]
    shared: np.ndarray
    rows_a: np.ndarray
    rows_b: np.ndarray
    exact: tuple[np.ndarray, np.ndarray]
    overlap: tuple[np.ndarray, np.ndarray]
    #: The overlap matches grouped by label (stable: in row order within a label), and
    #: where each label's group begins (one more entry than labels).
    by_label: tuple[np.ndarray, np.ndarray]
    label_bounds: np.ndarray


def _fragments_of(spans: SpanColumns, rows: np.ndarray) -> dict[int, tuple[tuple[int, int], ...]]:
    """Position in ``rows`` -> fragments, for the discontinuous spans among them."""
    if not spans.fragments:
        return {}
    split = np.zeros(len(spans), dtype=bool)
    split[list(spans.fragments)] = True
    return {n: spans.fragments[row] for n, row in zip(np.flatnonzero(split[rows]).tolist(), rows[split[rows]].tolist(), strict=True)}


def _signatures(corpus: Corpus, exact_key: np.ndarray) -> np.ndarray:
    """For each span, a number shared by the spans of the other coders that match it
    exactly: same article, label, fragments, start and end, and the same rank among a
    coder's equal spans (in row order: the r-th copy matches the r-th copy, as
    :func:`app.agreement.span_matching.match_exact` pairs them)."""
    spans = corpus.spans
    n = len(spans)
    columns = (spans.end, spans.start, exact_key)
    order = lex_order(spans.coder, *columns)  # ties in row order
    same = np.ones(n, dtype=bool)  # the same span as the one before (any coder)
    same[:1] = False
    for column in columns:
        same[1:] &= column[order][1:] == column[order][:-1]
    mine = same.copy()
    mine[1:] &= spans.coder[order][1:] == spans.coder[order][:-1]
    at = np.arange(n)
    span_first = np.maximum.accumulate(np.where(same, 0, at))
    coder_first = np.maximum.accumulate(np.where(mine, 0, at))
    rank = at - coder_first
    # Numbered by (span, rank): rank < n, so span_first * n + rank identifies it.
    out = np.empty(n, dtype=np.int64)
    out[order] = span_first * n + rank
    return out


def compare_pairs(corpus: Corpus) -> list[PairMatch]:
    """Every coder pair over every article both finished: exact and overlap matchings
    (spans match only within one article and label).

    Exact matches are equal signatures (:func:`_signatures`): each coder's spans sorted
    by signature once, a pair's matches are a search of the first coder's signatures (in
    that order: the exact matches come in signature order, which their counts and
    lookups do not depend on) among the second's.
    The overlap matching takes each coder's spans sorted by key, start and end (ties in
    row order), as it sorts them; each coder's rows are put in that order once, so each
    pair's sort merges two sorted runs. The matched rows come back in row order."""
    spans = corpus.spans
    key = spans.article * max(len(corpus.labels), 1) + spans.label
    # Exact matching compares a discontinuous span's fragments too: its shape joins the key.
    shapes = spans.shapes()
    exact_key = key * (int(shapes.max(initial=0)) + 1) + shapes
    signature = _signatures(corpus, exact_key)
    by_coder = [np.flatnonzero(spans.coder == i) for i in range(len(corpus.coders))]
    by_signature = [r[np.argsort(signature[r], kind="stable")] for r in by_coder]
    placed = [lex_order(spans.end[r], spans.start[r], key[r]) for r in by_coder]
    in_order = [r[o] for r, o in zip(by_coder, placed, strict=True)]
    every = np.ones(len(corpus.articles), dtype=bool)
    n_labels = len(corpus.labels)
    # Each coder's columns gathered once, for the pairs that finished every article.
    whole: dict[str, list[tuple[np.ndarray, ...]]] = {
        "rows": [(r,) for r in by_coder],
        "signature": [(r, signature[r]) for r in by_signature],
        "overlap": [(r, key[r], spans.start[r], spans.end[r]) for r in in_order],
    }

    def on(kind: str, c: int, shared: np.ndarray) -> tuple[np.ndarray, ...]:
        if shared is every:
            return whole[kind][c]
        rows = whole[kind][c][0]
        rows = rows[shared[spans.article[rows]]]
        if kind == "overlap":
            return rows, key[rows], spans.start[rows], spans.end[rows]
        return (rows, signature[rows]) if kind == "signature" else (rows,)

    def compare(pair: tuple[str, str]) -> PairMatch:
        mask = corpus.shared_mask(pair)
        shared = every if mask.all() else mask
        i, j = (corpus.coder_index(c) for c in pair)
        (ra,), (rb,) = on("rows", i, shared), on("rows", j, shared)
        (xa, sig_a), (xb, sig_b) = on("signature", i, shared), on("signature", j, shared)
        # The first coder's spans in signature order (a search of sorted keys: a fifth of
        # the time of one in row order), each looked up among the second's.
        at = np.searchsorted(sig_b, sig_a).clip(max=max(len(xb) - 1, 0))
        hit = sig_b[at] == sig_a if len(xb) else np.zeros(len(xa), dtype=bool)
        exact = (xa[hit], xb[at[hit]])
        (xa, ka, sa, ea), (xb, kb, sb, eb) = on("overlap", i, shared), on("overlap", j, shared)
        # Overlap on the characters covered: positions of discontinuous spans in each side.
        ia, ib = match_overlap(
            ka, sa, ea, kb, sb, eb, fragments_a=_fragments_of(spans, xa), fragments_b=_fragments_of(spans, xb),
        )
        if shared is every:  # back in row order: each matched row put in its coder's place
            slot = np.full(len(ra), -1, dtype=np.int64)
            slot[placed[i][ia]] = xb[ib]
            found = slot >= 0
            overlap = (ra[found], slot[found])
        else:
            overlap = _by_row(xa[ia], xb[ib])
        # Grouped by label here, pair by pair on the worker threads, for the attributes.
        labels = spans.label[overlap[0]]
        grouped = np.argsort(labels.astype(np.int16) if n_labels < 2**15 else labels, kind="stable")  # radix sort
        bounds = np.searchsorted(labels[grouped], np.arange(n_labels + 1))
        return PairMatch(pair, mask, ra, rb, exact, overlap, (overlap[0][grouped], overlap[1][grouped]), bounds)

    return ordered_map(compare, corpus.pairs)  # pairs on several cores, in pair order


def _by_row(rows_a: np.ndarray, rows_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matched rows in the order of the first coder's rows (each matched once)."""
    order = np.argsort(rows_a, kind="stable")
    return rows_a[order], rows_b[order]
