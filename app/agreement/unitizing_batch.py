"""Krippendorff's alpha_U on NumPy arrays, for one long continuum or many at once.

The same coefficient as :mod:`app.agreement.unitizing` (see there for the formulas and
sources), vectorised for the agreement report: spans come as parallel int64 arrays of
coder index, begin, end (exclusive, global positions) and category index, and no Python
loop runs over spans or continua; only coders, coder pairs and categories are looped.

* :func:`merge_overlaps` replaces the overlapping or chained spans of one coder and
  category by their union (spans that merely touch stay apart).
* :func:`alpha_u_parts` gives D_o,c, D_e,c and N_c for one continuum ``[lo, hi)``.
* :func:`alpha_u_by_segment` gives them for many independent continua at once
  ("segments", e.g. the articles), each with its own member coders.
* :func:`alpha_values` and :func:`pooled_alpha` turn the parts into alpha per category
  and pooled over categories, ``1 - sum_c D_o,c / sum_c D_e,c``.

Every value equals what :func:`app.agreement.unitizing.unitizing_alpha` returns for the
same continuum and coders; a category nobody marked has D_o = D_e = N = 0.
"""

from __future__ import annotations

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.span_matching import lex_order
from app.core.parallel import ordered_map

Parts = tuple[np.ndarray, np.ndarray, np.ndarray]
_Pieces = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _int_arrays(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=np.int64) for a in arrays]
    if any(a.ndim != 1 or len(a) != len(out[0]) for a in out):
        raise AgreementError(
            "The span and segment arrays must be one-dimensional and of equal length."
        )
    return out


