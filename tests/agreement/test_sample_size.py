"""The minimum reliability sample (Krippendorff 2004, Table 11.1; 2019, section 12.7)."""

from __future__ import annotations

import pytest

from app.agreement import AgreementError
from app.agreement.sample_size import minimum_units


@pytest.mark.parametrize(
    ("alpha_min", "p", "values", "units"),
    [
        # Krippendorff (2019)'s table as quoted by the ATLAS.ti 8 manual ("Sample size"):
        # four equiprobable values (P_c = 0.25) at p = 0.05.
        (0.800, 0.05, 4, 139),
        (0.667, 0.05, 4, 81),
    ],
)
def test_published_table_entries(alpha_min: float, p: float, values: int, units: int) -> None:
    assert minimum_units(alpha_min, p, values=values).units == units


def test_the_formula_term_by_term() -> None:
    size = minimum_units(0.8, 0.05, values=4)
    assert size.z == pytest.approx(1.6448536, abs=1e-6)
    assert size.smallest_probability == 0.25
    # 2 z^2 ((1.8 * 2.2) / (4 * 0.2 * 0.25 * 0.75) - 0.8) = 2 * 2.70554 * 25.6
    assert size.exact == pytest.approx(2 * 1.6448536**2 * 25.6, rel=1e-6)


def test_equiprobable_values_equal_the_smallest_probability() -> None:
    assert minimum_units(0.9, 0.01, values=5).units == minimum_units(0.9, 0.01, smallest_probability=0.2).units


def test_more_values_higher_alpha_and_stricter_p_need_more_units() -> None:
    base = minimum_units(0.8, 0.05, values=2).units
    assert minimum_units(0.8, 0.05, values=3).units > base
    assert minimum_units(0.9, 0.05, values=2).units > base
    assert minimum_units(0.8, 0.01, values=2).units > base
    assert minimum_units(0.667, 0.05, values=2).units < base


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha_min": 1.0, "values": 2},
        {"alpha_min": 0.8, "p": 0.7, "values": 2},
        {"values": 1},
        {"smallest_probability": 0.6},
        {},
        {"values": 2, "smallest_probability": 0.5},
    ],
)
def test_refusals_are_one_sentence(kwargs: dict) -> None:
    with pytest.raises(AgreementError):
        minimum_units(**kwargs)
