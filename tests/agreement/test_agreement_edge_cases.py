"""Edge cases: degenerate data gives a documented result or a clear error, never a stray NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.agreement import (
    AgreementError,
    bennett_s,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)

ALL = {
    "alpha": krippendorff_alpha,
    "cohen": cohen_kappa,
    "scott": scott_pi,
    "fleiss": fleiss_kappa,
    "ac1": gwet_ac1,
    "bennett": bennett_s,
    "percent": percent_agreement,
}
TWO_CODERS_AGREE = [{"a": "x", "b": "x"}, {"a": "y", "b": "y"}, {"a": "x", "b": "x"}]
TWO_CODERS_DISAGREE = [{"a": "x", "b": "y"}, {"a": "y", "b": "x"}]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("units", [[], np.empty((2, 0))], ids=["list", "array"])
def test_empty_input_is_a_clear_error(name, units):
    with pytest.raises(AgreementError, match="no units"):
        ALL[name](units)


@pytest.mark.parametrize("name", ALL)
def test_no_pairable_unit_is_a_clear_error(name):
    units = [{"a": 1, "b": None}, {"b": 2}, {"a": 1}]
    with pytest.raises(AgreementError, match="two or more coders"):
        ALL[name](units)


@pytest.mark.parametrize("name", ALL)
def test_no_value_at_all_is_a_clear_error(name):
    with pytest.raises(AgreementError, match="No unit has any coded value"):
        ALL[name]([{"a": None, "b": None}])


def test_agreement_error_is_a_value_error_with_a_sentence():
    with pytest.raises(ValueError) as info:
        krippendorff_alpha([])
    assert str(info.value).endswith(".")


@pytest.mark.parametrize("name", ["alpha", "cohen", "scott", "fleiss", "bennett"])
def test_one_category_only_is_undefined_with_a_note(name):
    units = [{"a": "x", "b": "x"}, {"a": "x", "b": "x", "c": "x"}]
    result = ALL[name](units, coders=("a", "b")) if name == "cohen" else ALL[name](units)
    assert math.isnan(result.value)
    assert result.note and "No variation" in result.note


def test_one_category_only_ac1_is_undefined_but_defined_with_listed_categories():
    units = [{"a": "x", "b": "x"}, {"a": "x", "b": "x"}]
    result = gwet_ac1(units)
    assert math.isnan(result.value) and "No variation" in result.note
    # With a second category on the scale AC1's chance agreement is 0 and AC1 = p_a = 1.
    listed = gwet_ac1(units, categories=["x", "y"])
    assert listed.value == 1.0 and listed.expected == 0.0 and listed.note is None
    # Bennett's S likewise: p_e = 1/2.
    assert bennett_s(units, categories=["x", "y"]).value == 1.0


def test_one_category_percent_agreement_is_one():
    assert percent_agreement([{"a": 1, "b": 1}]).value == 1.0


@pytest.mark.parametrize("name", ALL)
def test_all_agree_gives_one(name):
    result = ALL[name](TWO_CODERS_AGREE)
    assert result.value == pytest.approx(1.0, abs=1e-15)
    assert result.note is None


def test_all_disagree_values():
    # Two coders always swapping two values: systematic disagreement.
    assert percent_agreement(TWO_CODERS_DISAGREE).value == 0.0
    assert cohen_kappa(TWO_CODERS_DISAGREE).value == pytest.approx(-1.0, abs=1e-15)
    assert scott_pi(TWO_CODERS_DISAGREE).value == pytest.approx(-1.0, abs=1e-15)
    assert bennett_s(TWO_CODERS_DISAGREE).value == pytest.approx(-1.0, abs=1e-15)
    # alpha = 1 - (n - 1) * D_o / D_e with n = 4: 1 - 3 * 4 / (2 * 2 + 2 * 2) = -0.5.
    assert krippendorff_alpha(TWO_CODERS_DISAGREE).value == pytest.approx(-0.5, abs=1e-15)


def test_coder_who_coded_nothing_changes_nothing():
    rng = np.random.default_rng(0)
    data = rng.integers(0, 3, (3, 30)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    silent = np.vstack([data, np.full((1, 30), np.nan)])
    for name in ("alpha", "scott", "fleiss", "ac1", "bennett", "percent"):
        a, b = ALL[name](data), ALL[name](silent)
        assert a.value == pytest.approx(b.value, abs=1e-14), name
        assert b.n_coders == 4
    # The same with mappings: the silent coder appears with None values only.
    units = [
        {**{c: (None if np.isnan(v) else int(v)) for c, v in enumerate(col)}, "z": None}
        for col in data.T
    ]
    assert krippendorff_alpha(units).value == pytest.approx(krippendorff_alpha(data).value)
    # Cohen's kappa between a coder and a coder who coded nothing has no pairable unit.
    with pytest.raises(AgreementError):
        cohen_kappa(units, coders=(0, "z"))


def test_unit_with_one_rating_enters_chance_agreement_only():
    base = [{"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 2, "b": 2}]
    single = base + [{"a": 3}]
    # Observed agreement ignores the single value; Fleiss' pi and alpha's n do not change
    # for alpha (only pairable values count) but do for Fleiss (every value counts).
    assert fleiss_kappa(single).observed == fleiss_kappa(base).observed
    assert fleiss_kappa(single).expected != fleiss_kappa(base).expected
    assert fleiss_kappa(single).n_units == 4 and fleiss_kappa(single).n_pairable_units == 3
    a, b = krippendorff_alpha(single), krippendorff_alpha(base, categories=[1, 2, 3])
    assert a.value == pytest.approx(b.value, abs=1e-15)
    assert a.n_units == 4 and a.n_pairable_units == 3 and a.n_pairable_values == 6


def test_cohen_needs_two_coders():
    units = [{"a": 1, "b": 1, "c": 2}, {"a": 2, "b": 2, "c": 2}]
    with pytest.raises(AgreementError, match="two coders"):
        cohen_kappa(units)
    assert cohen_kappa(units, coders=("a", "b")).value == 1.0
    with pytest.raises(AgreementError, match="coded none"):
        cohen_kappa(units, coders=("a", "nobody"))


def test_value_outside_categories_is_an_error():
    with pytest.raises(AgreementError, match="not one of the categories"):
        fleiss_kappa([{"a": 1, "b": 4}], categories=[1, 2, 3])
    with pytest.raises(AgreementError, match="not one of the categories"):
        krippendorff_alpha(np.array([[1.0, 2.0], [1.0, 9.0]]), categories=[1, 2])


def test_interval_needs_numbers_and_ratio_needs_non_negative_values():
    with pytest.raises(AgreementError, match="numeric"):
        krippendorff_alpha([{"a": "x", "b": "y"}], "interval")
    with pytest.raises(AgreementError, match="zero or positive"):
        krippendorff_alpha([{"a": -1, "b": 2}, {"a": 1, "b": 1}], "ratio")
    with pytest.raises(AgreementError, match="Unknown level"):
        krippendorff_alpha([{"a": 1, "b": 2}], "cardinal")


def test_mixed_value_kinds_need_explicit_categories():
    units = [{"a": 1, "b": "x"}, {"a": "x", "b": 1}]
    with pytest.raises(AgreementError, match="categories"):
        fleiss_kappa(units)
    assert fleiss_kappa(units, categories=[1, "x"]).value == pytest.approx(-1.0)


def test_bad_weights_are_errors():
    units = [{"a": 1, "b": 2}, {"a": 2, "b": 2}]
    with pytest.raises(AgreementError, match="2 x 2"):
        fleiss_kappa(units, np.eye(3))
    with pytest.raises(AgreementError, match="between 0 and 1"):
        fleiss_kappa(units, [[1, 2], [2, 1]])
    with pytest.raises(AgreementError, match="diagonal"):
        fleiss_kappa(units, [[0.5, 0], [0, 1]])
    with pytest.raises(AgreementError, match="symmetric"):
        fleiss_kappa(units, [[1, 0.5], [0, 1]])
    with pytest.raises(AgreementError, match="Unknown weights"):
        fleiss_kappa(units, "cubic")
    with pytest.raises(AgreementError, match="Unknown variant"):
        percent_agreement(units, variant="mean")


def test_weights_that_credit_everything_are_undefined_not_stray():
    units = [{"a": 1, "b": 2}, {"a": 2, "b": 1}, {"a": 1, "b": 1}]
    result = fleiss_kappa(units, np.ones((2, 2)))
    assert math.isnan(result.value) and result.note
    assert math.isnan(krippendorff_alpha(units, weights=np.ones((2, 2))).value)


def test_results_keep_components():
    result = cohen_kappa(TWO_CODERS_DISAGREE + TWO_CODERS_AGREE)
    assert result.value == pytest.approx(
        (result.observed - result.expected) / (1 - result.expected), abs=1e-15
    )
    assert result.n_units == 5 and result.n_pairable_units == 5 and result.n_pairable_values == 10
    assert result.categories == ("x", "y") and result.weights == "identity"
    alpha = krippendorff_alpha(TWO_CODERS_AGREE)
    assert alpha.value == 1 - alpha.observed_disagreement / alpha.expected_disagreement
    with pytest.raises(AttributeError):
        alpha.value = 0.5  # frozen