def merge_overlaps(
    coder: np.ndarray, category: np.ndarray, begin: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Merge overlapping or chained spans of one coder and category into their union.

    Two spans of the same coder and category are merged when the later one begins before
    the earlier one ends (``b2 < e1``); touching spans (``b2 == e1``) stay apart. Returns
    coder, category, begin and end of the merged spans sorted by (coder, category, begin),
    and how many spans were merged away (input count minus output count). Raises
    :class:`AgreementError` for a span that does not end after it begins.
    """
    coder, category, begin, end = _int_arrays(coder, category, begin, end)
    if (end <= begin).any():
        raise AgreementError("Every span must end after it begins.")
    if len(begin) == 0:
        return coder, category, begin, end, 0
    order = lex_order(begin, category, coder)  # np.lexsort's order, from one combined key
    c, k, b, e = coder[order], category[order], begin[order], end[order]
    new_group = np.concatenate([[True], (c[1:] != c[:-1]) | (k[1:] != k[:-1])])
    group = np.cumsum(new_group) - 1
    # Shift each (coder, category) group past the previous one so that the running
    # maximum of the ends never reaches into the next group.
    lo = int(b.min())
    offset = group * (int(e.max()) - lo + 1) - lo
    reach = np.maximum.accumulate(e + offset)
    starts = np.flatnonzero(np.concatenate([[True], b[1:] + offset[1:] >= reach[:-1]]))
    merged_end = np.maximum.reduceat(e, starts)
    return c[starts], k[starts], b[starts], merged_end, len(b) - len(starts)


def _coder_pieces(
    units_begin: np.ndarray,
    units_end: np.ndarray,
    units_segment: np.ndarray,
    segments: np.ndarray,
    rank: np.ndarray,
    seg_begin: np.ndarray,
    seg_end: np.ndarray,
) -> _Pieces:
    """One coder's segmentation of its segments: units and the gaps between them.

    ``segments`` are the coder's (sorted) segments, ``rank`` maps a segment index to its
    place in ``segments``, and the units are sorted by begin. Within each segment the
    boundaries run seg_begin, b_0, e_0, b_1, e_1, ..., seg_end; consecutive boundaries
    delimit the pieces, alternately gap and unit. Empty gaps and the stretch from one
    segment's end to the next segment's begin are dropped. Returns begins, ends, a flag
    that is True for units and the segment of each piece, sorted by begin.
    """
    n_seg = len(segments)
    if n_seg == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0, bool), empty
    r_unit = rank[units_segment]
    count = np.bincount(r_unit, minlength=n_seg)
    before = np.cumsum(count) - count
    bounds = np.empty(2 * (len(units_begin) + n_seg), np.int64)
    at = 2 * (np.arange(len(units_begin)) + r_unit) + 1
    bounds[at] = units_begin
    bounds[at + 1] = units_end
    r = np.arange(n_seg)
    bounds[2 * (before + r)] = seg_begin[segments]
    last = 2 * (before + count + r) + 1
    bounds[last] = seg_end[segments]
    starts, stops = bounds[:-1], bounds[1:]
    is_unit = (np.arange(len(starts)) % 2).astype(bool)
    keep = stops > starts
    keep[last[:-1]] = False
    piece_segment = np.repeat(segments, 2 * count + 2)[:-1]
    return starts[keep], stops[keep], is_unit[keep], piece_segment[keep]


def _pair_by_segment(p1: _Pieces, p2: _Pieces, n_segments: int) -> np.ndarray:
    """Sum of delta2 per segment over the overlapping pieces of two coders.

    Both segmentations must cover exactly the same segments, as in
    the pairwise transcription in the tests (``tests/agreement/unitizing_reference.py``).
    """
    b1, e1, u1, s1 = p1
    b2, e2, u2, _ = p2
    # Each overlapping pair (g, h) starts at max(b_g, b_h), a piece begin of either coder:
    # pair every begin of coder 1 with coder 2's piece there, then every begin of coder 2
    # that is no begin of coder 1 with coder 1's piece there.
    g2 = np.searchsorted(b1, b2, side="right") - 1
    own = b1[g2] != b2
    g = np.concatenate([np.arange(len(b1)), g2[own]])
    # Coder 2's piece at each begin of coder 1 follows from g2 without a second search:
    # coder 2's begins before b1[k] are those whose piece of coder 1 comes before k, and
    # one more when coder 2 has a piece beginning at b1[k] too (begins are distinct).
    before = np.cumsum(np.bincount(g2 + 1, minlength=len(b1) + 1)[: len(b1)])
    same = g2[~own]
    before[same[same >= 0]] += 1
    h = np.concatenate([before - 1, np.flatnonzero(own)])
    ug, uh = u1[g], u2[h]
    # Two gaps never disagree: only the pairs with a unit on a side are read further (a
    # sum without its zero terms is the same sum, to the last bit).
    counted = np.flatnonzero(ug | uh)
    g, h, ug, uh = g[counted], h[counted], ug[counted], uh[counted]
    bg, eg, bh, eh = b1[g], e1[g], b2[h], e2[h]
    both = ug & uh
    inside_h = ug & ~uh & (bg >= bh) & (eg <= eh)
    inside_g = uh & ~ug & (bh >= bg) & (eh <= eg)
    delta2 = (
        ((bg - bh) ** 2 + (eg - eh) ** 2) * both
        + ((eg - bg) ** 2) * inside_h
        + ((eh - bh) ** 2) * inside_g
    )
    return np.bincount(s1[g], weights=delta2, minlength=n_segments)


def _sorted(group: np.ndarray, begin: np.ndarray) -> bool:
    """Whether the spans are in (group, begin) order already."""
    step = group[1:] - group[:-1]
    return bool(((step > 0) | ((step == 0) & (begin[1:] >= begin[:-1]))).all())


def _restrict(pieces: _Pieces, keep: np.ndarray) -> _Pieces:
    b, e, u, s = pieces
    return b[keep], e[keep], u[keep], s[keep]


def alpha_u_by_segment(
    segment: np.ndarray,
    coder: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    category: np.ndarray,
    seg_begin: np.ndarray,
    seg_end: np.ndarray,
    members: np.ndarray,
    n_categories: int,
    *,
    observed: np.ndarray | None = None,
    by_pair: dict[tuple[int, int], np.ndarray] | None = None,
) -> Parts:
    """alpha_U parts for many independent continua ("segments") at once.

    Segment k is the continuum ``[seg_begin[k], seg_end[k])``; the segments follow one
    another without overlap (``seg_end[k] <= seg_begin[k + 1]``). Span n lies in segment
    ``segment[n]`` at global positions ``[begin[n], end[n])``, was marked by coder
    ``coder[n]`` (0 .. n_coders - 1) with category ``category[n]`` (0 .. n_categories - 1).
    ``members`` is a bool array (K, n_coders) of the coders taking part in each segment:
    m_k = members[k].sum() counts every member, also one who marked nothing there (that
    coder's segmentation is one gap over the whole segment). A span by a coder who is not
    a member of its segment raises :class:`AgreementError`, as do overlapping spans of one
    coder and category (merge them first with :func:`merge_overlaps`).

    Returns D_o, D_e and N, arrays (K, n_categories): observed and expected disagreement
    and the number of units, each as ``unitizing_alpha`` gives them for that segment alone
    with its member coders. A category without a unit in a segment has D_o = D_e = 0 and
    N = 0. Segments with fewer than two members have NaN for D_o and D_e (N still counts
    their units).

    The observed part sums, over the pairs of member coders, delta2 of their overlapping
    pieces (integers). ``by_pair``, a dict, receives those sums per coder pair ``(i, j)``
    as arrays (K, n_categories); ``observed`` gives the sums over all pairs instead of
    computing them. Units never cross a segment, so on continua made by concatenating
    segments the sums of the segments are those of the whole (see
    :func:`app.services.agreement.spans`).
    """
    segment, coder, begin, end, category = _int_arrays(segment, coder, begin, end, category)
    seg_begin, seg_end = _int_arrays(seg_begin, seg_end)
    members = np.asarray(members, dtype=bool)
    n_segments = len(seg_begin)
    if members.ndim != 2 or members.shape[0] != n_segments:
        raise AgreementError("The member table must have one row per segment.")
    n_coders = members.shape[1]
    lengths = seg_end - seg_begin
    if (lengths < 1).any() or (seg_begin[1:] < seg_end[:-1]).any():
        raise AgreementError("Segments must have positive lengths and follow without overlap.")
    if len(begin) and (
        (segment < 0).any()
        or (segment >= n_segments).any()
        or (coder < 0).any()
        or (coder >= n_coders).any()
        or (category < 0).any()
        or (category >= n_categories).any()
    ):
        raise AgreementError("A span names a segment, coder or category that does not exist.")
    if len(begin) and (
        (end <= begin).any() or (begin < seg_begin[segment]).any() or (end > seg_end[segment]).any()
    ):
        raise AgreementError("Every span must be non-empty and lie inside its segment.")
    if not members[segment, coder].all():
        raise AgreementError("A span is by a coder who is not a member of its segment.")

    group = coder * n_categories + category
    # Sorted by (coder, category, begin); spans that come sorted (the report's) are not
    # sorted again: the stable sort would leave them as they are.
    if not _sorted(group, begin):
        order = np.lexsort((begin, category, coder))
        segment, coder, begin, end, category = (
            a[order] for a in (segment, coder, begin, end, category)
        )
        group = coder * n_categories + category
    same = group[1:] == group[:-1]
    if (same & (begin[1:] < end[:-1])).any():
        raise AgreementError(
            "A coder has overlapping units of one category; they must not overlap."
        )
    bounds = np.searchsorted(group, np.arange(n_coders * n_categories + 1))

    m = members.sum(axis=1).astype(np.float64)
    big_l = lengths.astype(np.float64)
    big = int(lengths.max()) + 1 if n_segments else 1
    segments_of = [np.flatnonzero(members[:, i]) for i in range(n_coders)]
    ranks = []
    for mine in segments_of:
        rank = np.full(n_segments, -1, np.int64)
        rank[mine] = np.arange(len(mine))
        ranks.append(rank)

    everywhere = np.asarray(members.all(axis=0)).tolist()
    d_o = np.zeros((n_segments, n_categories))
    d_e = np.zeros((n_segments, n_categories))
    n_units = np.zeros((n_segments, n_categories), np.int64)
    def pieces_of(task: tuple[int, int]) -> _Pieces:
        c, i = task
        lo, hi = bounds[i * n_categories + c], bounds[i * n_categories + c + 1]
        return _coder_pieces(begin[lo:hi], end[lo:hi], segment[lo:hi], segments_of[i], ranks[i], seg_begin, seg_end)

    # Every coder's pieces of every category, then every (category, pair) sum, then every
    # category's expected disagreement: each step's tasks on several cores at once.
    made = ordered_map(pieces_of, [(c, i) for c in range(n_categories) for i in range(n_coders)])
    pieces = [made[c * n_coders : (c + 1) * n_coders] for c in range(n_categories)]
    pairs = [(i, j) for i in range(n_coders if observed is None else 0) for j in range(i + 1, n_coders)]

    def pair_sums(task: tuple[int, tuple[int, int]]) -> np.ndarray:
        c, (i, j) = task
        mine = pieces[c]
        # Only the segments both are members of (all of them when both are everywhere).
        p1 = mine[i] if everywhere[j] else _restrict(mine[i], members[mine[i][3], j])
        p2 = mine[j] if everywhere[i] else _restrict(mine[j], members[mine[j][3], i])
        return _pair_by_segment(p1, p2, n_segments)

    tasks = [(c, pair) for c in range(n_categories) for pair in pairs]
    sums = ordered_map(pair_sums, tasks)
    for c in range(n_categories):
        summed = np.zeros(n_segments)
        for pair, found in zip(pairs, sums[c * len(pairs) : (c + 1) * len(pairs)], strict=True):  # in pair order, as one after the other
            summed += found
            if by_pair is not None:
                by_pair.setdefault(pair, np.zeros((n_segments, n_categories)))[:, c] = found
        if observed is not None:
            summed = np.asarray(observed, dtype=np.float64)[:, c]
        with np.errstate(divide="ignore", invalid="ignore"):
            d_o[:, c] = 2.0 * summed / (m * (m - 1.0) * big_l**2)

    def expected(c: int) -> tuple[np.ndarray, np.ndarray]:
        unit_len = np.concatenate([(e - b)[u] for b, e, u, _ in pieces[c]])
        unit_seg = np.concatenate([s[u] for _, _, u, s in pieces[c]])
        gap_key = np.sort(np.concatenate([(s * big + (e - b))[~u] for b, e, u, s in pieces[c]]))
        gap_sum = np.concatenate([[0], np.cumsum(gap_key % big)])
        first = np.searchsorted(gap_key, unit_seg * big + unit_len, side="left")
        stop = np.searchsorted(gap_key, (unit_seg + 1) * big, side="left")
        fitting = (gap_sum[stop] - gap_sum[first] - (stop - first) * (unit_len - 1)).astype(
            np.float64
        )
        n_c = np.bincount(unit_seg, minlength=n_segments)
        ln = unit_len.astype(np.float64)
        per_unit = (n_c[unit_seg] - 1) * (2 * ln**3 - 3 * ln**2 + ln) / 3.0 + ln**2 * fitting
        numerator = np.bincount(unit_seg, weights=per_unit, minlength=n_segments)
        squares = np.bincount(unit_seg, weights=ln * (ln - 1.0), minlength=n_segments)
        denominator = m * big_l * (m * big_l - 1.0) - squares
        with np.errstate(divide="ignore", invalid="ignore"):
            return (2.0 / big_l) * numerator / denominator, n_c

    for c, (d_e_c, n_c) in enumerate(ordered_map(expected, range(n_categories))):
        d_e[:, c] = d_e_c
        n_units[:, c] = n_c
    few = m < 2
    d_o[few] = np.nan
    d_e[few] = np.nan
    return d_o, d_e, n_units


def alpha_u_parts(
    coder: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    category: np.ndarray,
    n_coders: int,
    n_categories: int,
    lo: int,
    hi: int,
    observed: np.ndarray | None = None,
) -> Parts:
    """alpha_U parts D_o,c, D_e,c and N_c for one continuum ``[lo, hi)``.

    Coders are 0 .. n_coders - 1, all of whom count in m even without a span; categories
    are 0 .. n_categories - 1. Returns three arrays of length n_categories, equal to the
    per-category values of ``unitizing_alpha``; a category nobody marked gives 0, 0, 0.
    Raises :class:`AgreementError` for fewer than two coders, spans outside the continuum
    or overlapping spans of one coder and category. ``observed`` gives the observed
    sums per category, as :func:`alpha_u_by_segment` takes them.
    """
    if n_coders < 2:
        raise AgreementError("Unitizing agreement needs at least two coders.")
    coder, begin, end, category = _int_arrays(coder, begin, end, category)
    d_o, d_e, n_units = alpha_u_by_segment(
        np.zeros(len(begin), np.int64),
        coder,
        begin,
        end,
        category,
        np.array([lo], np.int64),
        np.array([hi], np.int64),
        np.ones((1, n_coders), bool),
        n_categories,
        observed=None if observed is None else np.asarray(observed, dtype=np.float64)[None, :],
    )
    return d_o[0], d_e[0], n_units[0]


def alpha_values(d_o: np.ndarray, d_e: np.ndarray) -> np.ndarray:
    """alpha = 1 - D_o / D_e elementwise; NaN where D_e is zero (no variation) or NaN."""
    d_o, d_e = np.asarray(d_o, np.float64), np.asarray(d_e, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d_e == 0.0, np.nan, 1.0 - d_o / d_e)


def pooled_alpha(d_o: np.ndarray, d_e: np.ndarray) -> np.ndarray:
    """alpha_U pooled over the categories (last axis): ``1 - sum D_o / sum D_e``."""
    return alpha_values(np.sum(d_o, axis=-1), np.sum(d_e, axis=-1))
