"""Weighted coefficients with missing ratings against Gwet's irrCAC (Python port, 0.4.4).

irrCAC has no separate Scott's pi for raw ratings: its ``fleiss()`` is Gwet's (2014)
generalised pi, the coefficient of his Example 3.2 with missing ratings. Its named
weights place numeric categories at their values, as Loupe's do, so the categories here
are unequally spaced on purpose.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import (
    agreement_weights,
    bennett_s,
    conger_kappa,
    fleiss_kappa,
    gwet_ac2,
    percent_agreement,
    scott_pi,
)
from tests.agreement.test_agreement_references import irrcac, random_data

TOL = 1e-9
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")
SPACED = [1.0, 2.0, 4.0, 7.0, 8.0]


def spaced_data(rng, n_coders, n_units, missing):
    codes = random_data(rng, n_coders, n_units, len(SPACED), missing, offset=0)
    return np.where(np.isnan(codes), np.nan, np.take(SPACED, np.nan_to_num(codes).astype(int)))


def value(result):
    return result["est"]["coefficient_value"]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_coders", [2, 3, 5])
@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_scott_pi_is_irrcac_generalised_pi(seed, n_coders, weights):
    rng = np.random.default_rng(900 + 10 * seed + n_coders)
    data = spaced_data(rng, n_coders, 25 + 10 * seed, 0.35)
    reference = irrcac(data, weights, SPACED).fleiss()["est"]
    ours = scott_pi(data, None if weights == "identity" else weights, categories=SPACED)
    assert ours.value == pytest.approx(value({"est": reference}), abs=TOL)
    assert ours.observed == pytest.approx(reference["pa"], abs=TOL)
    assert ours.expected == pytest.approx(reference["pe"], abs=TOL)
    assert fleiss_kappa(data, None if weights == "identity" else weights, SPACED).value == (
        pytest.approx(ours.value, abs=1e-14)
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_other_weighted_coefficients_use_category_values_like_irrcac(seed, weights):
    rng = np.random.default_rng(950 + seed)
    data = spaced_data(rng, 3 + seed, 40, 0.3)
    cac = irrcac(data, weights, SPACED)
    assert conger_kappa(data, SPACED, weights).value == pytest.approx(value(cac.conger()), abs=TOL)
    assert gwet_ac2(data, weights, SPACED).value == pytest.approx(value(cac.gwet()), abs=TOL)
    assert bennett_s(data, weights, SPACED).value == pytest.approx(value(cac.bp()), abs=TOL)
    assert percent_agreement(data, weights, SPACED).value == pytest.approx(
        cac.fleiss()["est"]["pa"], abs=TOL
    )


def test_named_weights_use_values_of_numeric_categories_and_ranks_of_others():
    # Gwet (2014, ch. 3): quadratic weights 1 - (x_k - x_l)^2 / (x_max - x_min)^2.
    w = agreement_weights("quadratic", 3, values=[1, 2, 5])
    np.testing.assert_allclose(w[0], [1.0, 1 - 1 / 16, 0.0])
    np.testing.assert_allclose(w[1], [1 - 1 / 16, 1.0, 1 - 9 / 16])
    ranks = agreement_weights("quadratic", 3, values=["low", "mid", "high"])
    np.testing.assert_allclose(ranks[0], [1.0, 0.75, 0.0])
    np.testing.assert_allclose(
        agreement_weights("linear", 3), [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    )
    # Equally spaced numbers give the same weights as their ranks.
    np.testing.assert_allclose(
        agreement_weights("linear", 4, values=[0, 2, 4, 6]), agreement_weights("linear", 4)
    )
    # Booleans are not a scale.
    np.testing.assert_allclose(
        agreement_weights("linear", 2, values=[False, True]), agreement_weights("linear", 2)
    )
