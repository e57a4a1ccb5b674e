"""Krippendorff's alpha for coded units (Krippendorff, 2011; 2019, ch. 12).

    alpha = 1 - D_o / D_e,
    D_o = (1 / n..) * sum_{c,k} o_ck * delta2(c, k),
    D_e = (1 / (n.. (n.. - 1))) * sum_{c,k} n_c * n_k * delta2(c, k),

where the coincidence matrix is ``o_ck = sum_u (number of ordered pairs of values (c, k)
from different coders in unit u) / (m_u - 1)`` over the units with m_u >= 2 values,
``n_c = sum_k o_ck`` and ``n.. = sum_c n_c`` (the number of pairable values).

Difference functions (Krippendorff, 2011, section E):

* nominal: ``delta2 = 0 if c == k else 1``;
* ordinal: ``delta2 = (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2`` over the categories in
  their given order; it equals ``(a_k - a_c) ** 2`` with ``a_c = N_c - n_c / 2`` and ``N_c``
  the cumulative frequency, which is how it is computed here;
* interval: ``delta2 = (c - k) ** 2``;
* ratio: ``delta2 = ((c - k) / (c + k)) ** 2`` (0 when c = k = 0);
* a weights matrix w: ``delta2 = 1 - w[c, k]`` (the level is then ignored).

Sources: K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011),
Annenberg School for Communication Departmental Papers 43; K. Krippendorff, Content
Analysis: An Introduction to Its Methodology, 4th ed., Sage, 2019.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.reliability_data import ReliabilityData, Units, dichotomise, reliability_data
from app.agreement.results import AlphaResult
from app.agreement.statistic import UnitStatistic
from app.agreement.weights import Weights, agreement_weights, weights_name

LEVELS = ("nominal", "ordinal", "interval", "ratio")
NO_VARIATION = (
    "No variation: the pairable values do not differ under the metric, so the expected "
    "disagreement is zero and alpha is undefined."
)
_DENSE_LIMIT = 10_000_000  # units x categories above which coincidences are built per coder pair


def _pairable(data: ReliabilityData) -> tuple[np.ndarray, np.ndarray]:
    m = data.values_per_unit()
    return m >= 2, m


def coincidence_matrix(data: ReliabilityData) -> np.ndarray:
    """The ``(q, q)`` coincidence matrix o_ck of the reliability data (Krippendorff, 2011)."""
    pairable, m = _pairable(data)
    q = data.n_categories
    if pairable.sum() * q <= _DENSE_LIMIT:
        counts = data.counts(np.flatnonzero(pairable))
        weighted = counts / (m[pairable] - 1.0)[:, None]
        return weighted.T @ counts - np.diag(weighted.sum(axis=0))
    return _coincidences_by_coder_pairs(data, pairable, m)


def _coincidences_by_coder_pairs(
    data: ReliabilityData, pairable: np.ndarray, m: np.ndarray
) -> np.ndarray:
    q = data.n_categories
    codes = data.codes
    inverse = np.zeros(m.shape, dtype=np.float64)
    inverse[pairable] = 1.0 / (m[pairable] - 1.0)
    half = np.zeros(q * q, dtype=np.float64)
    for i in range(data.n_coders):
        for j in range(i + 1, data.n_coders):
            both = (codes[i] >= 0) & (codes[j] >= 0)
            half += np.bincount(
                codes[i, both] * q + codes[j, both], weights=inverse[both], minlength=q * q
            )
    square = half.reshape(q, q)
    return square + square.T


def _fixed_difference(
    level: str, data: ReliabilityData, weights: Weights
) -> tuple[np.ndarray | None, str]:
    """delta2 matrix for every metric but ordinal (which depends on the marginals)."""
    q = data.n_categories
    if weights is not None:
        w = agreement_weights(weights, q, symmetric=True)
        return 1.0 - w, f"{weights_name(weights)} weights"
    if level not in LEVELS:
        raise AgreementError(f"Unknown level {level!r}: use one of {', '.join(LEVELS)}.")
    if level == "nominal":
        return 1.0 - np.eye(q), level
    if level == "ordinal":
        return None, level
    values = data.numeric_categories(f"{level} level")
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return diff**2, level
    if (values < 0).any():
        raise AgreementError("The ratio level needs values that are zero or positive.")
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, diff / np.where(total == 0, 1.0, total))
    return ratio**2, level


def ordinal_difference(marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal delta2 from the value frequencies n_c (last axis).

    Accepts a vector ``(q,)`` or a stack ``(b, q)`` and returns ``(q, q)`` or ``(b, q, q)``.
    """
    a = np.cumsum(marginals, axis=-1) - marginals / 2.0
    return (a[..., :, None] - a[..., None, :]) ** 2


