"""Bootstrap intervals: reproducible, and each vectorised resample equals a real one."""

from __future__ import annotations

import time
from functools import partial

import numpy as np
import pytest

from app.agreement import (
    AgreementError,
    bennett_s,
    bootstrap,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from app.agreement.bootstrap import _multiplicities, _statistic


def data(seed=0, n_coders=3, n_units=60, q=4, missing=0.25):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n_units)
    x = np.where(
        rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(0, q, (n_coders, n_units))
    )
    x = x.astype(float)
    x[rng.random(x.shape) < missing] = np.nan
    return x


CASES = [
    (krippendorff_alpha, {"level": "nominal"}),
    (krippendorff_alpha, {"level": "ordinal"}),
    (krippendorff_alpha, {"level": "interval"}),
    (krippendorff_alpha, {"level": "ratio"}),
    (krippendorff_alpha, {"weights": "linear"}),
    (fleiss_kappa, {}),
    (fleiss_kappa, {"weights": "quadratic"}),
    (scott_pi, {}),
    (gwet_ac1, {}),
    (gwet_ac2, {"weights": "linear"}),
    (bennett_s, {}),
    (percent_agreement, {}),
    (percent_agreement, {"variant": "pairable_value_weighted"}),
    (cohen_kappa, {"coders": (0, 1)}),
    (cohen_kappa, {"coders": (2, 0), "weights": "quadratic"}),
]


def ids(case):
    return f"{case[0].__name__}-{'-'.join(map(str, case[1].values()))}"


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_statistic_reproduces_the_point_estimate(case):
    measure, kwargs = case
    x = data()
    statistic = _statistic(measure, x, kwargs)
    assert statistic.evaluate()[0] == pytest.approx(measure(x, **kwargs).value, abs=1e-12)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_each_vectorised_resample_equals_the_measure_on_resampled_units(case):
    measure, kwargs = case
    x = data(seed=1)
    chosen = x[list(kwargs["coders"])] if "coders" in kwargs else x
    m = (~np.isnan(chosen)).sum(axis=0)
    # Alpha resamples the pairable units; the others every unit with a value (for Cohen's
    # kappa, a value from one of the two coders compared).
    rows = np.flatnonzero(m >= (2 if measure is krippendorff_alpha else 1))
    statistic = _statistic(measure, x, kwargs)
    multiplicities = _multiplicities(np.random.default_rng(5), 4, len(rows))
    fast = statistic.evaluate(multiplicities)
    for b in range(4):
        resampled = x[:, np.repeat(rows, multiplicities[b].astype(int))]
        assert fast[b] == pytest.approx(measure(resampled, **kwargs).value, abs=1e-12)


def test_same_seed_same_interval_other_seed_other_interval():
    x = data(seed=2, n_units=200)
    a = bootstrap(krippendorff_alpha, x, n=300, seed=11)
    b = bootstrap(krippendorff_alpha, x, n=300, seed=11)
    c = bootstrap(krippendorff_alpha, x, n=300, seed=12)
    assert (a.low, a.high) == (b.low, b.high)
    np.testing.assert_array_equal(a.distribution, b.distribution)
    assert (a.low, a.high) != (c.low, c.high)
    assert a.low < a.estimate < a.high
    assert a.estimate == krippendorff_alpha(x).value
    assert a.n == a.n_valid == 300 and a.level == 0.95 and a.seed == 11


def test_interval_bounds_are_percentiles_of_the_distribution():
    x = data(seed=3, n_units=150)
    result = bootstrap(fleiss_kappa, x, n=400, seed=1, level=0.9)
    assert result.low == pytest.approx(np.quantile(result.distribution, 0.05))
    assert result.high == pytest.approx(np.quantile(result.distribution, 0.95))
    narrower = bootstrap(fleiss_kappa, x, n=400, seed=1, level=0.5)
    assert result.low < narrower.low < narrower.high < result.high


def test_alpha_level_goes_through_partial():
    x = data(seed=4)
    ordinal = bootstrap(partial(krippendorff_alpha, level="ordinal"), x, n=200, seed=0)
    assert ordinal.estimate == krippendorff_alpha(x, "ordinal").value
    with pytest.raises(AgreementError, match="keywords"):
        bootstrap(partial(krippendorff_alpha, x), x, n=10)


def test_other_measures_are_resampled_by_recomputing():
    x = data(seed=5)

    def mean_pairwise(units):
        return percent_agreement(units)

    a = bootstrap(mean_pairwise, x, n=50, seed=3)
    b = bootstrap(mean_pairwise, x, n=50, seed=3)
    assert (a.low, a.high) == (b.low, b.high)
    assert 0.0 <= a.low <= a.estimate <= a.high <= 1.0


def test_resamples_without_variation_are_left_out_and_counted():
    # Almost every unit is 'x'/'x': some resamples contain no other value.
    units = [{"a": "x", "b": "x"}] * 8 + [{"a": "y", "b": "y"}]
    result = bootstrap(krippendorff_alpha, units, n=200, seed=0)
    assert 0 < result.n_valid < 200
    assert result.note and str(200 - result.n_valid) in result.note
    assert np.isnan(result.distribution).sum() == 200 - result.n_valid


def test_undefined_estimate_and_bad_arguments_are_errors():
    with pytest.raises(AgreementError, match="undefined"):
        bootstrap(krippendorff_alpha, [{"a": 1, "b": 1}], n=10)
    with pytest.raises(AgreementError):
        bootstrap(krippendorff_alpha, data(), n=1)
    with pytest.raises(AgreementError):
        bootstrap(krippendorff_alpha, data(), level=1.5)


def test_thousand_resamples_of_ten_thousand_units_are_fast():
    x = data(seed=6, n_coders=3, n_units=10_000, q=5, missing=0.1)
    start = time.perf_counter()
    bootstrap(krippendorff_alpha, x, n=1000, seed=0)
    assert time.perf_counter() - start < 6.0  # the benchmark holds it to 3 s


def test_the_interval_does_not_depend_on_how_resamples_are_blocked(monkeypatch):
    """Resamples are drawn in blocks to bound memory; the generator's stream, and so
    every resample and the interval, is the same whatever the block size."""
    import sys

    module = sys.modules["app.agreement.bootstrap"]

    x = data(seed=3, n_units=97)
    whole = bootstrap(partial(krippendorff_alpha, level="nominal"), x, n=400, seed=11)
    monkeypatch.setattr(module, "_CELLS_PER_CHUNK", 97 * 3 + 5)  # blocks of 3 resamples
    blocked = bootstrap(partial(krippendorff_alpha, level="nominal"), x, n=400, seed=11)
    assert (blocked.low, blocked.high, blocked.n_valid) == (whole.low, whole.high, whole.n_valid)
    monkeypatch.setattr(module, "_CELLS_PER_CHUNK", 1)  # one resample at a time
    single = bootstrap(partial(krippendorff_alpha, level="nominal"), x, n=400, seed=11)
    assert (single.low, single.high) == (whole.low, whole.high)
