"""Two-rater and free-marginal coefficients against published worked examples.

Data and published figures as DKPro Statistics' tests transcribe them (UKP Lab, TU
Darmstadt, Apache-2.0; dkpro-statistics-agreement/src/test/java/org/dkpro/statistics/
agreement/coding/), each from the publication cited. Tables are given as (count, first
coder's value, second coder's value).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import (
    bennett_s,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)


def pairs(rows):
    return [{"A": a, "B": b} for count, a, b in rows for _ in range(count)]


# Artstein & Poesio (2008), "Inter-coder agreement for computational linguistics",
# Computational Linguistics 34(4): p. 558 (two categories) and p. 568 (three).
ARTSTEIN_POESIO_1 = pairs(
    [(20, "STAT", "STAT"), (20, "IReq", "STAT"), (10, "STAT", "IReq"), (50, "IReq", "IReq")]
)
ARTSTEIN_POESIO_2 = pairs(
    [(46, "STAT", "STAT"), (6, "IReq", "STAT"), (32, "IReq", "IReq"), (6, "IReq", "Chck"),
     (10, "Chck", "Chck")]
)  # fmt: skip


def components(result):
    return round(result.observed, 3), round(result.expected, 3), round(result.value, 3)


def test_artstein_poesio_2008_example_1():
    """A_o 0.7; S: A_e 0.5, 0.4; pi: A_e 0.545, 0.341; kappa: A_e 0.54, 0.348."""
    assert percent_agreement(ARTSTEIN_POESIO_1).value == pytest.approx(0.7, abs=1e-15)
    assert components(bennett_s(ARTSTEIN_POESIO_1)) == (0.7, 0.5, 0.4)
    assert components(scott_pi(ARTSTEIN_POESIO_1)) == (0.7, 0.545, 0.341)
    assert components(cohen_kappa(ARTSTEIN_POESIO_1)) == (0.7, 0.54, 0.348)


def test_artstein_poesio_2008_example_2_and_weighted():
    """A_o 0.88; S 0.82 (A_e 1/3); pi 0.7995 (A_e 0.4014); kappa 0.8013 (A_e 0.396); alpha
    0.800 (D_o 0.120, D_e 0.601). With Chck half-way between STAT and IReq (distance 0.5):
    alpha 0.8156 (D_o 0.090, D_e 0.4879) and weighted kappa 0.8163 (D_o 0.090, D_e 0.490)."""
    data = ARTSTEIN_POESIO_2
    assert percent_agreement(data).value == pytest.approx(0.88, abs=1e-15)
    s = bennett_s(data)
    assert (round(s.expected, 3), round(s.value, 3)) == (0.333, 0.82)
    pi = scott_pi(data)
    assert (round(pi.expected, 4), round(pi.value, 4)) == (0.4014, 0.7995)
    kappa = cohen_kappa(data)
    assert (round(kappa.expected, 3), round(kappa.value, 4)) == (0.396, 0.8013)
    alpha = krippendorff_alpha(data)
    assert round(alpha.observed_disagreement, 3) == 0.120
    # D_e 0.60161 and alpha 0.80053, printed 0.601 and 0.800 (truncated, it seems).
    assert alpha.expected_disagreement == pytest.approx(0.601, abs=1e-3)
    assert alpha.value == pytest.approx(0.800, abs=1e-3)
    cats = ["STAT", "IReq", "Chck"]
    w = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    weighted_alpha = krippendorff_alpha(data, weights=w, categories=cats)
    assert round(weighted_alpha.observed_disagreement, 3) == 0.090
    assert round(weighted_alpha.expected_disagreement, 4) == 0.4879
    assert round(weighted_alpha.value, 4) == 0.8156
    weighted_kappa = cohen_kappa(data, w, categories=cats)
    assert round(1 - weighted_kappa.observed, 3) == 0.090
    assert round(1 - weighted_kappa.expected, 3) == 0.490
    assert round(weighted_kappa.value, 4) == 0.8163


def test_cohen_1960_examples():
    """p. 37: p_o 0.29, p_c 0.35; p. 45: p_o 0.70, p_c 0.41, kappa 0.492."""
    first = cohen_kappa(
        pairs([(25, 1, 1), (12, 1, 2), (3, 1, 3), (13, 2, 1), (2, 2, 2), (15, 2, 3),
               (12, 3, 1), (16, 3, 2), (2, 3, 3)])
    )  # fmt: skip
    assert (round(first.observed, 2), round(first.expected, 2)) == (0.29, 0.35)
    second = cohen_kappa(
        pairs([(88, 1, 1), (14, 1, 2), (18, 1, 3), (10, 2, 1), (40, 2, 2), (10, 2, 3),
               (2, 3, 1), (6, 3, 2), (12, 3, 3)])
    )  # fmt: skip
    assert components(second) == (0.70, 0.41, 0.492)


@pytest.mark.parametrize(
    ("rows", "expected", "kappa"),
    [
        ([(50, 1, 1), (10, 2, 1), (10, 2, 2), (10, 2, 3), (20, 3, 1)], 0.45, 0.27),
        ([(50, 1, 1), (10, 1, 3), (10, 2, 2), (10, 2, 3), (10, 3, 1), (10, 3, 2)], 0.44, 0.29),
    ],
    ids=["p689", "p691"],
)
def test_brennan_prediger_1981(rows, expected, kappa):
    """Brennan & Prediger (1981), Educ. Psychol. Meas. 41, pp. 689 and 691 (proportions x
    100): p_o 0.60; Cohen's p_c and kappa as given; free-marginal p_c 1/3 and kappa_n 0.40."""
    data = pairs(rows)
    k = cohen_kappa(data)
    assert (round(k.observed, 2), round(k.expected, 2), round(k.value, 2)) == (0.6, expected, kappa)
    s = bennett_s(data)
    assert (round(s.expected, 2), round(s.value, 2)) == (0.33, 0.40)


