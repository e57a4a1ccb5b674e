"""The KALPHA bootstrap of alpha (Hayes & Krippendorff, 2007; Krippendorff, 2013)."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import AgreementError, krippendorff_alpha
from app.agreement.alpha import ordinal_difference
from app.agreement.kalpha import kalpha

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 coders,
# 12 units, missing values; alpha = 0.743 (nominal), 0.815 (ordinal).
EXAMPLE = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)


def pairs_from_units(x: np.ndarray) -> tuple[list[tuple[float, float]], list[float]]:
    """Every ordered pair of values from different coders in a unit, weighted 1/(m_u - 1).

    An independent route to the pair distribution the macro draws from: a unit with m_u
    values contributes m_u (m_u - 1) ordered pairs of total weight m_u.
    """
    pairs, weights = [], []
    for u in range(x.shape[1]):
        values = x[~np.isnan(x[:, u]), u]
        m = len(values)
        if m < 2:
            continue
        for i in range(m):
            for j in range(m):
                if i != j:
                    pairs.append((values[i], values[j]))
                    weights.append(1.0 / (m - 1))
    return pairs, weights


def brute_kalpha(x, delta, n, seed, level="nominal"):
    """Draw the M pairs one by one from the units, as the macro's description says."""
    pairs, weights = pairs_from_units(x)
    categories = sorted({v for pair in pairs for v in pair})
    index = {c: i for i, c in enumerate(categories)}
    d2 = np.array([delta[index[a], index[b]] for a, b in pairs])
    p = np.array(weights) / sum(weights)
    alpha = krippendorff_alpha(x, level)
    d_e = alpha.expected_disagreement
    m = x.shape[0]
    cells = len(set(pairs))  # nonzero cells of the coincidence matrix
    draws = min(25 * cells, int(np.floor(sum(weights) * (m - 1) / 2 + 0.5)))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(pairs), size=(n, draws), p=p)
    return np.maximum(1.0 - d2[chosen].sum(axis=1) / (draws * d_e), -1.0), draws


def test_draws_follow_the_macro_and_the_interval_is_reproducible():
    result = kalpha(EXAMPLE, n=1000, seed=3)
    assert result.estimate == pytest.approx(0.743, abs=5e-4)
    # n.. = 40 pairable values, 4 coders: M = min(25 Q, 40 * 3 / 2) = 60.
    assert result.n_draws == 60
    again = kalpha(EXAMPLE, n=1000, seed=3)
    assert (again.low, again.high) == (result.low, result.high)
    assert np.array_equal(again.distribution, result.distribution)
    other = kalpha(EXAMPLE, n=1000, seed=4)
    assert not np.array_equal(other.distribution, result.distribution)
    ordered = np.sort(result.distribution)
    assert result.low == ordered[24] and result.high == ordered[975]
    assert result.low < result.estimate < result.high
    assert result.below[0.8] == pytest.approx((result.distribution < 0.8).mean())
    assert result.expected_disagreement == pytest.approx(krippendorff_alpha(EXAMPLE).expected_disagreement)


def test_resampled_alphas_centre_on_alpha_with_the_spread_of_m_pairs():
    """E[delta2 of a drawn pair] = D_o and Var = Var(delta2) / M, with D_e held fixed."""
    result = kalpha(EXAMPLE, n=20_000, seed=1)
    pairs, weights = pairs_from_units(EXAMPLE)
    d2 = np.array([float(a != b) for a, b in pairs])
    p = np.array(weights) / sum(weights)
    mean_d2 = float(p @ d2)
    sd = np.sqrt(float(p @ (d2 - mean_d2) ** 2) / result.n_draws) / result.expected_disagreement
    assert 1.0 - mean_d2 / result.expected_disagreement == pytest.approx(result.estimate)
    assert result.distribution.mean() == pytest.approx(result.estimate, abs=4 * sd / np.sqrt(20_000))
    assert result.distribution.std() == pytest.approx(sd, rel=0.03)


def test_same_distribution_as_drawing_pairs_from_the_units_one_by_one():
    fast = kalpha(EXAMPLE, n=4000, seed=5)
    q = len(np.unique(EXAMPLE[~np.isnan(EXAMPLE)]))
    slow, draws = brute_kalpha(EXAMPLE, 1.0 - np.eye(q), 4000, seed=6)
    assert draws == fast.n_draws
    for share in (0.025, 0.25, 0.5, 0.75, 0.975):
        assert np.quantile(fast.distribution, share) == pytest.approx(np.quantile(slow, share), abs=0.03)


def test_ordinal_metric_keeps_the_full_data_differences():
    result = kalpha(EXAMPLE, "ordinal", n=20_000, seed=2)
    assert result.estimate == pytest.approx(0.815, abs=5e-4)
    alpha = krippendorff_alpha(EXAMPLE, "ordinal")
    delta = ordinal_difference(alpha.coincidences.sum(axis=1))
    slow, _ = brute_kalpha(EXAMPLE, delta, 20_000, seed=3, level="ordinal")
    assert result.distribution.mean() == pytest.approx(slow.mean(), abs=0.01)
    assert result.distribution.mean() == pytest.approx(result.estimate, abs=0.01)


def test_resamples_of_one_value_only_count_as_zero():
    # o_aa = 4, o_bb = 2, n.. = 6, M = 3: P(three draws of one diagonal cell) = (2/3)^3 + (1/3)^3.
    units = [{"A": "a", "B": "a"}, {"A": "a", "B": "a"}, {"A": "b", "B": "b"}]
    result = kalpha(units, n=20_000, seed=0)
    assert result.estimate == 1.0 and result.n_draws == 3
    share = (2 / 3) ** 3 + (1 / 3) ** 3
    assert set(np.unique(result.distribution)) == {0.0, 1.0}
    assert (result.distribution == 0.0).mean() == pytest.approx(share, abs=0.01)
    assert result.n_no_variation == (result.distribution == 0.0).sum()
    assert result.note and "alpha = 0" in result.note


def test_resampled_alphas_below_minus_one_are_set_to_minus_one():
    # A rare value: D_e = 1/6, M = 6; three draws of the pair {a, b} give alpha = -2.
    units = [{"A": "a", "B": "b"}] + [{"A": "a", "B": "a"}] * 5
    result = kalpha(units, n=2000, seed=0)
    assert result.estimate == pytest.approx(0.0) and result.n_draws == 6
    assert result.distribution.min() == -1.0
    assert result.low == -1.0


def test_undefined_alpha_and_bad_options_are_refused():
    with pytest.raises(AgreementError, match="undefined"):
        kalpha([{"A": "a", "B": "a"}, {"A": "a", "B": "a"}])
    with pytest.raises(AgreementError, match="two resamples"):
        kalpha(EXAMPLE, n=1)
    with pytest.raises(AgreementError, match="confidence"):
        kalpha(EXAMPLE, confidence=1.0)
