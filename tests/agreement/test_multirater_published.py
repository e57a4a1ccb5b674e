"""Multi-rater and category-specific coefficients against further published examples.

The data and published figures of these examples are transcribed from the tests of DKPro
Statistics (UKP Lab, TU Darmstadt, Apache-2.0; dkpro-statistics-agreement/src/test/java/
org/dkpro/statistics/agreement/coding/), each citing its publication; the values those
tests assert are the published ones unless noted.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from app.agreement import (
    bennett_s,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    hubert_kappa,
    krippendorff_alpha,
    light_kappa,
    percent_agreement,
)
from tests.agreement.test_agreement_published import FLEISS_1971


def expand(rows):
    """Units from (count, ratings) rows, the ratings one per rater."""
    return [dict(enumerate(ratings)) for count, ratings in rows for _ in range(count)]


# Warrens (2010), "Inequalities between multi-rater kappas", Adv. Data Anal. Classif. 4,
# p. 284: eight pathologists, 30 breast lesions, N(on-atypia) or A(typia), after O'Malley
# et al. (2006).
WARRENS_2010 = expand(
    [
        (14, "NNNNNNNN"), (1, "NNNANNNN"), (1, "NNNNNNNA"), (10, "AAAAAAAA"),
        (2, "AANAAAAN"), (1, "AANANAAN"), (1, "AANANANN"),
    ]
)  # fmt: skip


def test_warrens_2010_light_hubert_fleiss_randolph():
    """Published to four decimals: Light 0.8325, Hubert 0.8326, Fleiss 0.8324, Randolph
    0.8358. Loupe's exact values are 0.83244, 0.83263, 0.83235 and 0.83571: three of the
    printed figures are a unit above the rounded exact ones, perhaps from rounded
    intermediate results (Randolph's is (27.5357 / 28 - 1/2) / (1/2) = 0.835714 exactly), so the test
    allows 1e-4, as DKPro's does."""
    assert light_kappa(WARRENS_2010).value == pytest.approx(0.8325, abs=1e-4)
    assert hubert_kappa(WARRENS_2010).value == pytest.approx(0.8326, abs=1e-4)
    assert fleiss_kappa(WARRENS_2010).value == pytest.approx(0.8324, abs=1e-4)
    assert bennett_s(WARRENS_2010).value == pytest.approx(0.8358, abs=1e-4)
    assert bennett_s(WARRENS_2010).value == pytest.approx(
        (2 * (25.5 + 57 / 28) / 30 - 1), abs=1e-14
    )
    # Warrens' inequalities: Fleiss <= Hubert <= Randolph, and Light <= Randolph.
    values = {f.__name__: f(WARRENS_2010).value for f in (fleiss_kappa, hubert_kappa, bennett_s)}
    assert values["fleiss_kappa"] <= values["hubert_kappa"] <= values["bennett_s"]
    # Light's kappa is the mean of the 28 pairwise Cohen's kappas.
    pairs = [cohen_kappa(WARRENS_2010, coders=pair).value for pair in combinations(range(8), 2)]
    assert light_kappa(WARRENS_2010).value == pytest.approx(np.mean(pairs), abs=1e-14)


def test_warrens_2012_hubert_kappa_binary_examples():
    """Warrens (2012), "On the equivalence of multirater kappas based on 2-agreement and
    3-agreement with binary scores", ISRN Probability and Statistics 656390: example 1
    (p. 3, four raters, 30 items) Hubert's kappa 0.802479, and the first pair's Cohen's
    kappa 8/11; example 2b (p. 9) 0.564. (Example 2a, printed 0.645, gives 0.675 here as
    in DKPro, whose test notes an error in the paper.)"""
    example_1 = expand([(10, "1111"), (2, "1010"), (2, "1000"), (1, "0001"), (15, "0000")])
    assert hubert_kappa(example_1).value == pytest.approx(0.802479, abs=1e-6)
    # With complete data Hubert's kappa is Conger's.
    assert conger_kappa(example_1).value == pytest.approx(0.802479, abs=1e-6)
    assert cohen_kappa(example_1, coders=(0, 1)).value == pytest.approx(8 / 11, abs=1e-14)
    example_2b = expand([(6, "1111"), (5, "1010"), (4, "0000")])
    assert hubert_kappa(example_2b).value == pytest.approx(0.564, abs=5e-4)


# Agresti (1992), "Modelling patterns of agreement and disagreement", Statistical Methods in
# Medical Research 1, p. 202, from Landis & Koch (1977): two neurologists, 149 patients,
# four diagnostic categories.
AGRESTI_1992 = [
    {"A": a, "B": b}
    for count, a, b in [
        (22, 1, 1), (2, 1, 2), (2, 1, 3), (5, 2, 1), (7, 2, 2), (14, 2, 3), (2, 3, 2),
        (36, 3, 3), (1, 4, 2), (17, 4, 3), (10, 4, 4),
    ]
    for _ in range(count)
]  # fmt: skip


def test_agresti_1992_category_specific_kappa():
    """Cohen's kappa 0.493; category-specific kappas 0.781, 0.247, 0.402, 0.435. These are
    the kappa of each category against the rest with the pooled share of the category as
    chance (Fleiss' kappa_j), not Cohen's kappa on the dichotomised 2 x 2 table, which
    gives 0.781, 0.266, 0.441, 0.459."""
    assert round(cohen_kappa(AGRESTI_1992).value, 3) == 0.493
    published = {1: 0.781, 2: 0.247, 3: 0.402, 4: 0.435}
    for category, value in published.items():
        assert round(fleiss_kappa(AGRESTI_1992, category=category).value, 3) == value
    dichotomised = [{k: v == 2 for k, v in u.items()} for u in AGRESTI_1992]
    assert round(cohen_kappa(dichotomised).value, 3) == 0.266


# Krippendorff (1980), Content Analysis, 1st ed.: p. 133, two coders, ten units, binary;
# p. 139, three coders, nine units, values 1-4.
KRIPPENDORFF_1980_P133 = np.array(
    [(0, 0), (1, 1), (0, 1), (0, 0), (0, 0), (0, 1), (0, 0), (0, 1), (1, 0), (0, 0)]
).T
KRIPPENDORFF_1980_P139 = np.array(
    [(1, 1, 1), (1, 2, 2), (2, 2, 2), (4, 4, 4), (1, 4, 4), (2, 2, 2), (1, 2, 3), (3, 3, 3),
     (2, 2, 2)]
).T  # fmt: skip


def test_krippendorff_1980_binary_example():
    """p. 133: agreement 0.600, D_o 0.400, D_e 0.442, alpha 0.095."""
    result = krippendorff_alpha(KRIPPENDORFF_1980_P133)
    assert round(result.observed_disagreement, 3) == 0.400
    assert round(result.expected_disagreement, 3) == 0.442
    assert round(result.value, 3) == 0.095
    assert percent_agreement(KRIPPENDORFF_1980_P133).value == pytest.approx(0.6, abs=1e-15)


def test_krippendorff_1980_p139_alpha_and_category_specific_alpha():
    """p. 139: nominal alpha 0.642 (D_o 0.259, D_e 0.724), interval 0.547, ratio 0.483, and
    the alpha of each value against all others: 0.381, 0.711, 0.717, 0.764. Percent
    agreement 0.740 is printed; the mean share of agreeing pairs is 20/27 = 0.7407."""
    nominal = krippendorff_alpha(KRIPPENDORFF_1980_P139)
    assert round(nominal.value, 3) == 0.642
    assert round(nominal.observed_disagreement, 3) == 0.259
    assert round(nominal.expected_disagreement, 3) == 0.724
    assert round(krippendorff_alpha(KRIPPENDORFF_1980_P139, "interval").value, 3) == 0.547
    assert round(krippendorff_alpha(KRIPPENDORFF_1980_P139, "ratio").value, 3) == 0.483
    published = {1: 0.381, 2: 0.711, 3: 0.717, 4: 0.764}
    for category, value in published.items():
        assert round(krippendorff_alpha(KRIPPENDORFF_1980_P139, category=category).value, 3) == (
            value
        )
    assert percent_agreement(KRIPPENDORFF_1980_P139).value == pytest.approx(20 / 27, abs=1e-15)


def test_fleiss_1971_category_kappas_two_transcriptions():
    """Fleiss' (1971) kappa_j on his Table 1 data. R's irr (kappam.fleiss(detail = TRUE), as
    pyirr's tests quote it) gives 0.245, 0.245, 0.520, 0.471, 0.566, which Loupe reproduces
    to three decimals; DKPro's Fleiss1971Test asserts 0.248, 0.248, 0.517, 0.470, 0.565
    within 0.005 (perhaps the figures printed in the paper, from rounded p_j)."""
    irr = [0.245, 0.245, 0.520, 0.471, 0.566]
    dkpro = [0.248, 0.248, 0.517, 0.470, 0.565]
    for category in range(1, 6):
        value = fleiss_kappa(FLEISS_1971.T, category=category).value
        assert round(value, 3) == irr[category - 1]
        assert value == pytest.approx(dkpro[category - 1], abs=0.005)


def test_mieskes_2009_category_specific_fleiss_kappa():
    """Mieskes (2009), dissertation, Erlangen-Nürnberg, p. 58: three annotators tag 17 items
    with parts of speech; Fleiss' kappa 0.80 (P 0.84, P_e 0.20) and kappa_j 1.00 (INP, JJ,
    MD, PRP), 0.48 (NN), 0.56 (RB), 0.67 (UH), 0.29 (VB), -0.02 (VBP)."""
    rows = [
        ("UH", "VB", "UH"), ("INP", "INP", "INP"), ("UH", "UH", "UH"), ("INP", "INP", "INP"),
        ("RB", "RB", "RB"), ("JJ", "JJ", "JJ"), ("INP", "INP", "INP"), ("PRP", "PRP", "PRP"),
        ("NN", "NN", "RB"), ("VB", "VBP", "VB"), ("PRP", "PRP", "PRP"), ("INP", "INP", "INP"),
        ("RB", "UH", "UH"), ("INP", "INP", "INP"), ("MD", "MD", "MD"), ("PRP", "PRP", "PRP"),
        ("INP", "INP", "INP"),
    ]  # fmt: skip
    units = [dict(enumerate(row)) for row in rows]
    kappa = fleiss_kappa(units)
    assert (round(kappa.observed, 2), round(kappa.expected, 2), round(kappa.value, 2)) == (
        0.84,
        0.20,
        0.80,
    )
    published = {"INP": 1.0, "JJ": 1.0, "MD": 1.0, "NN": 0.48, "PRP": 1.0, "RB": 0.56,
                 "UH": 0.67, "VB": 0.29, "VBP": -0.02}  # fmt: skip
    for category, value in published.items():
        assert round(fleiss_kappa(units, category=category).value, 2) == value