def test_randolph_2005_free_marginal_and_fleiss():
    """Randolph (2005), p. 17, three raters, four items: Fleiss' kappa 0.33 (P 0.67, P_e
    0.50) and -0.20, Randolph's free-marginal kappa 0.33 in both."""
    first = [dict(enumerate(r)) for r in ("YYY", "YYN", "NNY", "NNN")]
    second = [dict(enumerate(r)) for r in ("YYY", "YYN", "YYN", "YYY")]
    assert components(fleiss_kappa(first)) == (0.667, 0.5, 0.333)
    assert round(fleiss_kappa(second).value, 2) == -0.20
    assert round(bennett_s(first).value, 2) == round(bennett_s(second).value, 2) == 0.33


ZWICK_1988 = [
    [(20, "A", "A"), (5, "A", "D"), (10, "B", "B"), (15, "B", "C"), (15, "C", "B"),
     (10, "C", "C"), (5, "D", "A"), (20, "D", "D")],
    [(20, "A", "A"), (10, "A", "B"), (10, "A", "C"), (10, "B", "A"), (10, "B", "B"),
     (10, "C", "A"), (10, "C", "C"), (20, "D", "D")],
    [(20, "A", "A"), (5, "A", "B"), (5, "A", "C"), (10, "A", "D"), (10, "B", "B"),
     (5, "B", "C"), (5, "B", "D"), (5, "C", "B"), (10, "C", "C"), (5, "C", "D"),
     (20, "D", "D")],
]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "pi", "kappa"),
    [(ZWICK_1988[0], 0.467, 0.467), (ZWICK_1988[1], 0.444, 0.444), (ZWICK_1988[2], 0.460, 0.474)],
    ids=["equal-marginals", "symmetric", "unequal-marginals"],
)
def test_zwick_1988(table, pi, kappa):
    """Zwick (1988), Psychol. Bull. 103, p. 376: the same 0.60 agreement and S 0.467 with
    pi and kappa apart when the marginals differ. The third pi is 0.34 / 0.74 = 0.45946,
    printed 0.460 (DKPro allows 0.001)."""
    data = pairs(table)
    assert percent_agreement(data).value == pytest.approx(0.6, abs=1e-15)
    assert round(bennett_s(data).value, 3) == 0.467
    assert scott_pi(data).value == pytest.approx(pi, abs=1e-3)
    assert round(cohen_kappa(data).value, 3) == kappa
