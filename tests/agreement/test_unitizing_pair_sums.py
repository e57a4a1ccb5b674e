"""A coder pair's observed alpha_U sums on the concatenated continuum of the articles both
finished equal the sums of its per-article sums (alpha_u_by_segment's ``by_pair``): the
agreement report computes each pair's pooled alpha_U from them. Random spans, coders who
did not finish every article, articles where a coder marked nothing (whose gaps join
across article boundaries on the concatenated continuum)."""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement.unitizing_batch import alpha_u_by_segment, alpha_u_parts, merge_overlaps

N_CODERS, N_LABELS = 4, 3


def _corpus(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(30, 200, 25)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    members = rng.random((len(lengths), N_CODERS)) < 0.8
    coder, label, begin, end = [], [], [], []
    for k, length in enumerate(lengths.tolist()):
        for c in np.flatnonzero(members[k]).tolist():
            for _ in range(int(rng.integers(0, 6))):
                b = int(rng.integers(0, length - 1))
                coder.append(c)
                label.append(int(rng.integers(0, N_LABELS)))
                begin.append(offsets[k] + b)
                end.append(offsets[k] + min(length, b + int(rng.integers(1, 25))))
    c, lab, b, e, _ = merge_overlaps(np.array(coder), np.array(label), np.array(begin), np.array(end))
    return c, lab, b, e, offsets, members


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_pair_sums_its_articles(seed: int) -> None:
    coder, label, begin, end, offsets, members = _corpus(seed)
    article = np.searchsorted(offsets, begin, side="right") - 1
    by_pair: dict[tuple[int, int], np.ndarray] = {}
    alpha_u_by_segment(article, coder, begin, end, label, offsets[:-1], offsets[1:], members, N_LABELS, by_pair=by_pair)
    lengths = np.diff(offsets)
    checked = 0
    for i in range(N_CODERS):
        for j in range(i + 1, N_CODERS):
            chosen = members[:, i] & members[:, j]
            shifted = np.cumsum(np.where(chosen, lengths, 0)) - np.where(chosen, lengths, 0)
            keep = chosen[article] & np.isin(coder, [i, j])
            move = (shifted - offsets[:-1])[article[keep]]
            args = (
                (coder[keep] == j).astype(np.int64), begin[keep] + move, end[keep] + move, label[keep],
                2, N_LABELS, 0, int(lengths[chosen].sum()),
            )
            expected = alpha_u_parts(*args)
            found = alpha_u_parts(*args, by_pair[(i, j)][chosen].sum(axis=0))
            for x, y in zip(found, expected, strict=True):
                assert np.array_equal(x, y, equal_nan=True)
            checked += bool(expected[0].any())
    assert checked >= 3
