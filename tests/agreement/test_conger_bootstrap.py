"""Conger's kappa has the vectorised unit bootstrap of the rest of the kappa family."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import bootstrap, conger_kappa
from app.agreement.bootstrap import _multiplicities, _statistic
from tests.agreement.test_agreement_bootstrap import data

CASES = [{}, {"weights": "quadratic"}, {"categories": [0, 1, 2, 3, 4]}]


@pytest.mark.parametrize("kwargs", CASES)
def test_conger_statistic_reproduces_the_estimate_and_each_resample(kwargs):
    x = data(seed=8, n_coders=4)
    statistic = _statistic(conger_kappa, x, kwargs)
    assert statistic is not None
    assert statistic.evaluate()[0] == pytest.approx(conger_kappa(x, **kwargs).value, abs=1e-12)
    rows = np.flatnonzero((~np.isnan(x)).sum(axis=0) >= 1)
    multiplicities = _multiplicities(np.random.default_rng(2), 5, len(rows))
    fast = statistic.evaluate(multiplicities)
    for b in range(5):
        resampled = x[:, np.repeat(rows, multiplicities[b].astype(int))]
        assert fast[b] == pytest.approx(conger_kappa(resampled, **kwargs).value, abs=1e-12)


def test_conger_resample_without_a_second_coder_is_left_out():
    # Coder c rated one unit only: resamples without it still have a and b; a resample of
    # units that only a rated has a single coder and no pair, so no value.
    x = np.array(
        [[0, 1, 1, 0, 1, 2, 0], [0, 1, np.nan, 0, np.nan, np.nan, np.nan],
         [np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 2]],
        dtype=float,
    )  # fmt: skip
    statistic = _statistic(conger_kappa, x, {})
    only_a = np.zeros((1, 7))
    only_a[0, 5] = 7.0
    assert np.isnan(statistic.evaluate(only_a)[0])
    result = bootstrap(conger_kappa, x, n=300, seed=0)
    assert result.n_valid <= 300
    valid = result.distribution[np.isfinite(result.distribution)]
    assert len(valid) == result.n_valid


def test_conger_interval_is_reproducible_and_covers_the_estimate():
    x = data(seed=9, n_coders=3, n_units=200)
    a = bootstrap(conger_kappa, x, n=400, seed=4)
    b = bootstrap(conger_kappa, x, n=400, seed=4)
    np.testing.assert_array_equal(a.distribution, b.distribution)
    assert a.measure == "conger_kappa"
    assert a.estimate == conger_kappa(x).value
    assert a.low < a.estimate < a.high
