"""Krippendorff's bootstrap of alpha, as in Hayes & Krippendorff's KALPHA macro.

Unlike the ordinary bootstrap of :mod:`app.agreement.bootstrap`, which resamples whole
units and recomputes alpha, this procedure (Hayes & Krippendorff, 2007; Krippendorff,
"Algorithm for bootstrapping a distribution of c-alpha", 2013) keeps the expected
disagreement D_e of the data fixed and resamples the observed disagreement from the
pairs of pairable values:

1. From the coincidence matrix o_ck with n.. pairable values, an unordered pair of
   values {c, k} is drawn with probability ``o_cc / n..`` (c = k) or ``2 o_ck / n..``
   (c != k): the share of ordered pairs of values within units, each unit's pairs
   weighted ``1 / (m_u - 1)``.
2. Each resample draws ``M = min(25 * Q, n.. (m - 1) / 2)`` pairs, Q being the number
   of nonzero cells of o_ck and m the number of coders in the data (the macro's choice).
3. The resampled alpha is ``1 - sum(delta2 of the M pairs) / (M * D_e)``, with delta2
   the difference function of the full data (for the ordinal metric, from the full
   data's marginals).
4. Values below -1 are set to -1. A resample whose M pairs all come from one diagonal
   cell has no variation; as in the macro its alpha is taken as 0 (the macro estimates
   how many such resamples to expect and zeroes that many of the resampled 1s; here
   they are recognised directly).
5. The interval is read off the sorted resamples at the macro's order statistics,
   ``floor(n (1 - c) / 2)`` and ``floor(n (1 + c) / 2) + 1`` (1-based) for coverage c;
   ``q`` is the share of resamples below a minimum acceptable alpha (the macro's
   "probability of failure to reach alpha_min").

Since the expected draw of delta2 equals D_o, the resampled alphas centre on alpha.
A resample is drawn as multinomial counts over the cells, equivalent to M separate
draws and cheap for thousands of resamples. The same ``seed`` gives the same interval.

Sources: A. F. Hayes, K. Krippendorff, "Answering the call for a standard reliability
measure for coding data", Communication Methods and Measures 1 (2007) 77-89;
K. Krippendorff, "Algorithm for bootstrapping a distribution of c-alpha" (2013),
as implemented in KALPHA and in D. Klein's Stata port ``kalpha``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.agreement.alpha import _fixed_difference, krippendorff_alpha, ordinal_difference
from app.agreement.errors import AgreementError
from app.agreement.reliability_data import Units, reliability_data
from app.agreement.weights import Weights

#: Minimum acceptable alphas for which the probability of failure is reported
#: (Krippendorff, 2019, section 12.8: 0.800, and 0.667 for tentative conclusions).
ALPHA_MINIMUMS = (0.667, 0.8)


@dataclass(frozen=True)
class KalphaResult:
    """A KALPHA bootstrap interval of Krippendorff's alpha.

    ``estimate`` is alpha on the full data, ``expected_disagreement`` the D_e held fixed,
    ``n_draws`` the M pairs per resample, ``n`` the number of resamples; ``below`` maps
    each minimum alpha to the share of resamples under it (probability of failure).
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int
    n_draws: int
    seed: int | None
    expected_disagreement: float
    below: dict[float, float]
    n_no_variation: int
    distribution: np.ndarray = field(compare=False, repr=False)
    note: str | None = None


def _order_statistic(position: float) -> int:
    """floor of a position, tolerant of the float error in e.g. 0.025 * 1000."""
    return math.floor(position + 1e-9)


def kalpha(
    units: Units,
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    weights: Weights = None,
    *,
    n: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
    minimums: Sequence[float] = ALPHA_MINIMUMS,
) -> KalphaResult:
    """KALPHA bootstrap interval of alpha at ``level`` (see the module notes).

    ``units``, ``level``, ``categories`` and ``weights`` are as for
    :func:`~app.agreement.alpha.krippendorff_alpha`; ``n`` resamples; ``confidence`` is
    the coverage of the interval. Raises :class:`AgreementError` when alpha is undefined
    (no pairable values, or no variation) or the options are out of range.
    """
    if n < 2:
        raise AgreementError("The bootstrap needs at least two resamples.")
    if not 0.0 < confidence < 1.0:
        raise AgreementError("The confidence level must lie strictly between 0 and 1.")
    data = reliability_data(units, categories)
    estimate = krippendorff_alpha(data, level, weights=weights)
    if math.isnan(estimate.value):
        raise AgreementError("Alpha is undefined on these data, so it has no interval.")
    o = estimate.coincidences
    n_c = o.sum(axis=1)
    total = float(n_c.sum())
    delta, _ = _fixed_difference(level, data, weights)
    if delta is None:
        delta = ordinal_difference(n_c)
    rows, cols = np.tril_indices(len(n_c))
    diagonal = rows == cols
    p = np.where(diagonal, 1.0, 2.0) * o[rows, cols] / total
    p = p / p.sum()
    n_draws = min(
        25 * int((o > 0).sum()), math.floor(total * (data.n_coders - 1) / 2.0 + 0.5)
    )
    d_e = estimate.expected_disagreement
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_draws, p, size=n)
    values = 1.0 - counts @ delta[rows, cols] / (n_draws * d_e)
    values = np.maximum(values, -1.0)
    single_cell = (counts[:, diagonal] == n_draws).any(axis=1)
    values[single_cell] = 0.0
    ordered = np.sort(values)
    low_at = max(_order_statistic(n * (1.0 - confidence) / 2.0), 1)
    high_at = min(_order_statistic(n * (1.0 + confidence) / 2.0) + 1, n)
    no_variation = int(single_cell.sum())
    return KalphaResult(
        estimate=estimate.value,
        low=float(ordered[low_at - 1]),
        high=float(ordered[high_at - 1]),
        level=confidence,
        n=n,
        n_draws=n_draws,
        seed=seed,
        expected_disagreement=d_e,
        below={float(m): float((values < m).mean()) for m in minimums},
        n_no_variation=no_variation,
        distribution=values,
        note=(
            f"{no_variation} resamples drew pairs of one value only and count as alpha = 0."
            if no_variation
            else None
        ),
    )
