"""The u-alpha family for unitized continua (Krippendorff et al., 2016; Krippendorff, 2019).

Each coder's continuum ``[B, B + L)`` is partitioned into that coder's units (each with
a value, a category) and the gaps between them (value ``None`` below). With m coders:

* observed coincidences (2016, eq. 1): ``l_ck = sum_{i != j} sum_{g, h} |s_ig & s_jh|
  [v_ig = c][v_jh = k] / (m - 1)``, i.e. the alpha coincidence matrix over positions;
  ``l.. = m L``;
* expected coincidences (eq. 4): ``e_ck = l.. (l_c. l_.k - [c = k] S_c) / (l..**2 - S)``
  where S_c sums, over every coder's segments of value c, ``len**2`` for a unit and ``len``
  for a gap (the positions of one unit cannot pair by chance with each other), S = sum S_c;
* u-alpha (eq. 5, nominal): ``1 - sum_{c != k} l_ck / sum_{c != k} e_ck``;
* |u-alpha (eq. 6): the same with every category treated as one, i.e. with both matrices
  collapsed to gap versus unit: the reliability of telling relevant matter from gaps;
* cu-alpha (eqs. 10-11; Krippendorff, 2019, (c|u)alpha): agreement on the values of
  intersecting units only: l restricted to units (the unit rows and columns of the
  coincidences above), ``e*_ck = l*.. (l*_c. l*_.k - [c = k] S*_c) / (l*..**2 - S*)``
  where S*_c sums, over every coder's units of value c, the square of the unit's pairable
  length: ``a_g = sum_{x in g} (number of other coders with a unit at x) / (m - 1)``, the
  unit's share of l*_c. (the positions of one unit cannot pair with each other). With two
  coders a_g is the length of the unit's intersection with the other coder's units, as in
  the 2016 paper; with more coders it is the same correction per pairable value.

A coder's units must not overlap, whatever their categories.

Sources: K. Krippendorff, Y. Mathet, S. Bouvry, A. Widlöcher, "On the reliability of
unitizing textual continua: Further developments", Quality & Quantity 50 (2016)
2347-2364; K. Krippendorff, Content Analysis, 4th ed., Sage, 2019, section 12.6.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.unitizing import (
    NO_VARIATION,
    Span,
    SpanTable,
    UnitizingResult,
    coder_segments,
    span_table,
)


def _positions(table: SpanTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elementary pieces of the continuum: their lengths, each coder's value index
    (0 = gap, 1 + category) on each piece, and each coder's segment id on each piece."""
    m = len(table.coders)
    lo, hi = table.continuum_begin, table.continuum_end
    cuts = np.unique(np.concatenate([[lo, hi], table.begin, table.end]))
    starts, lengths = cuts[:-1], np.diff(cuts).astype(np.float64)
    values = np.zeros((m, len(starts)), dtype=np.int64)
    segment = np.zeros((m, len(starts)), dtype=np.int64)
    for i in range(m):
        mine = table.coder == i
        b, e, c = table.begin[mine], table.end[mine], table.category[mine]
        seg_b, _, _ = coder_segments(b, e, lo, hi, "units")
        order = np.argsort(b, kind="stable")
        b, e, c = b[order], e[order], c[order]
        if len(b):
            k = np.searchsorted(b, starts, side="right") - 1
            inside = (k >= 0) & (starts < e[np.maximum(k, 0)])
            values[i] = np.where(inside, c[np.maximum(k, 0)] + 1, 0)
        segment[i] = np.searchsorted(seg_b, starts, side="right") - 1
    return lengths, values, segment


def _coincidences(lengths: np.ndarray, values: np.ndarray, v: int) -> np.ndarray:
    m = values.shape[0]
    counts = np.zeros((values.shape[1], v))
    for i in range(m):
        np.add.at(counts, (np.arange(values.shape[1]), values[i]), 1.0)
    weighted = counts * lengths[:, None]
    return (weighted.T @ counts - np.diag(weighted.sum(axis=0))) / (m - 1)


