"""Span matching of every coder pair for the agreement report.

:func:`compare_pairs` matches each coder pair's spans on the articles both finished,
exactly and by overlap (:mod:`app.agreement.span_matching`); attributes, relations and
the span figures hang off the result, one :class:`PairMatch` per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.agreement.span_matching import match_exact, match_overlap
from app.services.agreement.units import Corpus, SpanColumns


@dataclass(frozen=True, eq=False)
class PairMatch:
    """Two coders' spans on the articles both finished, matched.

    ``rows_a`` and ``rows_b`` are the rows of :class:`SpanColumns` of the first and the
    second coder on those articles; ``exact`` and ``overlap`` hold the matched rows
    ``(rows of the first, rows of the second)``. Attributes and relations are compared
    through the overlap matching.
    """

    pair: tuple[str, str]
    shared: np.ndarray
    rows_a: np.ndarray
    rows_b: np.ndarray
    exact: tuple[np.ndarray, np.ndarray]
    overlap: tuple[np.ndarray, np.ndarray]


def _fragments_of(spans: SpanColumns, rows: np.ndarray) -> dict[int, tuple[tuple[int, int], ...]]:
    """Position in ``rows`` -> fragments, for the discontinuous spans among them."""
    if not spans.fragments:
        return {}
    split = np.zeros(len(spans), dtype=bool)
    split[list(spans.fragments)] = True
    return {n: spans.fragments[row] for n, row in zip(np.flatnonzero(split[rows]).tolist(), rows[split[rows]].tolist(), strict=True)}


def compare_pairs(corpus: Corpus) -> list[PairMatch]:
    """Every coder pair over every article both finished: exact and overlap matchings,
    one array pass per pair (spans match only within one article and label).

    The matchings take each coder's spans sorted by key, start and end (ties in row
    order), as they sort them; each coder's rows are put in that order once, so each
    pair's sort merges two sorted runs. The matched rows come back in row order."""
    spans = corpus.spans
    key = spans.article * max(len(corpus.labels), 1) + spans.label
    # Exact matching compares a discontinuous span's fragments too: its shape joins the key.
    shapes = spans.shapes()
    exact_key = key * (int(shapes.max(initial=0)) + 1) + shapes
    out = []
    by_coder = [np.flatnonzero(spans.coder == i) for i in range(len(corpus.coders))]
    in_order = {
        name: [r[np.lexsort((spans.end[r], spans.start[r], k[r]))] for r in by_coder]
        for name, k in (("exact", exact_key), ("overlap", key))
    }
    for pair in corpus.pairs:
        shared = corpus.shared_mask(pair)
        coders = [corpus.coder_index(c) for c in pair]
        ra, rb = (by_coder[c][shared[spans.article[by_coder[c]]]] for c in coders)
        xa, xb = (in_order["exact"][c][shared[spans.article[in_order["exact"][c]]]] for c in coders)
        ia, ib = match_exact(exact_key[xa], spans.start[xa], spans.end[xa], exact_key[xb], spans.start[xb], spans.end[xb])
        exact = _by_row(xa[ia], xb[ib])
        xa, xb = (in_order["overlap"][c][shared[spans.article[in_order["overlap"][c]]]] for c in coders)
        # Overlap on the characters covered: positions of discontinuous spans in each side.
        ia, ib = match_overlap(
            key[xa], spans.start[xa], spans.end[xa], key[xb], spans.start[xb], spans.end[xb],
            fragments_a=_fragments_of(spans, xa), fragments_b=_fragments_of(spans, xb),
        )
        out.append(PairMatch(pair, shared, ra, rb, exact, _by_row(xa[ia], xb[ib])))
    return out


def _by_row(rows_a: np.ndarray, rows_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matched rows in the order of the first coder's rows (each matched once)."""
    order = np.argsort(rows_a, kind="stable")
    return rows_a[order], rows_b[order]
