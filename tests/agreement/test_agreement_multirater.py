"""Conger's, Light's and Hubert's kappas and the category-specific alpha and kappa:
published worked examples and independent implementations."""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pytest

from app.agreement import (
    AgreementError,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    hubert_kappa,
    krippendorff_alpha,
    light_kappa,
)
from tests.agreement.test_agreement_published import FLEISS_1971, KRIPPENDORFF_2011
from tests.agreement.test_agreement_references import custom_weights, irrcac, random_data

TOL = 1e-9
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")

# Gwet (2014) / irrCAC's cac.raw4raters: Krippendorff's 2011 data with coder C rating
# unit 12 instead of B.
GWET_4RATERS = KRIPPENDORFF_2011.copy()
GWET_4RATERS[1, 11], GWET_4RATERS[2, 11] = np.nan, 3


def test_conger_gwet_2014_four_raters():
    # Documented in Gwet's irrCAC (conger.kappa.raw(cac.raw4raters)): 0.76282, p_a 0.81818,
    # p_e 0.23343.
    result = conger_kappa(GWET_4RATERS)
    assert round(result.value, 5) == 0.76282
    assert round(result.observed, 5) == 0.81818
    assert round(result.expected, 5) == 0.23343
    assert result.coefficient == "conger_kappa"


@pytest.mark.parametrize("seed", range(5))
def test_conger_matches_irrcac_with_missing_values(seed):
    rng = np.random.default_rng(40 + seed)
    q = 2 + seed
    data = random_data(rng, 3 + seed, 30 + 10 * seed, q, 0.3)
    cats = [float(c) for c in range(1, q + 1)]
    w = custom_weights(rng, q)
    plain = irrcac(data, "identity", cats).conger()["est"]
    weighted = irrcac(data, w, cats).conger()["est"]
    assert conger_kappa(data, cats).value == pytest.approx(plain["coefficient_value"], abs=TOL)
    assert conger_kappa(data, cats, w).value == pytest.approx(
        weighted["coefficient_value"], abs=TOL
    )
    assert conger_kappa(data, cats, w).expected == pytest.approx(weighted["pe"], abs=TOL)


def test_conger_with_two_complete_coders_is_cohen():
    rng = np.random.default_rng(7)
    data = random_data(rng, 2, 60, 4, 0.0)
    for weights in (None, "quadratic"):
        assert conger_kappa(data, weights=weights).value == pytest.approx(
            cohen_kappa(data, weights).value, abs=1e-14
        )


def test_conger_needs_two_coders():
    with pytest.raises(AgreementError):
        conger_kappa(np.array([[1.0, 2.0], [np.nan, np.nan]]))


def pairwise(data, weights=None):
    out = []
    for i, j in combinations(range(data.shape[0]), 2):
        pair = data[[i, j]]
        if (~np.isnan(pair).any(axis=0)).any():
            out.append(cohen_kappa(pair, weights, categories=sorted(set(data[~np.isnan(data)]))))
    return out


@pytest.mark.parametrize("missing", [0.0, 0.3])
@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_light_and_hubert_from_the_pairs(missing, weights):
    # Warrens (2010): Light's kappa is the mean of the pairwise kappas; Hubert's kappa
    # compares the mean pairwise observed and chance agreements.
    rng = np.random.default_rng(11)
    data = random_data(rng, 4, 50, 4, missing)
    pairs = pairwise(data, weights)
    light = light_kappa(data, weights=weights)
    hubert = hubert_kappa(data, weights=weights)
    assert light.value == pytest.approx(np.mean([p.value for p in pairs]), abs=1e-14)
    p_a = np.mean([p.observed for p in pairs])
    p_e = np.mean([p.expected for p in pairs])
    assert hubert.value == pytest.approx((p_a - p_e) / (1 - p_e), abs=1e-14)
    if missing == 0.0:
        # With complete data the mean pairwise agreement is Fleiss' p_a, so Hubert's
        # kappa is Conger's (Warrens, 2010).
        assert hubert.value == pytest.approx(conger_kappa(data, weights=weights).value, abs=1e-12)


def test_light_and_hubert_with_two_coders_are_cohen():
    rng = np.random.default_rng(3)
    data = random_data(rng, 2, 40, 3, 0.2)
    assert light_kappa(data).value == pytest.approx(cohen_kappa(data).value, abs=1e-15)
    assert hubert_kappa(data).value == pytest.approx(cohen_kappa(data).value, abs=1e-15)


def test_fleiss_1971_category_specific_kappas():
    # Fleiss (1971), table 2: kappa_j for depression, personality disorder,
    # schizophrenia, neurosis and other.
    published = {1: 0.245, 2: 0.245, 3: 0.520, 4: 0.471, 5: 0.566}
    for category, value in published.items():
        result = fleiss_kappa(FLEISS_1971.T, category=category)
        assert round(result.value, 3) == value
        assert result.categories == (category, "other")


def test_category_kappa_is_fleiss_formula_with_pooled_share():
    # kappa_j = 1 - sum_u x_uj (m - x_uj) / (n m (m - 1) p_j q_j), from the counts.
    m, n = 6, 30
    for j in range(1, 6):
        x = (FLEISS_1971 == j).sum(axis=1)
        p = x.sum() / (n * m)
        expected = 1 - (x * (m - x)).sum() / (n * m * (m - 1) * p * (1 - p))
        assert fleiss_kappa(FLEISS_1971.T, category=j).value == pytest.approx(expected, abs=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_category_alpha_matches_krippendorff_package_on_dichotomised_data(seed):
    rng = np.random.default_rng(70 + seed)
    data = random_data(rng, 3 + seed, 40, 4, 0.25)
    for c in (1, 2, 3, 4):
        dich = np.where(np.isnan(data), np.nan, (data == c).astype(float))
        expected = krippendorff.alpha(reliability_data=dich, level_of_measurement="nominal")
        assert krippendorff_alpha(data, category=c).value == pytest.approx(expected, abs=TOL)


def test_category_coefficients_refuse_what_they_cannot_mean():
    with pytest.raises(AgreementError):
        krippendorff_alpha(KRIPPENDORFF_2011, "interval", category=1)
    with pytest.raises(AgreementError):
        fleiss_kappa(KRIPPENDORFF_2011, "quadratic", category=1)
    with pytest.raises(AgreementError):
        fleiss_kappa(KRIPPENDORFF_2011, category=9)


def test_fleiss_1971_data_light_and_conger_as_published_by_irr():
    # R's irr on its `diagnoses` (Fleiss' table, columns as raters): kappam.light 0.459,
    # kappam.fleiss(exact = TRUE), Conger's kappa, 0.442. With complete data Hubert's
    # kappa equals Conger's.
    assert round(light_kappa(FLEISS_1971.T).value, 3) == 0.459
    assert round(conger_kappa(FLEISS_1971.T).value, 3) == 0.442
    assert hubert_kappa(FLEISS_1971.T).value == pytest.approx(
        conger_kappa(FLEISS_1971.T).value, abs=1e-14
    )


def test_conger_leaves_out_a_coder_who_rated_nothing():
    rng = np.random.default_rng(5)
    data = random_data(rng, 3, 40, 3, 0.2)
    silent = np.vstack([data, np.full((1, 40), np.nan)])
    assert conger_kappa(silent).value == pytest.approx(conger_kappa(data).value, abs=1e-14)
