"""Unitizing coefficients: Krippendorff's worked example and exact brute-force transcriptions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.agreement import AgreementError, cu_alpha, u_alpha, unitizing_alpha
from tests.agreement.unitizing_brute import alpha_u, u_family

# Krippendorff (2004), Content Analysis, 2nd ed., p. 254: two observers on [150, 450).
KRIPPENDORFF_2004 = [
    ("i", 225, 70, "c"),
    ("i", 370, 30, "c"),
    ("j", 220, 80, "c"),
    ("j", 355, 20, "c"),
    ("j", 400, 20, "c"),
    ("i", 180, 60, "k"),
    ("i", 300, 50, "k"),
    ("j", 180, 60, "k"),
    ("j", 300, 50, "k"),
]


def test_krippendorff_2004_worked_example():
    result = unitizing_alpha(KRIPPENDORFF_2004, 150, 300)
    c, k = result.per_category
    assert (c.category, k.category) == ("c", "k")
    # The published figures, to the four decimals printed.
    assert round(c.observed_disagreement, 4) == 0.0144
    assert round(c.expected_disagreement, 4) == 0.0532
    assert round(c.value, 4) == 0.7286
    assert k.observed_disagreement == 0.0
    assert round(k.expected_disagreement, 4) == 0.0490
    assert k.value == 1.0
    # Pooled over categories: 1 - (.0144 + 0) / (.0532 + .0490) = .8591 from the rounded
    # figures; unrounded it is .85867.
    assert result.value == pytest.approx(
        1 - c.observed_disagreement / (c.expected_disagreement + k.expected_disagreement),
        abs=1e-15,
    )
    assert abs(result.value - 0.8591) < 5e-4
    # Exact observed disagreement: 2 * (5**2 + 5**2 + 15**2 + 0 + 20**2) / (2 * 300**2).
    assert c.observed_disagreement == pytest.approx(1300 / 90000, abs=1e-15)
    exact, per, _ = alpha_u(KRIPPENDORFF_2004, 150, 300, ["i", "j"])
    assert result.value == pytest.approx(float(exact), abs=1e-12)
    assert c.value == pytest.approx(float(per["c"]), abs=1e-12)
    assert unitizing_alpha(KRIPPENDORFF_2004, 150, 300, category="c").value == c.value


def random_spans(rng, n_coders, length, n_cat, n_units, overlap_free=True):
    """Spans near shared 'true' units, jittered per coder; some units dropped or added."""
    spans = []
    true_b = np.sort(rng.choice(np.arange(1, length - 8, 9), size=n_units, replace=False))
    true_l = rng.integers(1, 6, n_units)
    true_c = rng.integers(0, n_cat, n_units)
    for c in range(n_coders):
        for b, ln, cat in zip(true_b, true_l, true_c, strict=True):
            if rng.random() < 0.2:
                continue
            b2 = int(max(0, b + rng.integers(-1, 2)))
            l2 = int(max(1, min(ln + rng.integers(-1, 2), 6)))
            k = int(cat if rng.random() < 0.8 else rng.integers(0, n_cat))
            spans.append((f"coder{c}", b2, l2, f"cat{k}"))
    return spans


@pytest.mark.parametrize("seed", range(12))
def test_alpha_u_matches_exact_transcription(seed):
    rng = np.random.default_rng(seed)
    n_coders = 2 + seed % 3
    spans = random_spans(rng, n_coders, 60, 1 + seed % 3, 6)
    coders = [f"coder{c}" for c in range(n_coders)] + (["silent"] if seed % 4 == 0 else [])
    result = unitizing_alpha(spans, 0, 60, coders=coders)
    exact, per, parts = alpha_u(spans, 0, 60, coders)
    assert result.value == pytest.approx(float(exact), abs=1e-12)
    for p in result.per_category:
        assert p.value == pytest.approx(float(per[p.category]), abs=1e-12)
        d_o, d_e = parts[p.category]
        assert p.observed_disagreement == pytest.approx(float(d_o), abs=1e-14)
        assert p.expected_disagreement == pytest.approx(float(d_e), abs=1e-14)


@pytest.mark.parametrize("seed", range(12))
def test_u_alpha_family_matches_exact_transcription(seed):
    rng = np.random.default_rng(100 + seed)
    n_coders = 2 + seed % 3
    spans = random_spans(rng, n_coders, 50, 1 + seed % 3, 5)
    coders = [f"coder{c}" for c in range(n_coders)] + (["silent"] if seed % 4 == 1 else [])
    assert u_alpha(spans, 0, 50, coders=coders).value == pytest.approx(
        float(u_family(spans, 0, 50, coders, "u")), abs=1e-12
    )
    assert u_alpha(spans, 0, 50, coders=coders, binary=True).value == pytest.approx(
        float(u_family(spans, 0, 50, coders, "binary")), abs=1e-12
    )
    if len({s[3] for s in spans}) > 1:
        try:
            every = cu_alpha(spans, 0, 50, coders=coders).value
        except AgreementError:
            every = math.nan
        if not math.isnan(every):
            assert every == pytest.approx(float(u_family(spans, 0, 50, coders, "cu")), abs=1e-12)
    two = [s for s in spans if s[0] in ("coder0", "coder1")]
    if len({s[3] for s in two}) > 1:
        try:
            fast = cu_alpha(two, 0, 50, coders=["coder0", "coder1"]).value
        except AgreementError:
            return
        if not math.isnan(fast):
            assert fast == pytest.approx(
                float(u_family(two, 0, 50, ["coder0", "coder1"], "cu")), abs=1e-12
            )


def test_cu_alpha_for_three_coders():
    # Three coders on [0, 20): a and b agree on x over [2, 6), c marks [4, 8) as y; all
    # mark z from 10, a and b to 15, c to 14. Coincidences by hand, each ordered pair of
    # values at a position counting 1 / (m - 1) = 1/2: x-x 4 (positions 2-5, a and b),
    # x-y 2 (positions 4-5, a-c and b-c), z-z 4 * 3 + 1 (positions 10-13 all three,
    # position 14 a and b).
    spans = [
        ("a", 2, 4, "x"), ("b", 2, 4, "x"), ("c", 4, 4, "y"),
        ("a", 10, 5, "z"), ("b", 10, 5, "z"), ("c", 10, 4, "z"),
    ]  # fmt: skip
    result = cu_alpha(spans, 0, 20)
    assert result.n_coders == 3
    assert result.value == pytest.approx(float(u_family(spans, 0, 20, ["a", "b", "c"], "cu")))
    np.testing.assert_allclose(
        result.coincidences,
        [[4, 2, 0], [2, 0, 0], [0, 0, 13]],
    )
    # A silent fourth coder changes only the weight 1 / (m - 1) of every pair, never the
    # value (gaps are not values in cu-alpha).
    silent = cu_alpha(spans, 0, 20, coders=["a", "b", "c", "d"])
    assert silent.value == pytest.approx(result.value, abs=1e-12)


def test_cu_alpha_three_identical_coders():
    same = [("a", 2, 3, "x"), ("b", 2, 3, "x"), ("c", 2, 3, "x"), ("a", 8, 2, "y"),
            ("b", 8, 2, "y"), ("c", 8, 2, "y")]  # fmt: skip
    assert cu_alpha(same, 0, 12).value == pytest.approx(1.0, abs=1e-15)


def test_binary_u_alpha_is_u_alpha_with_one_category_even_for_adjacent_units():
    spans = [("a", 0, 3, "x"), ("a", 3, 2, "y"), ("b", 0, 5, "x"), ("b", 7, 2, "y")]
    one = [(c, b, ln, "unit") for c, b, ln, _ in spans]
    assert u_alpha(spans, 0, 10, binary=True).value == pytest.approx(
        u_alpha(one, 0, 10).value, abs=1e-15
    )


def test_u_alpha_matrices_and_components():
    result = u_alpha(KRIPPENDORFF_2004[:5] + [("i", 300, 50, "k"), ("j", 300, 50, "k")], 150, 300)
    assert result.categories == (None, "c", "k")
    assert result.coincidences.sum() == pytest.approx(2 * 300)  # l.. = m L
    assert result.expected_coincidences.sum() == pytest.approx(2 * 300)
    np.testing.assert_allclose(result.coincidences, result.coincidences.T)
    assert result.value == pytest.approx(
        1 - result.observed_disagreement / result.expected_disagreement, abs=1e-15
    )


def test_perfect_agreement_and_total_disagreement():
    same = [("a", 2, 3, "x"), ("b", 2, 3, "x"), ("a", 8, 2, "y"), ("b", 8, 2, "y")]
    assert unitizing_alpha(same, 0, 12).value == 1.0
    assert u_alpha(same, 0, 12).value == pytest.approx(1.0, abs=1e-15)
    assert cu_alpha(same, 0, 12).value == pytest.approx(1.0, abs=1e-15)
    apart = [("a", 0, 3, "x"), ("b", 6, 3, "x")]
    assert unitizing_alpha(apart, 0, 12).value < 0
    assert u_alpha(apart, 0, 12).value < 0


def test_coder_who_marked_nothing_counts():
    spans = [("a", 2, 3, "x"), ("b", 2, 3, "x")]
    with_silent = unitizing_alpha(spans, 0, 10, coders=["a", "b", "c"])
    assert with_silent.n_coders == 3
    assert with_silent.value < unitizing_alpha(spans, 0, 10).value
    exact, _, _ = alpha_u(spans, 0, 10, ["a", "b", "c"])
    assert with_silent.value == pytest.approx(float(exact), abs=1e-12)


def test_errors():
    for coefficient in (unitizing_alpha, u_alpha):
        with pytest.raises(AgreementError, match="nothing to compare"):
            coefficient([], 0, 10, coders=["a", "b"])
    with pytest.raises(AgreementError, match="two coders"):
        unitizing_alpha([("a", 0, 2, "x")], 0, 10)
    with pytest.raises(AgreementError, match="outside the continuum"):
        unitizing_alpha([("a", 8, 5, "x"), ("b", 0, 2, "x")], 0, 10)
    with pytest.raises(AgreementError, match="positive whole length"):
        unitizing_alpha([("a", 1, 0, "x"), ("b", 0, 2, "x")], 0, 10)
    with pytest.raises(AgreementError, match="overlapping"):
        unitizing_alpha([("a", 0, 4, "x"), ("a", 2, 4, "x"), ("b", 0, 2, "x")], 0, 10)
    # Overlapping units of different categories are fine for alpha_U, not for u-alpha.
    mixed = [("a", 0, 4, "x"), ("a", 2, 4, "y"), ("b", 0, 2, "x")]
    unitizing_alpha(mixed, 0, 10)
    with pytest.raises(AgreementError, match="overlapping"):
        u_alpha(mixed, 0, 10)
    with pytest.raises(AgreementError, match="intersect"):
        cu_alpha([("a", 0, 2, "x"), ("b", 5, 2, "x")], 0, 10)
    with pytest.raises(AgreementError, match="not among the coders"):
        u_alpha([("a", 0, 2, "x"), ("z", 0, 2, "x")], 0, 10, coders=["a", "b"])
    with pytest.raises(AgreementError, match="category"):
        unitizing_alpha(KRIPPENDORFF_2004, 150, 300, category="missing")


def test_identical_marking_everywhere_is_undefined_with_note():
    # Both coders mark the whole continuum as one unit: no variation at all.
    result = u_alpha([("a", 0, 10, "x"), ("b", 0, 10, "x")], 0, 10)
    assert math.isnan(result.value) and result.note
