"""Vectorised alpha_U against the one-continuum implementation, segment by segment."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import AgreementError
from app.agreement.unitizing_batch import (
    alpha_u_by_segment,
    alpha_u_parts,
    alpha_values,
    merge_overlaps,
    pooled_alpha,
)
from tests.agreement.test_agreement_unitizing import KRIPPENDORFF_2004
from tests.agreement.unitizing_reference import (
    unitizing_alpha,  # the per-pair, per-category transcription
)

RTOL = 1e-12


def random_units(rng, length):
    """Non-overlapping [b, e) on [0, length): random cuts, each piece a unit or not."""
    n_cuts = int(rng.integers(0, min(length - 1, 12) + 1))
    cuts = np.sort(rng.choice(np.arange(1, length), size=n_cuts, replace=False))
    bounds = np.concatenate([[0], cuts, [length]])
    return [
        (int(b), int(e)) for b, e in zip(bounds[:-1], bounds[1:], strict=True) if rng.random() < 0.5
    ]


def random_batch(rng, n_segments, n_coders, n_categories):
    """Segments of random lengths with random members and spans (arrays plus members).

    Segment 0 has exactly two members, segment 1 one, segment 2 none; some members mark
    nothing in a segment, the last category is rare, and now and then a coder copies
    coder 0 exactly.
    """
    lengths = rng.integers(1, 301, n_segments)
    spacing = rng.integers(0, 3, n_segments)  # 0: the segment touches the previous one
    seg_begin = np.cumsum(spacing + np.concatenate([[0], lengths[:-1]])) + 1000
    seg_end = seg_begin + lengths
    members = rng.random((n_segments, n_coders)) < 0.7
    members[0] = False
    members[0, rng.choice(n_coders, 2, replace=False)] = True
    members[1] = False
    members[1, rng.integers(n_coders)] = True
    members[2] = False
    rows = []
    for k in range(n_segments):
        for c in range(n_categories):
            if c == n_categories - 1 and rng.random() < 0.7:
                continue
            first = None
            for i in np.flatnonzero(members[k]):
                if rng.random() < 0.2:
                    continue  # a member with no unit of c here
                if first is not None and rng.random() < 0.2:
                    units = first
                else:
                    units = random_units(rng, int(lengths[k]))
                first = units if first is None else first
                rows += [(k, i, seg_begin[k] + b, seg_begin[k] + e, c) for b, e in units]
    rows = [rows[n] for n in rng.permutation(len(rows))]
    arrays = np.array(rows, dtype=np.int64).reshape(-1, 5).T
    return tuple(arrays), seg_begin, seg_end, members


def reference(arrays, seg_begin, seg_end, members, n_categories, k):
    """D_o, D_e, N and pooled alpha for segment k from ``unitizing_alpha`` alone."""
    segment, coder, begin, end, category = arrays
    here = segment == k
    coders = [int(i) for i in np.flatnonzero(members[k])]
    spans = [
        (int(i), int(b - seg_begin[k]), int(e - b), int(c))
        for i, b, e, c in zip(coder[here], begin[here], end[here], category[here], strict=True)
    ]
    d_o, d_e = np.zeros(n_categories), np.zeros(n_categories)
    n = np.bincount(category[here], minlength=n_categories)
    if len(coders) < 2:
        return np.full(n_categories, np.nan), np.full(n_categories, np.nan), n, np.nan
    if not spans:
        return d_o, d_e, n, np.nan
    result = unitizing_alpha(spans, 0, int(seg_end[k] - seg_begin[k]), coders=coders)
    for p in result.per_category:
        d_o[p.category] = p.observed_disagreement
        d_e[p.category] = p.expected_disagreement
        assert n[p.category] == p.n_units
    return d_o, d_e, n, result.value


@pytest.mark.parametrize("seed", range(6))
def test_by_segment_matches_unitizing_alpha_per_segment(seed):
    rng = np.random.default_rng(seed)
    n_coders, n_categories, n_segments = 2 + seed % 4, 3, 30
    arrays, seg_begin, seg_end, members = random_batch(rng, n_segments, n_coders, n_categories)
    d_o, d_e, n = alpha_u_by_segment(*arrays, seg_begin, seg_end, members, n_categories)
    assert d_o.shape == d_e.shape == n.shape == (n_segments, n_categories)
    pooled = pooled_alpha(d_o, d_e)
    for k in range(n_segments):
        r_o, r_e, r_n, r_alpha = reference(arrays, seg_begin, seg_end, members, n_categories, k)
        np.testing.assert_allclose(d_o[k], r_o, rtol=RTOL, atol=0, equal_nan=True)
        np.testing.assert_allclose(d_e[k], r_e, rtol=RTOL, atol=0, equal_nan=True)
        np.testing.assert_array_equal(n[k], r_n)
        np.testing.assert_allclose(pooled[k], r_alpha, rtol=RTOL, atol=1e-14, equal_nan=True)
    # The generator covers the cases that matter.
    m = members.sum(axis=1)
    assert (m == 2).any() and (m == 1).any() and (m == 0).any() and (m >= 2).sum() > 10
    assert np.isnan(d_o[m < 2]).all() and (n[:, -1] == 0).any()
    assert (d_o[m >= 2] > 0).any() and (d_e[m >= 2] > 0).any()


@pytest.mark.parametrize("seed", range(4))
def test_parts_match_unitizing_alpha_on_one_long_continuum(seed):
    rng = np.random.default_rng(100 + seed)
    n_coders, n_categories = 2 + seed % 3, 4  # category 3 is never marked
    arrays, seg_begin, seg_end, _ = random_batch(rng, 25, n_coders, 3)
    _, coder, begin, end, category = arrays
    lo, hi = int(seg_begin[0]) - 7, int(seg_end[-1]) + 5
    d_o, d_e, n = alpha_u_parts(coder, begin, end, category, n_coders, n_categories, lo, hi)
    spans = [
        (int(i), int(b), int(e - b), int(c))
        for i, b, e, c in zip(coder, begin, end, category, strict=True)
    ]
    result = unitizing_alpha(spans, lo, hi - lo, coders=list(range(n_coders)))
    for p in result.per_category:
        assert d_o[p.category] == pytest.approx(p.observed_disagreement, rel=RTOL)
        assert d_e[p.category] == pytest.approx(p.expected_disagreement, rel=RTOL)
        assert n[p.category] == p.n_units
    assert (d_o[3], d_e[3], n[3]) == (0.0, 0.0, 0)
    assert pooled_alpha(d_o, d_e) == pytest.approx(result.value, rel=RTOL)


def test_parts_reproduce_krippendorff_2004_worked_example():
    coder = np.array([{"i": 0, "j": 1}[s[0]] for s in KRIPPENDORFF_2004])
    begin = np.array([s[1] for s in KRIPPENDORFF_2004])
    end = begin + np.array([s[2] for s in KRIPPENDORFF_2004])
    category = np.array([{"c": 0, "k": 1}[s[3]] for s in KRIPPENDORFF_2004])
    d_o, d_e, n = alpha_u_parts(coder, begin, end, category, 2, 2, 150, 450)
    assert d_o[0] == pytest.approx(1300 / 90000, abs=1e-15)
    assert (round(d_e[0], 4), round(d_e[1], 4), d_o[1]) == (0.0532, 0.0490, 0.0)
    alpha = alpha_values(d_o, d_e)
    assert round(alpha[0], 4) == 0.7286 and alpha[1] == 1.0
    assert list(n) == [5, 4]
    result = unitizing_alpha(KRIPPENDORFF_2004, 150, 300)
    assert pooled_alpha(d_o, d_e) == pytest.approx(result.value, rel=RTOL)


def test_member_without_spans_still_counts():
    # Segment [0, 20) with members 0, 1, 2; coder 2 marks nothing. Segment [20, 40)
    # with members 0 and 1 only, where coder 2 is no member.
    spans = [(0, 2, 5, 0), (0, 10, 4, 0), (1, 3, 5, 0), (1, 12, 6, 0)]
    rows = [(k, i, b + 20 * k, b + ln + 20 * k, c) for k in (0, 1) for i, b, ln, c in spans]
    arrays = [np.array(x) for x in zip(*rows, strict=True)]
    members = np.array([[True, True, True], [True, True, False]])
    d_o, d_e, n = alpha_u_by_segment(*arrays, [0, 20], [20, 40], members, 1)
    three = unitizing_alpha(spans, 0, 20, coders=[0, 1, 2]).per_category[0]
    two = unitizing_alpha(spans, 0, 20, coders=[0, 1]).per_category[0]
    assert d_o[0, 0] == pytest.approx(three.observed_disagreement, rel=RTOL)
    assert d_e[0, 0] == pytest.approx(three.expected_disagreement, rel=RTOL)
    assert d_o[1, 0] == pytest.approx(two.observed_disagreement, rel=RTOL)
    assert d_e[1, 0] == pytest.approx(two.expected_disagreement, rel=RTOL)
    assert abs(d_o[0, 0] - two.observed_disagreement) > 1e-3 * two.observed_disagreement
    assert abs(d_e[0, 0] - two.expected_disagreement) > 1e-3 * two.expected_disagreement
    assert list(n[:, 0]) == [4, 4]
    coder, begin, end, category = (a[:4] for a in arrays[1:])
    p_o, p_e, _ = alpha_u_parts(coder, begin, end, category, 3, 1, 0, 20)
    assert (p_o[0], p_e[0]) == (d_o[0, 0], d_e[0, 0])


def test_by_segment_rejects_bad_spans():
    members = np.array([[True, True], [True, False]])
    ok = dict(seg_begin=[0, 10], seg_end=[10, 20], members=members, n_categories=1)

    def run(segment, coder, begin, end):
        return alpha_u_by_segment(segment, coder, begin, end, [0] * len(begin), **ok)

    run([0, 0], [0, 0], [0, 4], [4, 8])  # touching units are fine
    with pytest.raises(AgreementError, match="overlapping"):
        run([0, 0], [0, 0], [0, 3], [4, 8])
    with pytest.raises(AgreementError, match="not a member"):
        run([1], [1], [12], [14])
    with pytest.raises(AgreementError, match="inside its segment"):
        run([0], [0], [8], [12])
    with pytest.raises(AgreementError, match="does not exist"):
        run([2], [0], [8], [9])
    with pytest.raises(AgreementError, match="two coders"):
        alpha_u_parts([0], [0], [1], [0], 1, 1, 0, 5)


def merge_reference(rows):
    """Per coder and category, sort by begin and extend the last run while b < its end."""
    out = []
    for key in sorted({(c, k) for c, k, _, _ in rows}):
        runs = []
        for _, _, b, e in sorted(r for r in rows if (r[0], r[1]) == key):
            if runs and b < runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], e)
            else:
                runs.append([b, e])
        out += [(*key, b, e) for b, e in runs]
    return out


def run_merge(rows):
    coder, category, begin, end = (np.array(x, dtype=np.int64) for x in zip(*rows, strict=True))
    *merged, n_merged = merge_overlaps(coder, category, begin, end)
    return [tuple(int(v) for v in row) for row in zip(*merged, strict=True)], n_merged


def test_merge_overlaps_cases():
    groups = [
        [(0, 0, 0, 5), (0, 0, 3, 8)],  # overlapping -> [0, 8)
        [(0, 0, 20, 25), (0, 0, 24, 30), (0, 0, 29, 31)],  # chained -> [20, 31)
        [(0, 0, 40, 45), (0, 0, 45, 50)],  # touching: kept apart
        [(0, 0, 60, 66), (0, 0, 60, 66)],  # identical -> one
        [(0, 0, 70, 90), (0, 0, 72, 75)],  # contained -> [70, 90)
        [(0, 1, 1, 4), (1, 0, 4, 7)],  # other category, other coder: untouched
        [(1, 1, -5, 500), (2, 0, 10, 12)],  # a long span must not reach into the next group
    ]
    rows = [row for group in groups for row in group]
    merged, n_merged = run_merge(rows[::-1])
    assert merged == [
        *[(0, 0, 0, 8), (0, 0, 20, 31), (0, 0, 40, 45), (0, 0, 45, 50), (0, 0, 60, 66)],
        *[(0, 0, 70, 90), (0, 1, 1, 4), (1, 0, 4, 7), (1, 1, -5, 500), (2, 0, 10, 12)],
    ]
    assert n_merged == len(rows) - len(merged) == 5
    empty = np.zeros(0, np.int64)
    assert merge_overlaps(empty, empty, empty, empty)[4] == 0


@pytest.mark.parametrize("seed", range(5))
def test_merge_overlaps_matches_python_reference(seed):
    rng = np.random.default_rng(seed)
    n = 400
    begin = rng.integers(0, 300, n)
    rows = list(
        zip(
            rng.integers(0, 3, n).tolist(),
            rng.integers(0, 2, n).tolist(),
            begin.tolist(),
            (begin + rng.integers(1, 12, n)).tolist(),
            strict=True,
        )
    )
    merged, n_merged = run_merge(rows)
    expected = merge_reference(rows)
    assert merged == expected
    assert n_merged == n - len(expected) > 0
