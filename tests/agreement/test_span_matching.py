"""The batched span matching equals span_agreement run group by group."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import span_agreement
from app.agreement.span_matching import match_exact, match_overlap, total_overlap


def _random_groups(seed: int, n_groups: int = 60) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    a, b = [], []
    for key in range(n_groups):
        length = int(rng.integers(5, 80))
        for side in (a, b):
            for _ in range(int(rng.integers(0, 7))):
                start = int(rng.integers(0, length - 1))
                end = int(rng.integers(start + 1, min(length, start + 25) + 1))
                side.append((key, start, end))
        if rng.random() < 0.3:  # copies: exact matches and repeated spans
            b += [s for s in a if s[0] == key][:3]
    return a, b


def _columns(spans: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    array = np.array(spans, dtype=np.int64).reshape(-1, 3)
    return array[:, 0], array[:, 1], array[:, 2]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("match", "prefer"), [("exact", "matches"), ("overlap", "matches"), ("overlap", "overlap")])
def test_one_call_over_many_groups_equals_one_call_per_group(seed: int, match: str, prefer: str) -> None:
    a, b = _random_groups(seed)
    ka, sa, ea = _columns(a)
    kb, sb, eb = _columns(b)
    if match == "exact":
        ia, ib = match_exact(ka, sa, ea, kb, sb, eb)
    else:
        ia, ib = match_overlap(ka, sa, ea, kb, sb, eb, prefer=prefer)
    assert list(ia) == sorted(ia) and len(set(ia)) == len(ia) and len(set(ib)) == len(ib)
    got = {(a[i], b[j]) for i, j in zip(ia, ib, strict=True)}
    expected = set()
    for key in {s[0] for s in a + b}:
        mine = [(s, e, "x") for k, s, e in a if k == key]
        theirs = [(s, e, "x") for k, s, e in b if k == key]
        if mine or theirs:
            r = span_agreement(mine, theirs, match, prefer=prefer)
            expected |= {((key, x[0], x[1]), (key, y[0], y[1])) for x, y in r.matched}
    assert got == expected
    assert all(k1 == k2 for (k1, *_), (k2, *_) in got)  # never across groups


def test_lone_spans_take_the_largest_overlap_and_the_first_on_a_tie() -> None:
    # A: one span; B: three candidates overlapping it by 2, 5 and 5.
    ia, ib = match_overlap([0], [10], [20], [0, 0, 0], [8, 12, 15], [12, 17, 25])
    assert list(zip(ia, ib, strict=True)) == [(0, 1)]
    assert total_overlap([10], [20], [12], [17]) == 5


def test_a_chain_through_one_coder_still_needs_real_overlap() -> None:
    # B1 and B2 overlap each other; A overlaps only B2, so A pairs with B2.
    ia, ib = match_overlap([0], [6], [10], [0, 0], [0, 3], [5, 8])
    assert list(zip(ia, ib, strict=True)) == [(0, 1)]
    # Different groups never match, however the positions overlap.
    ia, _ = match_overlap([0], [0], [10], [1], [0], [10])
    assert len(ia) == 0


def test_repeated_spans_pair_in_order() -> None:
    ia, ib = match_exact([0, 0, 0], [1, 1, 1], [4, 4, 4], [0, 0], [1, 1], [4, 4])
    assert list(ia) == [0, 1] and list(ib) == [0, 1]


def _best_by_brute_force(a: list, b: list, prefer: str) -> tuple[int, int]:
    """The best (matches, total overlap) over every one-to-one matching of overlapping
    spans of the same key (``prefer="overlap"``: the largest total overlap, then matches)."""
    import itertools

    def overlap(x: tuple, y: tuple) -> int:
        return max(0, min(x[2], y[2]) - max(x[1], y[1])) if x[0] == y[0] else 0

    best = (0, 0)
    for chosen in itertools.permutations([*range(len(b)), *[None] * len(a)], len(a)):
        found = [overlap(a[i], b[j]) for i, j in enumerate(chosen) if j is not None]
        if any(o == 0 for o in found):
            continue
        score = (len(found), sum(found)) if prefer == "matches" else (sum(found), len(found))
        best = max(best, score)
    return best if prefer == "matches" else (best[1], best[0])


@pytest.mark.parametrize("prefer", ["matches", "overlap"])
def test_overlap_matching_is_optimal_against_every_matching(prefer: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        a, b = [], []
        for side, n in ((a, int(rng.integers(0, 5))), (b, int(rng.integers(0, 5)))):
            for _ in range(n):
                start = int(rng.integers(0, 30))
                side.append((int(rng.integers(0, 2)), start, start + int(rng.integers(1, 12))))
        ia, ib = match_overlap(*_columns(a), *_columns(b), prefer=prefer)
        assert len(set(ia.tolist())) == len(ia) and len(set(ib.tolist())) == len(ib)
        pairs = [(a[i], b[j]) for i, j in zip(ia.tolist(), ib.tolist(), strict=True)]
        assert all(x[0] == y[0] and min(x[2], y[2]) > max(x[1], y[1]) for x, y in pairs)
        got = (len(pairs), sum(min(x[2], y[2]) - max(x[1], y[1]) for x, y in pairs))
        assert got == _best_by_brute_force(a, b, prefer)
