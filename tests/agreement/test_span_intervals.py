"""Bootstrap intervals of span F1 over documents, against a plain loop over the same draws."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement.bootstrap import _multiplicities
from app.agreement.errors import AgreementError
from app.agreement.span_intervals import _f1, document_weights, f1_interval


def _counts(seed: int, docs: int = 40, labels: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_a = rng.integers(0, 6, size=(docs, labels))
    n_b = rng.integers(0, 6, size=(docs, labels))
    matched = np.minimum(n_a, n_b) - rng.integers(0, 2, size=(docs, labels)).clip(0, None)
    return n_a, n_b, matched.clip(0, None)


def _loop(n_a, n_b, matched, n, seed, macro):  # noqa: ANN001, ANN202
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(n_a), size=(n, len(n_a)))
    out = []
    for row in draws:
        a, b, m = n_a[row].sum(0), n_b[row].sum(0), matched[row].sum(0)
        if macro:
            used = [2 * m[k] / (a[k] + b[k]) for k in range(len(a)) if a[k] + b[k]]
            out.append(sum(used) / len(used) if used else np.nan)
        else:
            out.append(2 * m.sum() / (a + b).sum() if (a + b).sum() else np.nan)
    return np.array(out)


@pytest.mark.parametrize("macro", [False, True])
@pytest.mark.parametrize("seed", [0, 7])
def test_resamples_equal_a_plain_loop_over_the_same_draws(seed: int, macro: bool) -> None:
    n_a, n_b, matched = _counts(seed)
    result = f1_interval(n_a, n_b, matched, macro=macro, n=300, seed=seed, level=0.9)
    np.testing.assert_allclose(result.distribution, _loop(n_a, n_b, matched, 300, seed, macro), rtol=1e-12)
    a, b, m = n_a.sum(0), n_b.sum(0), matched.sum(0)
    expected = np.mean(2 * m / (a + b)) if macro else 2 * m.sum() / (a + b).sum()
    assert result.estimate == pytest.approx(expected)
    low, high = np.quantile(result.distribution, [0.05, 0.95])
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.low < result.estimate < result.high


def test_same_seed_same_interval_and_perfect_agreement_has_no_width() -> None:
    n_a, n_b, matched = _counts(3)
    first = f1_interval(n_a, n_b, matched, n=200, seed=5)
    assert first.low == f1_interval(n_a, n_b, matched, n=200, seed=5).low
    shared = document_weights(len(n_a), 200, seed=5)
    assert f1_interval(n_a, n_b, matched, weights=shared).low == first.low
    same = np.full((10, 2), 3)
    perfect = f1_interval(same, same, same, n=100, seed=1)
    assert perfect.low == perfect.high == perfect.estimate == 1.0


def test_resamples_without_any_span_are_left_out_and_counted() -> None:
    n_a = np.array([[1], [0], [0], [0]])
    result = f1_interval(n_a, n_a, n_a, n=400, seed=2)
    assert result.n_valid < 400 and result.note and "left out" in result.note
    with pytest.raises(AgreementError, match="Neither coder"):
        f1_interval(np.zeros((3, 1)), np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(AgreementError, match="one row per document"):
        f1_interval(np.zeros((3, 1)), np.zeros((2, 1)), np.zeros((3, 1)))


@pytest.mark.parametrize(("docs", "n", "seed"), [(3001, 400, 11), (1234, 1001, 0), (7, 5, 3)])
def test_resamples_drawn_in_blocks_equal_one_whole_draw_bit_for_bit(docs: int, n: int, seed: int) -> None:
    """Resamples are drawn and summed in blocks of at most 500,000 cells (3001 documents:
    166 resamples a block) and kept as bytes; the multiplicities, the resampled F1 and the
    interval are those of one float64 draw of every resample at once, exactly."""
    whole = _multiplicities(np.random.default_rng(seed), n, docs)  # (n, docs) float64 at once
    shared = document_weights(docs, n, seed=seed)
    assert shared.dtype == np.uint8 and shared.shape == (n, docs)
    np.testing.assert_array_equal(shared, whole)
    n_a, n_b, matched = _counts(seed, docs=docs, labels=4)
    for macro in (False, True):
        counts = [np.asarray(c, dtype=np.float64) for c in (n_a, n_b, matched)]
        expected = _f1(*(whole @ c for c in counts), macro=macro)
        drawn = f1_interval(n_a, n_b, matched, macro=macro, n=n, seed=seed)
        reused = f1_interval(n_a, n_b, matched, macro=macro, weights=shared)
        np.testing.assert_array_equal(drawn.distribution, expected)
        np.testing.assert_array_equal(reused.distribution, expected)
        low, high = np.quantile(expected[np.isfinite(expected)], [0.025, 0.975])
        assert (drawn.low, drawn.high) == (reused.low, reused.high) == (low, high)
