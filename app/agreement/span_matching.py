"""One-to-one matching of two coders' spans, for many groups at once (NumPy).

Spans are half-open intervals ``[start, end)`` with an integer group ``key``; only spans
of the same key can match (a key stands for a label, or for an article and a label, so
one call matches two coders over a whole corpus). Both functions return the matched
positions ``(ia, ib)`` into the arrays of coder A and coder B, sorted by ``ia``.

* :func:`match_exact`: same key, start and end. Repeated spans pair in order: the
  r-th copy of a span of A matches the r-th copy in B.
* :func:`match_overlap`: same key and at least one common position. Spans linked by
  overlap (through either coder) form a component; among the one-to-one matchings of a
  component, the one with the most matched pairs and then the largest total overlap
  (``prefer="matches"``), or simply the largest total overlap (``prefer="overlap"``).
  A component with one span on a side is settled directly (the partner with the
  largest overlap; the first in (start, end) order on a tie); larger components go
  to the Hungarian method (:func:`app.agreement.assignment.maximum_weight_matching`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from app.agreement.assignment import maximum_weight_matching

Matched = tuple[np.ndarray, np.ndarray]
#: Sorted, separate ``(start, end)`` ranges: the fragments of a discontinuous span.
Ranges = tuple[tuple[int, int], ...]


def _arrays(*columns: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(c, dtype=np.int64).reshape(-1) for c in columns]


def _pooled(
    ka: np.ndarray, sa: np.ndarray, ea: np.ndarray, kb: np.ndarray, sb: np.ndarray, eb: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Both coders' spans in one set of columns: key, start, end, side (0 for A, 1 for
    B) and the position in that side's arrays."""
    return (
        np.concatenate([ka, kb]),
        np.concatenate([sa, sb]),
        np.concatenate([ea, eb]),
        np.repeat([0, 1], [len(ka), len(kb)]),
        np.concatenate([np.arange(len(ka)), np.arange(len(kb))]),
    )


