"""Alpha and percent agreement of many coder pairs at once (app.agreement.paired) against
the reference: each pair's values through from_columns and the coefficient, one by one."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from app.agreement import AgreementError, krippendorff_alpha, percent_agreement
from app.agreement.paired import PairedCodes, paired_alpha, paired_percent
from app.agreement.reliability_data import from_columns

CHOICES = ("armed_forces", "police", "militia", "unknown")
NUMBERS = (0.5, 1, 2, 2.25, 7, 10)


def _groups(rng: np.random.Generator, q: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random pairs of code columns, -1 for a missing value: some groups empty, some with no
    unit both coded, some with a single category, most with missing values."""
    groups = []
    for g in range(40):
        n = 0 if g % 13 == 0 else int(rng.integers(1, 60))
        spread = 1 if g % 7 == 3 else q
        a = rng.integers(0, spread, n)
        b = np.where(rng.random(n) < 0.7, a, rng.integers(0, spread, n))
        a[rng.random(n) < (0.95 if g % 11 == 5 else 0.2)] = -1
        b[rng.random(n) < (1.0 if g % 11 == 5 else 0.2)] = -1
        groups.append((a, b))
    return groups


def _paired(groups: list[tuple[np.ndarray, np.ndarray]], categories: tuple[Any, ...], observed: bool) -> PairedCodes:
    bounds = np.concatenate([[0], np.cumsum([len(a) for a, _ in groups])]).astype(np.int64)
    first = np.concatenate([np.zeros(0, dtype=np.int64), *(a for a, _ in groups)])
    second = np.concatenate([np.zeros(0, dtype=np.int64), *(b for _, b in groups)])
    return PairedCodes(categories, first, second, bounds, observed)


def _values(codes: np.ndarray, categories: tuple[Any, ...]) -> list[Any]:
    return [None if c < 0 else categories[c] for c in codes.tolist()]


def _reference(compute: Any, a: np.ndarray, b: np.ndarray, categories: tuple[Any, ...], observed: bool) -> Any:
    columns = {"first": _values(a, categories), "second": _values(b, categories)}
    try:
        return compute(from_columns(columns, None if observed else categories))
    except AgreementError as exc:
        return exc


def _same(found: Any, expected: Any) -> None:
    if isinstance(expected, AgreementError):
        assert isinstance(found, AgreementError), found
        assert str(found) == str(expected)
        return
    assert not isinstance(found, AgreementError), found
    for name in vars(expected):
        x, y = getattr(found, name), getattr(expected, name)
        if isinstance(y, np.ndarray):
            assert np.array_equal(x, y), name
        elif isinstance(y, float) and math.isnan(y):
            assert isinstance(x, float) and math.isnan(x), name
        else:  # to the last bit: the same float, not a close one
            assert x == y and type(x) is type(y), (name, x, y)


@pytest.mark.parametrize(
    ("categories", "observed", "level"),
    [(CHOICES, False, "nominal"), ((False, True), False, "nominal"), (NUMBERS, True, "interval")],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_pair_and_the_pool_equal_the_reference(categories: tuple[Any, ...], observed: bool, level: str, seed: int) -> None:
    groups = _groups(np.random.default_rng(seed), len(categories))
    data = _paired(groups, categories, observed)
    alphas, percents = paired_alpha(data, level), paired_percent(data)
    assert len(alphas) == len(percents) == len(groups) + 1
    alpha = lambda d: krippendorff_alpha(d, level)  # noqa: E731
    for (a, b), found_alpha, found_percent in zip(groups, alphas, percents, strict=False):
        _same(found_alpha, _reference(alpha, a, b, categories, observed))
        _same(found_percent, _reference(percent_agreement, a, b, categories, observed))
    _same(alphas[-1], _reference(alpha, data.first, data.second, categories, observed))
    _same(percents[-1], _reference(percent_agreement, data.first, data.second, categories, observed))
    assert sum(isinstance(x, AgreementError) for x in alphas) >= 3  # the odd groups are there
    assert any(not isinstance(x, AgreementError) and 0 < x.value < 1 for x in alphas)


def test_a_group_holds_what_from_columns_makes_of_its_values() -> None:
    groups = _groups(np.random.default_rng(5), len(NUMBERS))
    data = _paired(groups, NUMBERS, True)
    for g, (a, b) in enumerate(groups):
        expected = from_columns({"first": _values(a, NUMBERS), "second": _values(b, NUMBERS)})
        found = data.group(g)
        assert found.categories == expected.categories
        assert np.array_equal(found.codes, expected.codes)


def test_many_categories_count_group_by_group() -> None:
    """Above the dense limit the coincidences are counted per group: the same figures."""
    rng = np.random.default_rng(8)
    numbers = tuple(range(600))
    groups = [(rng.integers(-1, 600, 80), rng.integers(-1, 600, 80)) for _ in range(15)]
    data = _paired(groups, numbers, True)
    alphas = paired_alpha(data, "interval")
    for (a, b), found in zip(groups, alphas, strict=False):
        _same(found, _reference(lambda d: krippendorff_alpha(d, "interval"), a, b, numbers, True))
