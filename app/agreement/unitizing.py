"""Krippendorff's alpha_U for unitizing a continuum (Krippendorff, 1995; 2004).

Coders mark units, half-open intervals ``[b, b + l)`` of integer positions, on a common
continuum ``[B, B + L)``, each unit with a category. For one category c every coder's
continuum is a sequence of segments: that coder's units of c and the gaps between them
(units of other categories count as gap). With m coders, N_c units of c in all:

    D_o,c = sum_{i != j} sum_{g, h} delta2(s_ig, s_jh) / (m (m - 1) L**2)

    delta2(g, h) = (b_g - b_h)**2 + (e_g - e_h)**2    both units, and they overlap
                 = l_g**2                            g a unit lying inside gap h
                 = l_h**2                            h a unit lying inside gap g
                 = 0                                 otherwise

    D_e,c = (2 / L) * sum_{units g of c} [ (N_c - 1) (2 l_g**3 - 3 l_g**2 + l_g) / 3
                                           + l_g**2 * sum_{gaps h, l_h >= l_g} (l_h - l_g + 1) ]
            / ( m L (m L - 1) - sum_{units g of c} l_g (l_g - 1) )

where e = b + l and the gaps run over every coder's segmentation. alpha_c =
1 - D_o,c / D_e,c; the overall alpha_U pools the categories,
``1 - sum_c D_o,c / sum_c D_e,c`` (Krippendorff, 1995).

Sources: K. Krippendorff, "On the reliability of unitizing contiguous data",
Sociological Methodology 25 (1995) 47-76; K. Krippendorff, Content Analysis: An
Introduction to Its Methodology, 2nd ed., Sage, 2004, section 11.6 (worked example
p. 254); K. Krippendorff, "Measuring the reliability of qualitative text analysis data",
Quality & Quantity 38 (2004) 787-800.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.unitizing_batch import alpha_u_parts, alpha_values

Span = tuple[Hashable, int, int, Hashable]
NO_VARIATION = "No variation: expected disagreement is zero, so the coefficient is undefined."


@dataclass(frozen=True)
class CategoryUnitizing:
    """alpha for one category with its disagreements and number of units."""

    category: Any
    value: float
    observed_disagreement: float
    expected_disagreement: float
    n_units: int
    note: str | None = None


@dataclass(frozen=True)
class UnitizingResult:
    """A unitizing coefficient on a continuum ``[begin, begin + length)``.

    For alpha_U, ``per_category`` holds each category's alpha. For the u-alpha family,
    ``coincidences`` and ``expected_coincidences`` are indexed by ``categories`` with the
    gap (no unit) first, as ``None``.
    """

    coefficient: str
    value: float
    observed_disagreement: float
    expected_disagreement: float
    n_coders: int
    n_units: int
    begin: int
    length: int
    categories: tuple[Any, ...]
    per_category: tuple[CategoryUnitizing, ...] = ()
    coincidences: np.ndarray | None = field(default=None, compare=False, repr=False)
    expected_coincidences: np.ndarray | None = field(default=None, compare=False, repr=False)
    note: str | None = None


@dataclass(frozen=True, eq=False)
class SpanTable:
    """Spans as arrays: coder index, begin, end (exclusive) and category index."""

    coders: tuple[Hashable, ...]
    categories: tuple[Any, ...]
    coder: np.ndarray
    begin: np.ndarray
    end: np.ndarray
    category: np.ndarray
    continuum_begin: int
    continuum_end: int


def span_table(
    spans: Iterable[Span], begin: int, length: int, coders: Sequence[Hashable] | None = None
) -> SpanTable:
    """Check and index spans ``(coder, begin, length, category)`` on ``[begin, begin+length)``."""
    if int(length) != length or length < 1:
        raise AgreementError("The continuum must have a positive whole length.")
    rows = list(spans)
    coder_index = {c: i for i, c in enumerate(coders or ())}
    # Any, not Hashable: the categories are sorted when they compare (see below).
    category_index: dict[Any, int] = {}
    table = np.zeros((len(rows), 4), dtype=np.int64)
    for n, row in enumerate(rows):
        try:
            coder, b, ln, cat = row
        except (TypeError, ValueError):
            raise AgreementError(f"Span {n} is not (coder, begin, length, category).") from None
        if coder not in coder_index:
            if coders is not None:
                raise AgreementError(f"Span {n} is by {coder!r}, who is not among the coders.")
            coder_index[coder] = len(coder_index)
        if int(b) != b or int(ln) != ln or ln < 1:
            raise AgreementError(f"Span {n} must have a whole begin and a positive whole length.")
        if b < begin or b + ln > begin + length:
            raise AgreementError(f"Span {n} [{b}, {b + ln}) lies outside the continuum.")
        table[n] = (
            coder_index[coder],
            b,
            b + ln,
            category_index.setdefault(cat, len(category_index)),
        )
    if len(coder_index) < 2:
        raise AgreementError("Unitizing agreement needs at least two coders.")
    try:
        categories = tuple(sorted(category_index))
    except TypeError:
        categories = tuple(category_index)
    remap = np.array([categories.index(c) for c in category_index], dtype=np.int64)
    return SpanTable(
        tuple(coder_index),
        categories,
        table[:, 0],
        table[:, 1],
        table[:, 2],
        remap[table[:, 3]] if len(rows) else table[:, 3],
        int(begin),
        int(begin + length),
    )


def coder_segments(
    begins: np.ndarray, ends: np.ndarray, lo: int, hi: int, what: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One coder's units and the gaps between them on ``[lo, hi)``, sorted by begin.

    Returns begins, ends and a flag that is True for units. Raises if units overlap.
    """
    order = np.argsort(begins, kind="stable")
    b, e = begins[order], ends[order]
    if (b[1:] < e[:-1]).any():
        raise AgreementError(f"A coder has overlapping {what}; they must not overlap.")
    gap_b = np.concatenate([[lo], e])
    gap_e = np.concatenate([b, [hi]])
    keep = gap_e > gap_b
    starts = np.concatenate([b, gap_b[keep]])
    stops = np.concatenate([e, gap_e[keep]])
    unit = np.concatenate([np.ones(len(b), bool), np.zeros(int(keep.sum()), bool)])
    order = np.argsort(starts, kind="stable")
    return starts[order], stops[order], unit[order]


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
    chosen: Sequence[int] = range(len(table.categories))
    if category is not None:
        if category not in table.categories:
            raise AgreementError(f"No coder marked a unit of category {category!r}.")
        chosen = [table.categories.index(category)]
    d_o_all, d_e_all, n_all = alpha_u_parts(
        table.coder, table.begin, table.end, table.category, len(table.coders),
        len(table.categories), table.continuum_begin, table.continuum_end,
    )
    values = alpha_values(d_o_all, d_e_all)
    per = tuple(
        CategoryUnitizing(
            category=table.categories[c],
            value=float(values[c]),
            observed_disagreement=float(d_o_all[c]),
            expected_disagreement=float(d_e_all[c]),
            n_units=int(n_all[c]),
            note=NO_VARIATION if d_e_all[c] == 0.0 else None,
        )
        for c in chosen
    )
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