def _self_pairs(lengths: np.ndarray, values: np.ndarray, segment: np.ndarray, v: int) -> np.ndarray:
    """S_c: per value, len**2 summed over units and len over gap segments, all coders."""
    s = np.zeros(v)
    for i in range(values.shape[0]):
        seg_len = np.bincount(segment[i], weights=lengths)
        seg_val = np.zeros(len(seg_len), dtype=np.int64)
        seg_val[segment[i]] = values[i]
        power = np.where(seg_val == 0, seg_len, seg_len**2)
        s += np.bincount(seg_val, weights=power, minlength=v)
    return s


def _expected(obs: np.ndarray, s: np.ndarray) -> np.ndarray:
    total = obs.sum()
    rows = obs.sum(axis=1)
    return total * (np.outer(rows, rows) - np.diag(s)) / (total**2 - s.sum())


def _alpha(
    coefficient: str, table: SpanTable, obs: np.ndarray, e: np.ndarray, categories: tuple
) -> UnitizingResult:
    total = obs.sum()
    d_o = (total - np.trace(obs)) / total
    d_e = (e.sum() - np.trace(e)) / total
    undefined = d_e <= 1e-12  # a share of l..; zero up to rounding
    return UnitizingResult(
        coefficient=coefficient,
        value=float("nan") if undefined else float(1.0 - d_o / d_e),
        observed_disagreement=float(d_o),
        expected_disagreement=float(d_e),
        n_coders=len(table.coders),
        n_units=len(table.begin),
        begin=table.continuum_begin,
        length=table.continuum_end - table.continuum_begin,
        categories=categories,
        coincidences=obs,
        expected_coincidences=e,
        note=NO_VARIATION if undefined else None,
    )


def u_alpha(
    spans: Iterable[Span],
    begin: int,
    length: int,
    coders: Sequence[Hashable] | None = None,
    *,
    binary: bool = False,
) -> UnitizingResult:
    """u-alpha (Krippendorff et al., 2016) on ``[begin, begin + length)``; |u-alpha when
    ``binary`` (every category treated as one). ``coders`` lists every coder, including
    any who marked nothing. The result's matrices are indexed gap first, then categories.
    """
    table = span_table(spans, begin, length, coders)
    if len(table.begin) == 0:
        raise AgreementError("No coder marked any unit; there is nothing to compare.")
    lengths, values, segment = _positions(table)
    v = len(table.categories) + 1
    obs = _coincidences(lengths, values, v)
    e = _expected(obs, _self_pairs(lengths, values, segment, v))
    if not binary:
        return _alpha("u-alpha", table, obs, e, (None, *table.categories))
    fold = np.zeros((v, 2))
    fold[0, 0] = 1.0
    fold[1:, 1] = 1.0
    return _alpha("|u-alpha", table, fold.T @ obs @ fold, fold.T @ e @ fold, (None, "unit"))


def cu_alpha(
    spans: Iterable[Span],
    begin: int,
    length: int,
    coders: Sequence[Hashable] | None = None,
) -> UnitizingResult:
    """cu-alpha (Krippendorff et al., 2016; Krippendorff, 2019): agreement on the
    categories of the parts of the coders' units that intersect, for two or more coders.
    Raises :class:`AgreementError` when no units of two coders intersect.
    """
    table = span_table(spans, begin, length, coders)
    lengths, values, segment = _positions(table)
    m = values.shape[0]
    v = len(table.categories) + 1
    obs = _coincidences(lengths, values, v)[1:, 1:]
    if obs.sum() == 0:
        raise AgreementError("No units of two coders intersect; cu-alpha is undefined.")
    inside = values > 0
    others = inside.sum(axis=0) - 1  # per piece: the other coders with a unit there
    s = np.zeros(v)
    for i in range(m):
        pairable = np.bincount(segment[i], weights=lengths * others * inside[i] / (m - 1.0))
        seg_val = np.zeros(len(pairable), dtype=np.int64)
        seg_val[segment[i]] = values[i]
        s += np.bincount(seg_val, weights=pairable**2, minlength=v)
    e = _expected(obs, s[1:])
    return _alpha("cu-alpha", table, obs, e, table.categories)