def krippendorff_alpha(
    units: Units,
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    weights: Weights = None,
    *,
    category: Any = None,
) -> AlphaResult:
    """Krippendorff's alpha at ``level`` (nominal, ordinal, interval, ratio).

    With ``category`` c: the category-specific alpha of Krippendorff (1980, p. 139), the
    nominal alpha of the data dichotomised into c versus any other value (how reliably
    coders tell c from the rest); the result's categories are ``(c, "other")``.

    Any number of coders; missing values allowed; units with fewer than two values do not
    enter. ``categories`` fixes the order of values for the ordinal metric and may include
    unused values. A ``weights`` matrix (or ``"linear"``/``"quadratic"``) replaces the
    level's metric with ``delta2 = 1 - w``.

    Returns an :class:`AlphaResult`; when the expected disagreement is zero (one value
    only, or no two values that differ under the metric) the value is NaN and ``note``
    says so. Raises :class:`AgreementError` on empty input or when no unit has two values.
    """
    data = reliability_data(units, categories)
    if category is not None:
        if level != "nominal" or weights is not None:
            raise AgreementError("A category-specific alpha is nominal and takes no weights.")
        data = dichotomise(data, category)
    delta, metric = _fixed_difference(level, data, weights)
    pairable, m = _pairable(data)
    if not pairable.any():
        raise AgreementError(
            "No unit has values from two or more coders; alpha needs pairable values."
        )
    return alpha_result(
        coincidence_matrix(data), delta, metric, data,
        (int((m >= 1).sum()), int(pairable.sum()), int(m[pairable].sum())),
    )


def alpha_result(
    o: np.ndarray, delta: np.ndarray | None, metric: str, data: ReliabilityData,
    counts: tuple[int, int, int],
) -> AlphaResult:
    """Alpha from the coincidence matrix ``o`` and the metric's delta2 (``None``:
    ordinal); ``counts`` are the units with a value, the pairable units and the pairable
    values. The one place alpha is computed from its parts (see :mod:`app.agreement.paired`)."""
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if delta is None:
        delta = ordinal_difference(n_c)
    d_o = float((o * delta).sum()) / n
    d_e = float(n_c @ delta @ n_c) / (n * (n - 1.0))
    value, note = (float("nan"), NO_VARIATION) if d_e == 0.0 else (1.0 - d_o / d_e, None)
    return AlphaResult(
        value=value,
        level=metric,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
        n_units=counts[0],
        n_pairable_units=counts[1],
        n_pairable_values=counts[2],
        n_coders=data.n_coders,
        categories=data.categories,
        coincidences=o,
        note=note,
    )


def alpha_statistic(
    data: ReliabilityData, level: str = "nominal", weights: Weights = None
) -> tuple[UnitStatistic, np.ndarray]:
    """Alpha as a function of per-unit sums, over the pairable units (for the bootstrap).

    Returns the statistic and the indices of the units its table rows belong to. Fixed
    metrics need the unit's disagreement ``sum_ck o_uck delta2_ck`` and value counts;
    the ordinal metric needs the unit's full coincidences, since delta2 moves with the
    marginals of every resample.
    """
    delta, _ = _fixed_difference(level, data, weights)
    pairable, m = _pairable(data)
    rows = np.flatnonzero(pairable)
    counts = data.counts(rows)
    inverse = 1.0 / (m[rows] - 1.0)
    q = data.n_categories
    if delta is not None:
        within = np.einsum("uc,cd,ud->u", counts, delta, counts) - counts @ np.diag(delta)
        table = np.column_stack([within * inverse, counts])

        def finish(sums: np.ndarray) -> np.ndarray:
            n_c = sums[:, 1:]
            n = n_c.sum(axis=1)
            expected = np.einsum("bc,cd,bd->b", n_c, delta, n_c)
            return np.where(expected > 0, 1.0 - (n - 1.0) * sums[:, 0] / expected, np.nan)

        return UnitStatistic(table, finish), rows
    outer = (counts[:, :, None] * counts[:, None, :]).reshape(len(rows), q * q)
    table = np.column_stack([outer * inverse[:, None], counts * inverse[:, None], counts])

    def finish_ordinal(sums: np.ndarray) -> np.ndarray:
        o = sums[:, : q * q].reshape(-1, q, q)
        diagonal = sums[:, q * q : q * q + q]
        o = o - diagonal[:, :, None] * np.eye(q)[None]
        n_c = sums[:, q * q + q :]
        n = n_c.sum(axis=1)
        d2 = ordinal_difference(n_c)
        observed = (o * d2).sum(axis=(1, 2))
        expected = np.einsum("bc,bcd,bd->b", n_c, d2, n_c)
        return np.where(expected > 0, 1.0 - (n - 1.0) * observed / expected, np.nan)

    return UnitStatistic(table, finish_ordinal), rows
