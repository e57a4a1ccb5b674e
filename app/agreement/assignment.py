"""Maximum-weight one-to-one assignment (the Hungarian method), in NumPy.

Kuhn's Hungarian method in the shortest-augmenting-path form with row and column
potentials (Jonker & Volgenant, 1987; the O(n**2 m) formulation usually credited to
Kuhn, 1955, and Munkres, 1957). Used to match two coders' spans optimally.
"""

from __future__ import annotations

import numpy as np


def _minimum_cost_rows(cost: np.ndarray) -> np.ndarray:
    """For an ``(n, m)`` cost matrix with n <= m, the column assigned to each row."""
    n, m = cost.shape
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    owner = np.zeros(m + 1, dtype=np.int64)  # owner[j]: row (1-based) holding column j
    way = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        best = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = owner[j0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            improve = free & (reduced < best[1:])
            best[1:][improve] = reduced[improve]
            way[1:][improve] = j0
            candidates = np.where(free, best[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[owner[used]] += delta
            v[used] -= delta
            best[1:][free] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    rows = np.full(n, -1, dtype=np.int64)
    for j in range(1, m + 1):
        if owner[j]:
            rows[owner[j] - 1] = j - 1
    return rows


def maximum_weight_matching(weights: np.ndarray) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of a one-to-one assignment maximising the total weight.

    Only pairs with a positive weight are returned (a zero weight means "cannot match").
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        return []
    transposed = w.shape[0] > w.shape[1]
    if transposed:
        w = w.T
    cost = w.max() - w
    cols = _minimum_cost_rows(cost)
    pairs = [(i, int(j)) for i, j in enumerate(cols) if j >= 0 and w[i, j] > 0]
    return [(j, i) for i, j in pairs] if transposed else pairs
