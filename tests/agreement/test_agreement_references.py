"""Coefficients against independent implementations on random data with missing values."""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from app.agreement import (
    bennett_s,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from app.agreement.alpha import _coincidences_by_coder_pairs, coincidence_matrix
from app.agreement.reliability_data import reliability_data
from tests.agreement.agreement_brute import kappa_family

TOL = 1e-9
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def random_data(rng, n_coders, n_units, n_values, missing, offset=1):
    """Coders x units matrix of values offset..offset+n_values-1 with NaN holes.

    Half the coders copy a hidden true value most of the time, so agreement is neither
    zero nor one.
    """
    truth = rng.integers(0, n_values, n_units)
    noise = rng.integers(0, n_values, (n_coders, n_units))
    keep = rng.random((n_coders, n_units)) < 0.6
    data = np.where(keep, truth, noise).astype(np.float64) + offset
    data[rng.random(data.shape) < missing] = np.nan
    return data


def to_units(data):
    return [
        {c: (None if np.isnan(v) else int(v)) for c, v in enumerate(data[:, u])}
        for u in range(data.shape[1])
    ]


SHAPES = [(2, 30, 3, 0.0), (3, 50, 4, 0.2), (5, 200, 7, 0.3), (4, 25, 2, 0.4), (7, 80, 10, 0.5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_matches_krippendorff_package(shape, level):
    rng = np.random.default_rng(hash((shape, level)) % 2**32)
    data = random_data(rng, *shape)
    ours = krippendorff_alpha(data, level).value
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=TOL)


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_with_unused_categories_matches_value_domain(level):
    rng = np.random.default_rng(7)
    data = random_data(rng, 4, 60, 4, 0.25, offset=2)  # values 2..5
    domain = [1, 2, 3, 4, 5, 6, 7]
    ours = krippendorff_alpha(data, level, categories=domain).value
    theirs = krippendorff.alpha(
        reliability_data=data, value_domain=domain, level_of_measurement=level
    )
    assert ours == pytest.approx(theirs, abs=TOL)


def test_alpha_ordinal_uses_the_order_of_categories():
    rng = np.random.default_rng(11)
    data = random_data(rng, 3, 40, 5, 0.2)
    order = [3, 1, 5, 2, 4]
    relabelled = np.vectorize(lambda v: v if np.isnan(v) else float(order.index(int(v))))(data)
    ours = krippendorff_alpha(data, "ordinal", categories=order).value
    reference = krippendorff.alpha(reliability_data=relabelled, level_of_measurement="ordinal")
    assert ours == pytest.approx(reference, abs=TOL)
    assert ours != pytest.approx(krippendorff_alpha(data, "ordinal").value, abs=1e-6)


def test_alpha_weights_matrix_matches_callable_metric():
    rng = np.random.default_rng(3)
    data = random_data(rng, 4, 70, 5, 0.3)
    a = rng.random((5, 5))
    w = (a + a.T) / 2
    np.fill_diagonal(w, 1.0)
    delta = 1.0 - w

    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return delta[i1, i2]

    ours = krippendorff_alpha(data, "ordinal", weights=w).value  # level is ignored
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=metric)
    assert ours == pytest.approx(theirs, abs=TOL)


def test_quadratic_weights_alpha_is_interval_alpha_on_equally_spaced_values():
    data = random_data(np.random.default_rng(5), 3, 50, 6, 0.2)
    assert krippendorff_alpha(data, weights="quadratic").value == pytest.approx(
        krippendorff_alpha(data, "interval").value, abs=TOL
    )


def test_coincidences_by_coder_pairs_match_dense_build():
    data = reliability_data(random_data(np.random.default_rng(9), 6, 300, 8, 0.35))
    m = data.values_per_unit()
    np.testing.assert_allclose(
        _coincidences_by_coder_pairs(data, m >= 2, m), coincidence_matrix(data), atol=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from("abcd"), st.one_of(st.none(), st.integers(1, 4)), max_size=4
        ),
        min_size=2,
        max_size=25,
    ),
    st.sampled_from(LEVELS),
)
def test_alpha_on_arbitrary_units_matches_package(units, level):
    values = [v for u in units for v in u.values() if v is not None]
    pairable = [u for u in units if sum(v is not None for v in u.values()) >= 2]
    if not pairable or len(set(values)) < 2:
        return
    coders = sorted({c for u in units for c in u})
    matrix = np.array(
        [[np.nan if u.get(c) is None else u[c] for u in units] for c in coders], dtype=float
    )
    ours = krippendorff_alpha(units, level)
    if np.isnan(ours.value):
        assert ours.note and ours.expected_disagreement == 0.0
        return
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    assert ours.value == pytest.approx(theirs, abs=TOL)


# --- kappa family ---------------------------------------------------------------------


