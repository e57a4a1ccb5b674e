"""alpha_U's expected parts of every coder pair at once, against alpha_u_parts pair by pair."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from app.agreement.unitizing_batch import alpha_u_parts, merge_overlaps
from app.agreement.unitizing_pairs import expected_by_pair


def _spans(rng: np.random.Generator, n_coders: int, n_categories: int, length: int) -> tuple[np.ndarray, ...]:
    """Random spans, merged per coder and category (coder 3 marks nothing, the last
    category is rare, coder 1 copies some of coder 0's units)."""
    rows = []
    for coder in range(n_coders):
        if coder == 3:
            continue
        for _ in range(int(rng.integers(0, 25))):
            begin = int(rng.integers(0, length - 1))
            end = min(length, begin + int(rng.integers(1, 40)))
            category = int(rng.integers(0, n_categories)) if rng.random() < 0.9 else n_categories - 1
            rows.append((coder, category, begin, end))
            if coder == 0 and rng.random() < 0.3:
                rows.append((1, category, begin, end))
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    merged = merge_overlaps(*columns)
    return merged[0], merged[1], merged[2], merged[3]


@pytest.mark.parametrize("seed", range(10))
def test_every_pair_at_once_as_alpha_u_parts_of_the_pair(seed):
    rng = np.random.default_rng(seed)
    n_coders, n_categories, length = 5, 3, int(rng.integers(50, 400))
    coder, category, begin, end = _spans(rng, n_coders, n_categories, length)
    pairs = list(combinations(range(n_coders), 2))
    d_e, n = expected_by_pair(coder, begin, end, category, n_categories, length, pairs)
    for row, (i, j) in enumerate(pairs):
        mine = (coder == i) | (coder == j)
        _, want_d_e, want_n = alpha_u_parts(
            (coder[mine] == j).astype(np.int64), begin[mine], end[mine], category[mine],
            2, n_categories, 0, length,
        )
        np.testing.assert_array_equal(n[row], want_n)
        np.testing.assert_allclose(d_e[row], want_d_e, rtol=1e-12, atol=1e-15)
    assert n[pairs.index((3, 4))].sum() == (coder == 4).sum()  # a coder with no span counts
