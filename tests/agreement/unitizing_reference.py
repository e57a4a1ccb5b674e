"""alpha_U computed one category and one coder pair at a time: the reference the
vectorised computation (:mod:`app.agreement.unitizing_batch`, which
:func:`app.agreement.unitizing_alpha` uses) is checked against.

A direct transcription of Krippendorff's D_o and D_e (see :mod:`app.agreement.unitizing`
for the formulas): each coder's segmentation is built on its own, every pair of coders
is compared piece by piece, and D_e is summed unit by unit. Same signature and result
type as :func:`app.agreement.unitizing_alpha`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.unitizing import (
    NO_VARIATION,
    CategoryUnitizing,
    Span,
    SpanTable,
    UnitizingResult,
    coder_segments,
    span_table,
)


def _pair_disagreement(s1: tuple[np.ndarray, ...], s2: tuple[np.ndarray, ...]) -> float:
    """Sum of delta2 over the overlapping segments of two coders' segmentations."""
    b1, e1, u1 = s1
    b2, e2, u2 = s2
    pieces = np.union1d(b1, b2)
    g = np.searchsorted(b1, pieces, side="right") - 1
    h = np.searchsorted(b2, pieces, side="right") - 1
    bg, eg, ug, bh, eh, uh = b1[g], e1[g], u1[g], b2[h], e2[h], u2[h]
    both = ug & uh
    total = (((bg - bh) ** 2 + (eg - eh) ** 2) * both).sum(dtype=np.float64)
    inside_h = ug & ~uh & (bg >= bh) & (eg <= eh)
    inside_g = uh & ~ug & (bh >= bg) & (eh <= eg)
    total += (((eg - bg) ** 2) * inside_h).sum(dtype=np.float64)
    total += (((eh - bh) ** 2) * inside_g).sum(dtype=np.float64)
    return float(total)


def _category(table: SpanTable, c: int) -> CategoryUnitizing:
    m = len(table.coders)
    lo, hi = table.continuum_begin, table.continuum_end
    big_l = float(hi - lo)
    of_c = table.category == c
    segments = []
    for i in range(m):
        mine = of_c & (table.coder == i)
        segments.append(
            coder_segments(table.begin[mine], table.end[mine], lo, hi, "units of one category")
        )
    observed = 0.0
    for i in range(m):
        for j in range(i + 1, m):
            observed += _pair_disagreement(segments[i], segments[j])
    d_o = 2.0 * observed / (m * (m - 1) * big_l**2)
    lengths = (table.end[of_c] - table.begin[of_c]).astype(np.float64)
    gaps = np.sort(np.concatenate([(e - b)[~u] for b, e, u in segments]).astype(np.float64))
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    first = np.searchsorted(gaps, lengths, side="left")
    count = len(gaps) - first
    fitting = suffix[first] - count * (lengths - 1.0)
    n_c = len(lengths)
    numerator = (
        (n_c - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0 + lengths**2 * fitting
    ).sum()
    denominator = m * big_l * (m * big_l - 1.0) - (lengths * (lengths - 1.0)).sum()
    d_e = float((2.0 / big_l) * numerator / denominator)
    undefined = d_e == 0.0
    return CategoryUnitizing(
        category=table.categories[c],
        value=float("nan") if undefined else 1.0 - d_o / d_e,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
        n_units=n_c,
        note=NO_VARIATION if undefined else None,
    )


def unitizing_alpha(
    spans: Iterable[Span],
    begin: int,
    length: int,
    category: Hashable | None = None,
    coders: Sequence[Hashable] | None = None,
) -> UnitizingResult:
    """Krippendorff's alpha_U (1995/2004) per category and pooled over categories.

    ``spans`` are ``(coder, begin, length, category)`` with half-open intervals on integer
    positions inside ``[begin, begin + length)``; ``coders`` lists every coder, including
    any who marked nothing (they count in m). With ``category`` the value is that
    category's alpha. One coder's units of one category must not overlap. Raises
    :class:`AgreementError` when no unit is marked or the input is malformed.
    """
    table = span_table(spans, begin, length, coders)
    if len(table.begin) == 0:
        raise AgreementError("No coder marked any unit; there is nothing to compare.")
    chosen = range(len(table.categories))
    if category is not None:
        if category not in table.categories:
            raise AgreementError(f"No coder marked a unit of category {category!r}.")
        chosen = [table.categories.index(category)]
    per = tuple(_category(table, c) for c in chosen)
    d_o = sum(p.observed_disagreement for p in per)
    d_e = sum(p.expected_disagreement for p in per)
    undefined = d_e == 0.0
    return UnitizingResult(
        coefficient="alpha_U",
        value=float("nan") if undefined else 1.0 - d_o / d_e,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
        n_coders=len(table.coders),
        n_units=int(sum(p.n_units for p in per)),
        begin=table.continuum_begin,
        length=table.continuum_end - table.continuum_begin,
        categories=tuple(p.category for p in per),
        per_category=per,
        note=NO_VARIATION if undefined else None,
    )
