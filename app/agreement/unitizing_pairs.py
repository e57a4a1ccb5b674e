"""alpha_U's expected disagreement of every coder pair on one continuum, at once.

:func:`app.agreement.unitizing_batch.alpha_u_parts` computes D_e,c of one continuum from
every unit and every gap of its coders. For two coders i and j the sums it makes split
by coder: with ``F_k(l)`` the sum over coder k's gaps of length g >= l of ``g - l + 1``
(the places a unit of length l fits in them),

    numerator_c = (N_c - 1) (P_i + P_j) + sum over the units u of i and j of
                  l_u**2 (F_i(l_u) + F_j(l_u)),

where ``P_k`` sums ``(2 l**3 - 3 l**2 + l) / 3`` over coder k's units, and the sum of
``l**2 F(l)`` over a coder's units is a histogram of its unit lengths times ``l**2 F``.
So each coder's units and gaps are read once, and every pair's D_e,c and N_c come from
a (coders x coders) product, instead of one pass over both coders' units per pair. The
values are those of ``alpha_u_parts`` for the two coders alone (summed in another order:
equal to rounding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _gaps(begin: np.ndarray, end: np.ndarray, length: int) -> np.ndarray:
    """The gaps of one coder's (sorted, separate) units on ``[0, length)``, empty ones left out."""
    if not len(begin):
        return np.array([length], dtype=np.int64)
    gaps = np.concatenate([[begin[0]], begin[1:] - end[:-1], [length - end[-1]]])
    return np.sort(gaps[gaps > 0])


def _fits(gaps: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``F(l)`` for each of ``lengths``: sum over the gaps g >= l of g - l + 1."""
    total = np.concatenate([[0], np.cumsum(gaps)])
    first = np.searchsorted(gaps, lengths, side="left")
    return (total[-1] - total[first] - (len(gaps) - first) * (lengths - 1)).astype(np.float64)


def expected_by_pair(
    coder: np.ndarray, begin: np.ndarray, end: np.ndarray, category: np.ndarray,
    n_categories: int, length: int, pairs: Sequence[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """D_e,c and N_c, arrays (pairs, categories), of each coder pair on ``[0, length)``.

    The spans come sorted by (coder, category, begin), the units of one coder and
    category separate (merged, as :func:`.unitizing_batch.merge_overlaps` leaves them).
    """
    coders = sorted({k for pair in pairs for k in pair})
    d_e = np.zeros((len(pairs), n_categories))
    n_units = np.zeros((len(pairs), n_categories), dtype=np.int64)
    big_l = float(length)
    m = 2.0
    first_of = {k: n for n, k in enumerate(coders)}
    left = np.array([first_of[i] for i, _ in pairs], dtype=np.int64)
    right = np.array([first_of[j] for _, j in pairs], dtype=np.int64)
    group = coder * n_categories + category
    bounds = np.searchsorted(group, np.arange((max(coders, default=0) + 1) * n_categories + 1))
    for c in range(n_categories):
        mine = [slice(bounds[k * n_categories + c], bounds[k * n_categories + c + 1]) for k in coders]
        lengths = [end[at] - begin[at] for at in mine]
        grid = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *lengths]))
        # Per coder: units, the sum of (2 l^3 - 3 l^2 + l) / 3 and of l (l - 1), the
        # histogram of unit lengths (times l^2) and F over the grid of lengths.
        count = np.array([len(x) for x in lengths], dtype=np.int64)
        ln = [x.astype(np.float64) for x in lengths]
        poly = np.array([((2 * x**3 - 3 * x**2 + x) / 3.0).sum() for x in ln])
        squares = np.array([(x * (x - 1.0)).sum() for x in ln])
        weighted = np.zeros((len(coders), len(grid)))
        fits = np.zeros((len(coders), len(grid)))
        g2 = grid.astype(np.float64) ** 2
        for k, (at, x) in enumerate(zip(mine, lengths, strict=True)):
            weighted[k] = np.bincount(np.searchsorted(grid, x), minlength=len(grid)) * g2
            fits[k] = _fits(_gaps(begin[at], end[at], length), grid)
        cross = weighted @ fits.T  # [i, j]: sum over i's units of l^2 F_j(l)
        n_c = count[left] + count[right]
        numerator = (n_c - 1) * (poly[left] + poly[right]) + (
            cross[left, left] + cross[left, right] + cross[right, left] + cross[right, right]
        )
        denominator = m * big_l * (m * big_l - 1.0) - (squares[left] + squares[right])
        with np.errstate(divide="ignore", invalid="ignore"):
            d_e[:, c] = (2.0 / big_l) * numerator / denominator
        n_units[:, c] = n_c
    return d_e, n_units
