"""The best alignment of two coders' groups of units, all groups at once (:mod:`.gamma`).

With two coders (one pair, ``C = 1``) joining a unit u of the first coder and a unit v
of the second into one unitary alignment saves ``2 delta_empty - d(u, v)`` of disorder,
so a group's best alignment is a maximum-weight matching of its units. A report
computes γ for every coder pair, 31 alignments each (the observed continuum and 30
sampled ones), and most of their groups hold a handful of units: matching them one group
at a time spent most of its time in Python calls. Here every group of an alignment is
matched in one pass:

* the weights of every pair of units (first coder, second coder) of a group, computed
  with the same expressions, hence the same floats, as the per-group matrix;
* the matching splits along the connected components of the positive weights: a
  component with one unit on a side takes the other side's unit of greatest weight
  (the first of equal ones, as the Hungarian method does), all such components at once;
  larger components go to :func:`app.agreement.assignment.maximum_weight_matching`
  one by one, on the same sub-matrix as before.

The matching, and so the alignment, is the one the group-by-group computation finds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.agreement.assignment import maximum_weight_matching


def components(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The connected component (numbered from 0) of each node of the graph of edges a-b.

    Minimum label propagation with pointer jumping.
    """
    label = np.arange(n_nodes)
    while True:
        low = np.minimum(label[a], label[b])
        updated = label.copy()
        np.minimum.at(updated, a, low)
        np.minimum.at(updated, b, low)
        np.minimum.at(updated, label, updated)
        updated = updated[updated]
        if np.array_equal(updated, label):
            break
        label = updated
    return np.unique(label, return_inverse=True)[1].astype(np.int64)


@dataclass(frozen=True)
class TwoCoderAlignment:
    """``key``: for each entry, a number ordering its unitary alignment as the
    group-by-group computation numbers them (by group; in a group the first coder's
    units in their order, then the second coder's unmatched ones); ``disorder``: each
    group's disorder (before the division by the mean number of units)."""

    key: np.ndarray
    disorder: np.ndarray


def _all_pairs(group: np.ndarray, first: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (second coder's entry, first coder's entry) of one group: row by row of the
    group's weight matrix (rows: the second coder's units, columns: the first's)."""
    a_entries = np.flatnonzero(first)
    b_entries = np.flatnonzero(~first)
    n_a = np.bincount(group[a_entries], minlength=n_groups)
    a_first = np.cumsum(n_a) - n_a
    reps = n_a[group[b_entries]]
    rows = np.repeat(b_entries, reps)
    offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = a_entries[np.repeat(a_first[group[b_entries]], reps) + offsets]
    return rows, cols


def _match(rows: np.ndarray, cols: np.ndarray, weight: np.ndarray, n_entries: int) -> np.ndarray:
    """For each entry, the entry it is matched to (-1: none), from the positive edges
    ``rows``-``cols`` (row-major within each group) and their weights."""
    matched = np.full(n_entries, -1, dtype=np.int64)
    if not len(rows):
        return matched
    node = components(n_entries, rows, cols)
    n_parts = int(node.max()) + 1
    row_ids, col_ids = np.unique(rows), np.unique(cols)
    star = (np.bincount(node[row_ids], minlength=n_parts) == 1) | (np.bincount(node[col_ids], minlength=n_parts) == 1)
    part = node[rows]
    order = np.argsort(part, kind="stable")  # by component, each in row-major order
    part, rows, cols, weight = part[order], rows[order], cols[order], weight[order]
    # A component with one unit on a side is complete (each of its pairs is positive):
    # the Hungarian method takes its first column of least cost, max weight - weight.
    keep = star[part]
    if keep.any():
        p, r, c, w = part[keep], rows[keep], cols[keep], weight[keep]
        starts = np.flatnonzero(np.concatenate([[True], p[1:] != p[:-1]]))
        segment = np.cumsum(np.isin(np.arange(len(p)), starts)) - 1
        cost = np.maximum.reduceat(w, starts)[segment] - w
        least = cost == np.minimum.reduceat(cost, starts)[segment]
        at = np.flatnonzero(least)
        at = at[np.concatenate([[True], segment[at][1:] != segment[at][:-1]])]
        matched[r[at]] = c[at]
        matched[c[at]] = r[at]
    rest = ~keep
    if rest.any():
        p, r, c, w = part[rest], rows[rest], cols[rest], weight[rest]
        cuts = np.flatnonzero(p[1:] != p[:-1]) + 1
        for rr, cc, ww in zip(np.split(r, cuts), np.split(c, cuts), np.split(w, cuts), strict=True):
            sub_rows, r_at = np.unique(rr, return_inverse=True)
            sub_cols, c_at = np.unique(cc, return_inverse=True)
            sub = np.zeros((len(sub_rows), len(sub_cols)))
            sub[r_at, c_at] = ww
            for i, j in maximum_weight_matching(sub):
                matched[sub_rows[i]] = sub_cols[j]
                matched[sub_cols[j]] = sub_rows[i]
    return matched


def align_two_coders(
    start: np.ndarray, end: np.ndarray, category: np.ndarray, first: np.ndarray,
    group: np.ndarray, n_groups: int, alpha: float, beta: float, delta: float,
) -> TwoCoderAlignment:
    """The best alignment of every group of two coders' units.

    The entries are the units of the groups, group by group (``group`` non-decreasing),
    in each group in the order the group lists them; ``first`` marks the first coder's;
    ``group`` numbers the groups below ``n_groups``. Every group holds units of both coders.
    """
    n = len(start)
    rows, cols = _all_pairs(group, first, n_groups)
    # As the per-group matrix computes them: d(row, column), then the join's saving.
    sr, er, sc, ec = start[rows], end[rows], start[cols], end[cols]
    pos = (np.abs(sr - sc) + np.abs(er - ec)) / ((er - sr) + (ec - sc))
    d = delta * (alpha * pos * pos + beta * (category[rows] != category[cols]))
    size = np.ones(len(d), dtype=np.int64)
    weight = delta - (d - size * delta) / 1.0
    positive = weight > 1e-12
    matched = _match(rows[positive], cols[positive], weight[positive], n)
    entry = np.arange(n)
    anchor = np.where(first | (matched < 0), entry, matched)
    key = group * (2 * n) + np.where(first[anchor], 0, n) + anchor
    joined = matched[rows] == cols
    inner = np.bincount(group[rows[joined]], weights=d[joined], minlength=n_groups)
    alone = np.bincount(group[matched < 0], minlength=n_groups)
    return TwoCoderAlignment(key, inner + alone * delta)
