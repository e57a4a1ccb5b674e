"""Coefficients against published worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.agreement import (
    bennett_s,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from tests.agreement.agreement_brute import alpha as brute_alpha
from tests.agreement.agreement_brute import kappa_family

NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers A-D, twelve units, values 1-5, missing values as NaN. Unit 12 has one value.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)


def as_units(array):
    return [
        {f"coder{i}": (None if math.isnan(v) else int(v)) for i, v in enumerate(array[:, u])}
        for u in range(array.shape[1])
    ]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_reliability_data(level, published):
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert round(result.value, 3) == published
    exact, d_o, d_e, n = brute_alpha(as_units(KRIPPENDORFF_2011), level)
    assert result.value == pytest.approx(float(exact), abs=1e-12)
    assert result.observed_disagreement == pytest.approx(float(d_o), abs=1e-12)
    assert result.expected_disagreement == pytest.approx(float(d_e), abs=1e-12)
    assert result.n_pairable_values == n == 40
    assert result.n_pairable_units == 11
    assert result.n_units == 12
    assert result.n_coders == 4
    assert result.categories == (1, 2, 3, 4, 5)


def test_krippendorff_2011_nominal_coincidences():
    # The coincidence matrix of section C and its margins n_c = 9, 13, 10, 5, 3.
    expected = np.array(
        [
            [7, 4 / 3, 1 / 3, 1 / 3, 0],
            [4 / 3, 10, 4 / 3, 1 / 3, 0],
            [1 / 3, 4 / 3, 8, 1 / 3, 0],
            [1 / 3, 1 / 3, 1 / 3, 4, 0],
            [0, 0, 0, 0, 3],
        ]
    )
    result = krippendorff_alpha(as_units(KRIPPENDORFF_2011))
    np.testing.assert_allclose(result.coincidences, expected, atol=1e-12)
    np.testing.assert_allclose(result.coincidences.sum(axis=1), [9, 13, 10, 5, 3], atol=1e-12)


def test_krippendorff_2011_mapping_and_array_inputs_agree():
    for level in ("nominal", "ordinal", "interval", "ratio"):
        a = krippendorff_alpha(KRIPPENDORFF_2011, level)
        b = krippendorff_alpha(as_units(KRIPPENDORFF_2011), level)
        assert a.value == pytest.approx(b.value, abs=1e-15)


# Fleiss (1971), table 1: 30 patients, 6 psychiatrists each, 5 diagnoses
# (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other), in the
# subject-by-rater form of R's irr::diagnoses (also statsmodels' test data).
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip


def test_fleiss_1971_psychiatric_diagnoses():
    result = fleiss_kappa(FLEISS_1971.T)
    assert round(result.value, 3) == 0.430
    assert round(result.observed, 3) == 0.556  # Fleiss' P-bar
    assert round(result.expected, 3) == 0.220  # Fleiss' P-bar_e
    assert result.n_units == 30 and result.n_coders == 6
    # Fleiss' p_j, the overall share of each diagnosis.
    counts = np.bincount(FLEISS_1971.ravel(), minlength=6)[1:] / FLEISS_1971.size
    np.testing.assert_allclose(np.round(counts, 3), [0.144, 0.144, 0.167, 0.306, 0.239])
    # With complete data Scott's pi is Fleiss' kappa.
    assert scott_pi(FLEISS_1971.T).value == pytest.approx(result.value, abs=1e-14)


def test_fleiss_worked_example_wikipedia():
    # 10 subjects, 14 raters, 5 categories, counts per subject; kappa = 0.210.
    table = np.array(
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ]
    )  # fmt: skip
    units = [{r: k for r, k in enumerate(np.repeat(np.arange(5), row))} for row in table]
    result = fleiss_kappa(units)
    assert round(result.value, 3) == 0.210
    assert result.observed == pytest.approx(0.378, abs=5e-4)
    assert result.expected == pytest.approx(0.213, abs=5e-4)


def test_cohen_two_by_two_textbook_example():
    # 50 proposals, two readers: yes/yes 20, yes/no 5, no/yes 10, no/no 15:
    # p_o = 0.7, p_e = 0.5, kappa = 0.4 exactly.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    units = [{"A": a, "B": b} for a, b in pairs]
    result = cohen_kappa(units)
    assert result.observed == pytest.approx(0.7, abs=1e-15)
    assert result.expected == pytest.approx(0.5, abs=1e-15)
    assert result.value == pytest.approx(0.4, abs=1e-15)


def test_cohen_sas_example_unweighted_and_weighted():
    # 3 x 3 table whose SAS PROC FREQ output is reproduced in statsmodels' tests:
    # kappa 0.4842, weighted kappa (Cicchetti-Allison = linear weights) 0.4701.
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    units = [{"A": i, "B": j} for i in range(3) for j in range(3) for _ in range(table[i][j])]
    assert round(cohen_kappa(units, categories=[0, 1, 2]).value, 4) == 0.4842
    assert round(cohen_kappa(units, "linear", categories=[0, 1, 2]).value, 4) == 0.4701


def test_gwet_2014_four_raters_example():
    # The 4-rater, 12-unit data of Gwet (2014) (Krippendorff's data, coder C rating unit
    # 12 instead of B) as shipped with Gwet's irrCAC; its documented values are
    # AC1 0.77544 (p_a 0.81818, p_e 0.19032) and Fleiss' kappa 0.76117 (p_e 0.23872).
    data = KRIPPENDORFF_2011.copy()
    data[1, 11], data[2, 11] = NAN, 3
    ac1 = gwet_ac1(data)
    assert round(ac1.value, 5) == 0.77544
    assert round(ac1.observed, 5) == 0.81818
    assert round(ac1.expected, 5) == 0.19032
    fleiss = fleiss_kappa(data)
    assert round(fleiss.value, 5) == 0.76117
    assert round(fleiss.expected, 5) == 0.23872
    # Brennan-Prediger: p_e = 1/5, so (9/11 - 1/5) / (4/5) = 17/22.
    assert bennett_s(data).value == pytest.approx(17 / 22, abs=1e-15)
    assert percent_agreement(data).value == pytest.approx(9 / 11, abs=1e-15)


@pytest.mark.parametrize("coefficient", ["fleiss", "gwet", "bennett", "scott", "percent"])
def test_gwet_example_matches_exact_transcription(coefficient):
    units = as_units(KRIPPENDORFF_2011)
    functions = {
        "fleiss": fleiss_kappa,
        "gwet": gwet_ac1,
        "bennett": bennett_s,
        "scott": scott_pi,
        "percent": percent_agreement,
    }
    value, p_a, p_e = kappa_family(units, coefficient)
    result = functions[coefficient](units)
    assert result.value == pytest.approx(float(value), abs=1e-14)
    assert result.observed == pytest.approx(float(p_a), abs=1e-14)
    if p_e is not None:
        assert result.expected == pytest.approx(float(p_e), abs=1e-14)


# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., Table 3.5 (p. 80): two raters,
# eleven units, ordered categories A < B < C, one rating missing on units 1, 6 and 11;
# transcribed from the R package `agreement` (J. M. Girard, data-raw/gwet4_table3.5.R).
GWET_TABLE_3_5 = [
    ("A", None), ("B", "C"), ("C", "C"), ("C", "C"), ("B", "B"), ("B", None),
    ("A", "A"), ("A", "B"), ("B", "B"), ("B", "B"), (None, "C"),
]  # fmt: skip


def gwet_table_3_5():
    return [{k: v for k, v in (("1", a), ("2", b)) if v is not None} for a, b in GWET_TABLE_3_5]


def test_gwet_2014_example_3_2_weighted_scott_pi_with_missing_ratings():
    """Gwet (2014), Example 3.2, quadratic weights: Scott's pi 0.7673 (p_a 0.9375,
    p_e 0.7314), the value of p. 84 with the book's errata as the R package `agreement`
    (Girard) records it in tests/testthat/test-gwet4_example3.2.R ("Gwet (2014) pp. 84
    (plus errata)"; irrCAC gives the same). An earlier version of that test notes that
    p. 84 printed p_e 0.7429 and pi 0.7569: the chance agreement from the mean of each
    rater's own marginal shares, which Loupe computed until this test. The errata take
    pi_k = (1/n) sum_u r_uk / r_u over the n units rated, as Fleiss' generalised kappa.

    By hand: pi = (2.5, 5, 3.5) / 11, w_AB = w_BC = 3/4, w_AC = 0, so
    p_e = (6.25 + 25 + 12.25 + 1.5 (12.5 + 17.5)) / 121 = 88.5 / 121.
    """
    result = scott_pi(gwet_table_3_5(), "quadratic", categories=["A", "B", "C"])
    assert round(result.observed, 4) == 0.9375
    assert round(result.expected, 4) == 0.7314
    assert round(result.value, 4) == 0.7673
    assert result.expected == pytest.approx(88.5 / 121, abs=1e-15)
    assert result.n_units == 11 and result.n_pairable_units == 8


def test_gwet_2014_example_3_2_other_coefficients():
    """The same example's other coefficients with quadratic weights, as the R package
    `agreement` checks them against Gwet (2014, p. 84, with errata) and irrCAC: Cohen's
    kappa 0.7772 (p_e 0.7194), Gwet's AC2 0.8261 (p_e 0.6405; p. 84 printed 0.6309 and
    0.8307, which that test's earlier version flags as a typo), Brennan-Prediger 0.8125
    (p_e 0.6667)."""
    units, cats = gwet_table_3_5(), ["A", "B", "C"]
    kappa = cohen_kappa(units, "quadratic", categories=cats)
    assert (round(kappa.expected, 4), round(kappa.value, 4)) == (0.7194, 0.7772)
    ac2 = gwet_ac2(units, "quadratic", categories=cats)
    assert (round(ac2.expected, 4), round(ac2.value, 4)) == (0.6405, 0.8261)
    s = bennett_s(units, "quadratic", categories=cats)
    assert (round(s.expected, 4), round(s.value, 4)) == (0.6667, 0.8125)


# Gwet (2014), pp. 89-90: four raters, sixteen units, ratings 0.5-2.5 with missing ratings,
# as the R package `agreement` (Girard) transcribes them (data-raw/interval.R) and checks
# them in tests/testthat/test-categorical_interval.R.
GWET_PP_89_90 = np.array(
    [
        [1.0, 1.5, 1.0, NAN], [2.0, 2.0, 2.0, 2.0], [0.5, 1.0, 1.5, 1.5], [1.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0, 1.5], [NAN, 1.0, 2.5, NAN], [2.5, 2.5, 2.5, 2.5], [1.0, 1.0, NAN, 1.0],
        [NAN, 1.0, 2.0, 1.0], [1.0, 1.0, 0.5, 1.0], [1.5, 1.5, 1.5, 1.5], [1.0, 1.5, 1.0, NAN],
        [1.0, 1.0, 1.5, NAN], [1.0, 2.0, 2.5, 2.0], [NAN, 1.0, 1.5, 1.0], [0.5, 0.5, 0.5, 0.5],
    ]
).T  # fmt: skip


def test_gwet_2014_pp_89_90_quadratic_weights_four_raters_missing_ratings():
    """Gwet (2014), pp. 89-90, quadratic weights: p_a 0.9206; Conger's kappa 0.5290
    (p_e 0.8314), Brennan-Prediger 0.6823 (p_e 0.7500), Scott's / Fleiss' pi 0.5107
    (p_e 0.8377), AC2 0.7755 (p_e 0.6462), Krippendorff's alpha 0.6180."""
    data, q = GWET_PP_89_90, "quadratic"

    def four(result):
        return round(result.observed, 4), round(result.expected, 4), round(result.value, 4)

    assert four(conger_kappa(data, weights=q)) == (0.9206, 0.8314, 0.5290)
    assert four(bennett_s(data, q)) == (0.9206, 0.75, 0.6823)
    assert four(scott_pi(data, q)) == (0.9206, 0.8377, 0.5107)
    assert four(fleiss_kappa(data, q)) == (0.9206, 0.8377, 0.5107)
    assert four(gwet_ac2(data, q)) == (0.9206, 0.6462, 0.7755)
    assert round(krippendorff_alpha(data, "interval").value, 4) == 0.6180
    assert round(krippendorff_alpha(data, weights=q).value, 4) == 0.6180


def test_gwet_2014_pp_55_56_scott_pi_is_the_generalised_pi():
    """Gwet (2014), pp. 55-56 (with the errata for p. 56), the four raters above, as the R
    package `agreement` checks them (tests/testthat/test-categorical_unordered.R): pi
    0.7612 (p_e 0.2387), Conger's kappa 0.7628 (p_e 0.2334), S 0.7727, AC1 0.7754
    (p_e 0.1903), alpha 0.7434."""
    data = KRIPPENDORFF_2011.copy()
    data[1, 11], data[2, 11] = NAN, 3
    pi = scott_pi(data)
    assert (round(pi.expected, 4), round(pi.value, 4)) == (0.2387, 0.7612)
    kappa = conger_kappa(data)
    assert (round(kappa.expected, 4), round(kappa.value, 4)) == (0.2334, 0.7628)
    assert round(bennett_s(data).value, 4) == 0.7727
    ac1 = gwet_ac1(data)
    assert (round(ac1.expected, 4), round(ac1.value, 4)) == (0.1903, 0.7754)
    assert round(krippendorff_alpha(data).value, 4) == 0.7434
