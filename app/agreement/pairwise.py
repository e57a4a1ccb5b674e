"""Multi-coder kappas built from the coder pairs (Warrens, 2010; Gwet, 2014, ch. 2).

* Light's kappa (Light, 1971): the mean of the Cohen's kappas of every pair of coders.
* Hubert's kappa (Hubert, 1977; Conger, 1980): ``(P - E) / (1 - E)`` with P the mean of
  the pairs' observed agreements and E the mean of the pairs' Cohen chance agreements.
  With complete data P is Fleiss' observed agreement and Hubert's kappa equals Conger's.

Each pair is treated as Cohen's kappa with missing ratings (Gwet, 2014): observed
agreement over the units both coders rated, each coder's shares over the units that coder
rated. A pair with no unit in common is left out (``n_pairable_units`` of the result
counts the units with two or more values). Weighted versions use the same weights in
every pair.

Sources: M. J. Warrens, "Inequalities between multi-rater kappas", Advances in Data
Analysis and Classification 4 (2010) 271-286; R. J. Light, Psychological Bulletin 76
(1971) 365-377; L. Hubert, British Journal of Mathematical and Statistical Psychology 30
(1977) 98-103.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.kappa import NO_VARIATION, cohen_kappa
from app.agreement.reliability_data import ReliabilityData, Units, reliability_data
from app.agreement.results import AgreementResult
from app.agreement.weights import Weights, agreement_weights, weights_name


def _pairs(
    units: Units, categories: Sequence[Any] | None, weights: Weights
) -> tuple[ReliabilityData, list[AgreementResult]]:
    data = reliability_data(units, categories)
    agreement_weights(weights, data.n_categories, symmetric=True)
    results = []
    for i, j in combinations(range(data.n_coders), 2):
        codes = data.codes[[i, j]]
        if not ((codes[0] >= 0) & (codes[1] >= 0)).any():
            continue
        pair = ReliabilityData((data.coders[i], data.coders[j]), data.categories, codes)
        results.append(cohen_kappa(pair, weights))
    if not results:
        raise AgreementError("No two coders rated a unit in common; agreement cannot be measured.")
    return data, results


def _record(
    name: str, data: ReliabilityData, value: float, p_a: float, p_e: float, weights: Weights
) -> AgreementResult:
    m = data.values_per_unit()
    return AgreementResult(
        coefficient=name,
        value=value,
        observed=p_a,
        expected=p_e,
        n_units=int((m >= 1).sum()),
        n_pairable_units=int((m >= 2).sum()),
        n_pairable_values=int(m[m >= 2].sum()),
        n_coders=data.n_coders,
        categories=data.categories,
        weights=weights_name(weights),
        note=NO_VARIATION if np.isnan(value) else None,
    )


def light_kappa(
    units: Units, categories: Sequence[Any] | None = None, weights: Weights = None
) -> AgreementResult:
    """Light's kappa: the mean of the pairwise Cohen's kappas (NaN if any pair's is).

    ``observed`` and ``expected`` are the means of the pairs' p_a and p_e.
    """
    data, pairs = _pairs(units, categories, weights)
    value = float(np.mean([r.value for r in pairs]))
    p_a = float(np.mean([r.observed for r in pairs]))
    p_e = float(np.mean([r.expected for r in pairs]))
    return _record("light_kappa", data, value, p_a, p_e, weights)


def hubert_kappa(
    units: Units, categories: Sequence[Any] | None = None, weights: Weights = None
) -> AgreementResult:
    """Hubert's kappa: mean pairwise observed agreement against mean pairwise Cohen
    chance agreement."""
    data, pairs = _pairs(units, categories, weights)
    p_a = float(np.mean([r.observed for r in pairs]))
    p_e = float(np.mean([r.expected for r in pairs]))
    value = float("nan") if 1.0 - p_e <= 1e-12 else (p_a - p_e) / (1.0 - p_e)
    return _record("hubert_kappa", data, value, p_a, p_e, weights)