def complete(rng, n_coders, n_units, n_values):
    return random_data(rng, n_coders, n_units, n_values, 0.0, offset=0).astype(int)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    data = complete(rng, 3 + seed, 40 + 10 * seed, 3 + seed)
    table, _ = inter_rater.aggregate_raters(data.T, n_cat=3 + seed)
    assert fleiss_kappa(data, categories=list(range(3 + seed))).value == pytest.approx(
        inter_rater.fleiss_kappa(table, method="fleiss"), abs=TOL
    )
    # Randolph's free-marginal kappa is Bennett's S with q categories.
    assert bennett_s(data, categories=list(range(3 + seed))).value == pytest.approx(
        inter_rater.fleiss_kappa(table, method="randolph"), abs=TOL
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn_and_statsmodels(seed, weights):
    rng = np.random.default_rng(100 + seed)
    q = 2 + seed
    data = complete(rng, 2, 60, q)
    labels = list(range(q))
    ours = cohen_kappa(data, weights, categories=labels).value
    assert ours == pytest.approx(
        cohen_kappa_score(data[0], data[1], labels=labels, weights=weights), abs=TOL
    )
    table = np.zeros((q, q))
    np.add.at(table, (data[0], data[1]), 1)
    wt = {None: None, "linear": "linear", "quadratic": "quadratic"}[weights]
    theirs = inter_rater.cohens_kappa(table, wt=wt, return_results=False)
    assert ours == pytest.approx(theirs, abs=TOL)


KAPPAS = {
    "fleiss": fleiss_kappa,
    "gwet": None,
    "bennett": bennett_s,
    "scott": scott_pi,
    "percent": percent_agreement,
}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("coefficient", ["fleiss", "gwet", "bennett", "scott", "percent", "cohen"])
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_family_with_missing_values_matches_exact_transcription(seed, coefficient, weights):
    rng = np.random.default_rng(1000 + seed)
    n_coders = 2 if coefficient == "cohen" else 2 + seed
    data = random_data(rng, n_coders, 15 + 5 * seed, 3 + seed % 3, 0.3)
    units = to_units(data)
    cats = sorted({v for u in units for v in u.values() if v is not None})
    value, p_a, p_e = kappa_family(units, coefficient, weights)
    if coefficient == "gwet":
        result = gwet_ac1(units) if weights is None else gwet_ac2(units, weights)
    elif coefficient == "cohen":
        result = cohen_kappa(units, weights)
    else:
        result = KAPPAS[coefficient](units, weights)
    assert result.categories == tuple(cats)
    assert result.value == pytest.approx(float(value), abs=1e-12)
    assert result.observed == pytest.approx(float(p_a), abs=1e-12)
    if p_e is not None:
        assert result.expected == pytest.approx(float(p_e), abs=1e-12)


def test_asymmetric_weights_for_cohen_match_exact_transcription():
    rng = np.random.default_rng(42)
    data = random_data(rng, 2, 40, 3, 0.2)
    w = np.array([[1.0, 0.5, 0.0], [0.2, 1.0, 0.9], [0.1, 0.3, 1.0]])
    units = to_units(data)
    value, _, _ = kappa_family(units, "cohen", w.tolist())
    assert cohen_kappa(units, w).value == pytest.approx(float(value), abs=1e-12)


# --- irrCAC (Gwet's own package), when installed ----------------------------------------


def irrcac(data, weights, categories):
    cac = pytest.importorskip("irrCAC.raw")
    import pandas as pd

    frame = pd.DataFrame(data.T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cac.CAC(frame, weights=weights, categories=categories, digits=15)


def custom_weights(rng, q):
    a = rng.random((q, q))
    w = (a + a.T) / 2
    np.fill_diagonal(w, 1.0)
    return w


@pytest.mark.parametrize("seed", range(4))
def test_multi_coder_coefficients_match_irrcac(seed):
    rng = np.random.default_rng(500 + seed)
    q = 3 + seed
    data = random_data(rng, 3 + seed, 30 + 10 * seed, q, 0.3)
    cats = [float(c) for c in range(1, q + 1)]
    w = custom_weights(rng, q)
    plain = irrcac(data, "identity", cats)
    weighted = irrcac(data, w, cats)

    def value(result):
        return result["est"]["coefficient_value"]

    assert gwet_ac1(data, categories=cats).value == pytest.approx(value(plain.gwet()), abs=TOL)
    assert gwet_ac2(data, w, categories=cats).value == pytest.approx(
        value(weighted.gwet()), abs=TOL
    )
    assert fleiss_kappa(data, categories=cats).value == pytest.approx(
        value(plain.fleiss()), abs=TOL
    )
    assert fleiss_kappa(data, w, categories=cats).value == pytest.approx(
        value(weighted.fleiss()), abs=TOL
    )
    assert bennett_s(data, w, categories=cats).value == pytest.approx(value(weighted.bp()), abs=TOL)
    assert krippendorff_alpha(data, weights=w, categories=cats).value == pytest.approx(
        value(weighted.krippendorff()), abs=TOL
    )


@pytest.mark.parametrize("seed", range(4))
def test_cohen_with_missing_values_matches_irrcac_conger_for_two_coders(seed):
    # Conger's kappa for two raters reduces to Cohen's kappa, with each rater's
    # marginals over the subjects that rater scored: Gwet's treatment of missing ratings.
    rng = np.random.default_rng(900 + seed)
    q = 2 + seed
    data = random_data(rng, 2, 40, q, 0.25)
    cats = [float(c) for c in range(1, q + 1)]
    w = custom_weights(rng, q)
    assert cohen_kappa(data, categories=cats).value == pytest.approx(
        irrcac(data, "identity", cats).conger()["est"]["coefficient_value"], abs=TOL
    )
    assert cohen_kappa(data, w, categories=cats).value == pytest.approx(
        irrcac(data, w, cats).conger()["est"]["coefficient_value"], abs=TOL
    )