def lex_order(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys)`` (last key primary; ties in input order), as one stable sort of
    a combined key when the keys are non-negative and fit in one: a fraction of the time,
    and near linear on input that is mostly in order already."""
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = [int(k.max()) + 1 for k in keys]
    if min(int(k.min()) for k in keys) < 0 or math.prod(sizes) >= 2**62:
        return np.lexsort(keys)
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(reversed(keys), reversed(sizes), strict=True):
        combined = combined * size + key
    return np.argsort(combined, kind="stable")


_order = lex_order


def _sorted(matched_a: np.ndarray, matched_b: np.ndarray) -> Matched:
    order = _order(matched_b, matched_a)
    return matched_a[order], matched_b[order]


def _ranks(key: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For each span, how many equal spans (key, start, end) come before it."""
    order = _order(end, start, key)
    k, s, e = key[order], start[order], end[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    first = np.maximum.accumulate(np.where(new, np.arange(len(k)), 0))
    ranks = np.empty(len(k), dtype=np.int64)
    ranks[order] = np.arange(len(k)) - first
    return ranks


def match_exact(
    key_a: ArrayLike, start_a: ArrayLike, end_a: ArrayLike,
    key_b: ArrayLike, start_b: ArrayLike, end_b: ArrayLike,
) -> Matched:
    """Pairs of spans of A and B with the same key, start and end (see the module notes)."""
    ka, sa, ea, kb, sb, eb = _arrays(key_a, start_a, end_a, key_b, start_b, end_b)
    empty = np.zeros(0, dtype=np.int64)
    if not len(ka) or not len(kb):
        return empty, empty
    key, start, end, side, index = _pooled(ka, sa, ea, kb, sb, eb)
    rank = np.concatenate([_ranks(ka, sa, ea), _ranks(kb, sb, eb)])
    order = _order(side, rank, end, start, key)
    k, s, e, r, d = key[order], start[order], end[order], rank[order], side[order]
    same = (k[1:] == k[:-1]) & (s[1:] == s[:-1]) & (e[1:] == e[:-1]) & (r[1:] == r[:-1])
    first = np.flatnonzero(same & (d[:-1] == 0) & (d[1:] == 1))
    return _sorted(index[order][first], index[order][first + 1])


def _overlap(start_a: np.ndarray, end_a: np.ndarray, start_b: np.ndarray, end_b: np.ndarray) -> np.ndarray:
    return np.maximum(0, np.minimum(end_a, end_b) - np.maximum(start_a, start_b))


def _covered(
    start: np.ndarray, end: np.ndarray, side: np.ndarray, index: np.ndarray,
    fragments_a: Mapping[int, Ranges], fragments_b: Mapping[int, Ranges],
) -> Callable[..., np.ndarray]:
    """The overlap of pooled rows (x, y): of their envelopes, corrected for the rows that
    are discontinuous (few: those go through :func:`covered_overlap`)."""
    if not fragments_a and not fragments_b:
        return lambda s1, e1, s2, e2, rows=None: _overlap(s1, e1, s2, e2)
    pieces = [fragments_a, fragments_b]
    marked = []
    for found in pieces:
        flags = np.zeros(int(index.max()) + 1, dtype=bool)
        flags[np.fromiter(found, dtype=np.int64, count=len(found))] = True
        marked.append(flags)
    split = np.where(side == 0, marked[0][index], marked[1][index])

    def ranges(row: int) -> Ranges:
        return pieces[int(side[row])].get(int(index[row]), ((int(start[row]), int(end[row])),))

    # The callers pass start/end arrays taken at pooled rows: find those rows again.
    def overlap(s1: np.ndarray, e1: np.ndarray, s2: np.ndarray, e2: np.ndarray, rows: Any = None) -> np.ndarray:
        found = _overlap(s1, e1, s2, e2)
        if rows is None:
            return found
        x, y = np.broadcast_arrays(*rows)
        fix = (split[x] | split[y]) & (found > 0)
        if fix.any():
            found = np.array(found, dtype=np.int64, copy=True)
            for at in zip(*np.nonzero(fix), strict=True):
                found[at] = covered_overlap(ranges(int(x[at])), ranges(int(y[at])))
        return found

    return overlap


def covered_overlap(ranges_a: Ranges, ranges_b: Ranges) -> int:
    """Characters two sets of sorted, separate ranges have in common."""
    total, i, j = 0, 0, 0
    while i < len(ranges_a) and j < len(ranges_b):
        (s1, e1), (s2, e2) = ranges_a[i], ranges_b[j]
        total += max(0, min(e1, e2) - max(s1, s2))
        if e1 <= e2:
            i += 1
        else:
            j += 1
    return total


def match_overlap(
    key_a: ArrayLike, start_a: ArrayLike, end_a: ArrayLike,
    key_b: ArrayLike, start_b: ArrayLike, end_b: ArrayLike,
    prefer: str = "matches",
    fragments_a: Mapping[int, Ranges] | None = None,
    fragments_b: Mapping[int, Ranges] | None = None,
) -> Matched:
    """An optimal one-to-one matching of overlapping spans (see the module notes).

    ``fragments_a``/``fragments_b`` give the ranges of discontinuous spans (by position;
    their start and end are the envelope): their overlap counts only the characters
    both cover, so a span inside another's gap does not overlap it.
    """
    ka, sa, ea, kb, sb, eb = _arrays(key_a, start_a, end_a, key_b, start_b, end_b)
    empty = np.zeros(0, dtype=np.int64)
    if not len(ka) or not len(kb):
        return empty, empty
    key, start, end, side, index = _pooled(ka, sa, ea, kb, sb, eb)
    order = _order(side, end, start, key)  # then index: the order within a side
    key, start, end, side, index = key[order], start[order], end[order], side[order], index[order]
    _overlap = _covered(start, end, side, index, fragments_a or {}, fragments_b or {})
    # Components: a sweep over (key, start); positions are lifted per key so that the
    # running end never reaches into the next key.
    stride = int(max(end.max(), 0)) + 1
    base = (key - key.min()) * stride
    reach = np.maximum.accumulate(base + end)
    new = np.ones(len(key), dtype=bool)
    new[1:] = base[1:] + start[1:] >= reach[:-1]
    component = np.cumsum(new) - 1
    n = int(component[-1]) + 1
    n_a = np.bincount(component, weights=side == 0, minlength=n).astype(np.int64)
    n_b = np.bincount(component, weights=side == 1, minlength=n).astype(np.int64)
    out_a, out_b = [], []
    first = np.append(np.flatnonzero(new), len(key))  # a component is a run of the sorted rows
    # One span on a side: its partner is the other side's span that overlaps it most.
    lone = (np.minimum(n_a, n_b) == 1) & (np.maximum(n_a, n_b) >= 1)
    if not fragments_a and not fragments_b:
        # The most common component, one span of each side (its two rows, which overlap),
        # settled without the search below: the same match, found in a fraction of the time.
        single = np.flatnonzero((n_a == 1) & (n_b == 1))
        here, there = first[single], first[single] + 1
        a_rows, b_rows = np.where(side[here] == 0, here, there), np.where(side[here] == 0, there, here)
        out_a.append(index[a_rows])
        out_b.append(index[b_rows])
        lone[single] = False
    lone_side = np.where(n_a == 1, 0, 1)
    rows = np.flatnonzero(lone[component])
    if len(rows):
        comp = component[rows]
        is_lone = side[rows] == lone_side[comp]
        anchor = np.zeros(n, dtype=np.int64)
        anchor[comp[is_lone]] = rows[is_lone]
        others = rows[~is_lone]
        mine = anchor[component[others]]
        overlap = _overlap(start[others], end[others], start[mine], end[mine], rows=(others, mine))
        pick = _order(overlap.max(initial=0) - overlap, component[others])  # then others, ascending
        c = component[others][pick]
        head = np.ones(len(c), dtype=bool)
        head[1:] = c[1:] != c[:-1]
        best = others[pick][head]
        partner = anchor[component[best]]
        good = _overlap(start[best], end[best], start[partner], end[partner], rows=(best, partner)) > 0
        best, partner = best[good], partner[good]
        a_rows = np.where(side[best] == 0, best, partner)
        b_rows = np.where(side[best] == 0, partner, best)
        out_a.append(index[a_rows])
        out_b.append(index[b_rows])
    # Larger components: the Hungarian method on the component's overlap matrix.
    for c in np.flatnonzero((n_a >= 2) & (n_b >= 2)).tolist():
        members = np.arange(first[c], first[c + 1])
        ga, gb = members[side[members] == 0], members[side[members] == 1]
        overlap = _overlap(
            start[ga][:, None], end[ga][:, None], start[gb][None, :], end[gb][None, :], rows=(ga[:, None], gb[None, :])
        )
        weights = overlap.astype(np.float64)
        if prefer == "matches":
            weights[overlap > 0] += overlap.sum() + 1.0
        pairs = maximum_weight_matching(weights)
        out_a.append(index[ga[[i for i, _ in pairs]]])
        out_b.append(index[gb[[j for _, j in pairs]]])
    if not out_a:
        return empty, empty
    return _sorted(np.concatenate(out_a).astype(np.int64), np.concatenate(out_b).astype(np.int64))


def total_overlap(start_a: ArrayLike, end_a: ArrayLike, start_b: ArrayLike, end_b: ArrayLike) -> int:
    """Sum of the common positions of matched spans (arrays aligned pair by pair)."""
    sa, ea, sb, eb = _arrays(start_a, end_a, start_b, end_b)
    return int(_overlap(sa, ea, sb, eb).sum())
