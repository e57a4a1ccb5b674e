"""Percent agreement, without chance correction.

* ``unit_mean`` (Fleiss, 1971; Gwet, 2014, "p_a"): the mean over units with at least two
  values of the share of agreeing pairs of values,
  ``(1 / n2) * sum_u sum_k r_uk (r*_uk - 1) / (r_u (r_u - 1))``; for two coders, the share
  of units on which they agree.
* ``pairable_value_weighted`` (Krippendorff, 2019, ch. 12: A_o = 1 - D_o): the same unit
  shares weighted by the unit's number of pairable values,
  ``sum_c o_cc / n..`` (or ``sum_ck w_ck o_ck / n..`` with weights).

Weights give partial credit as in the kappa family (see :mod:`app.agreement.weights`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.kappa import _unit_table
from app.agreement.reliability_data import Units, reliability_data
from app.agreement.results import AgreementResult
from app.agreement.statistic import UnitStatistic
from app.agreement.weights import Weights, agreement_weights, weights_name

VARIANTS = ("unit_mean", "pairable_value_weighted")


def percent_statistic(
    units: Units,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    variant: str = "unit_mean",
) -> tuple[UnitStatistic, np.ndarray, dict[str, slice], tuple[Any, ...], int]:
    """Percent agreement as a function of per-unit sums (for the bootstrap)."""
    if variant not in VARIANTS:
        raise AgreementError(f"Unknown variant {variant!r}: use {' or '.join(VARIANTS)}.")
    data = reliability_data(units, categories)
    w = agreement_weights(weights, data.n_categories, symmetric=True, values=data.categories)
    table, layout, rows = _unit_table(data, w)
    if table[:, layout["pair"]].sum() == 0:
        raise AgreementError(
            "No unit has values from two or more coders; agreement cannot be measured."
        )
    num, den = ("agree", "pair") if variant == "unit_mean" else ("agree_values", "values")

    def finish(sums: np.ndarray) -> np.ndarray:
        return sums[:, layout[num]][:, 0] / sums[:, layout[den]][:, 0]

    return UnitStatistic(table, finish), rows, layout, data.categories, data.n_coders


def percent_agreement(
    units: Units,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    variant: str = "unit_mean",
) -> AgreementResult:
    """Percent agreement (``unit_mean`` or Krippendorff's ``pairable_value_weighted`` A_o).

    ``expected`` is ``None``: there is no chance correction. Raises
    :class:`AgreementError` when no unit has two values.
    """
    statistic, _, layout, categories_, n_coders = percent_statistic(
        units, weights, categories, variant
    )
    sums = statistic.table.sum(axis=0)[None, :]
    value = float(statistic.finish(sums)[0])
    return AgreementResult(
        coefficient=f"percent_agreement ({variant})",
        value=value,
        observed=value,
        expected=None,
        n_units=int(sums[0, layout["rated"]][0]),
        n_pairable_units=int(sums[0, layout["pair"]][0]),
        n_pairable_values=int(round(sums[0, layout["values"]][0])),
        n_coders=n_coders,
        categories=categories_,
        weights=weights_name(weights),
    )
