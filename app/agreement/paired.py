"""Alpha and percent agreement of many groups of two-value units at once.

The attributes of matched spans are units of two values, one from each coder of a pair,
and a report needs alpha and percent agreement for every coder pair (190 of them for
twenty coders). :class:`PairedCodes` holds the units of every group in one set of columns,
each group's units contiguous; the counts the coefficients need (units with a value,
pairable units, agreeing units, coincidences) come from a few ``bincount`` passes over all
groups, and only the finishing on the ``(q, q)`` coincidence matrix is done per group, by
:func:`app.agreement.alpha.alpha_result`, the code :func:`krippendorff_alpha` itself ends
with. Each group's result is therefore the one its own :class:`ReliabilityData`
(:meth:`PairedCodes.group`) gives, to the last bit; a group that the coefficient cannot
measure gets the :class:`AgreementError` the coefficient raises on it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from app.agreement.alpha import _fixed_difference, alpha_result, krippendorff_alpha
from app.agreement.errors import AgreementError
from app.agreement.percent import percent_agreement
from app.agreement.reliability_data import ReliabilityData
from app.agreement.results import AgreementResult, AlphaResult

#: Groups x categories^2 above which coincidences are counted group by group.
_DENSE_LIMIT = 4_000_000


@dataclass(frozen=True, eq=False)
class PairedCodes:
    """Units of two values in groups: ``first[u]`` and ``second[u]`` index ``categories``
    (-1: missing); group ``g`` holds the units ``bounds[g]:bounds[g + 1]``.

    With ``observed`` the categories of a group are the values it holds, in the order of
    ``categories`` (what :func:`app.agreement.reliability_data.from_columns` finds when no
    categories are given); otherwise every group has all of ``categories``.
    """

    categories: tuple[Any, ...]
    first: np.ndarray
    second: np.ndarray
    bounds: np.ndarray
    observed: bool = False
    coders: tuple[Hashable, Hashable] = ("first", "second")

    @property
    def n_groups(self) -> int:
        return len(self.bounds) - 1

    def _data(self, first: np.ndarray, second: np.ndarray) -> ReliabilityData:
        codes = np.stack([first, second]).astype(np.int64)
        if not self.observed:
            return ReliabilityData(self.coders, self.categories, codes)
        used = np.unique(codes[codes >= 0])
        local = np.full(len(self.categories), -1, dtype=np.int64)
        local[used] = np.arange(len(used))
        codes = np.where(codes >= 0, local[codes], -1)
        return ReliabilityData(self.coders, tuple(self.categories[i] for i in used.tolist()), codes)

    def group(self, g: int) -> ReliabilityData:
        """Group ``g`` as reliability data of its own."""
        lo, hi = int(self.bounds[g]), int(self.bounds[g + 1])
        return self._data(self.first[lo:hi], self.second[lo:hi])

    def pooled(self) -> ReliabilityData:
        """Every unit of every group as one set of reliability data."""
        return self._data(self.first, self.second)

    @cached_property
    def tallies(self) -> _Tallies:
        return _tallies(self)


@dataclass(frozen=True, eq=False)
class _Tallies:
    """Per group (and, as one more group at the end, over every unit): units with a
    value, pairable units (both values), agreeing units, the categories held and the
    coincidences (ordered pairs of values of the pairable units, each unit's two both ways)."""

    rated: np.ndarray
    pairable: np.ndarray
    agreeing: np.ndarray
    used: np.ndarray  # (groups, categories), only when the categories are those observed
    coincidences: Any  # the group -> its (q, q) coincidences over all categories


def _per_group(bounds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """How many units of each group, and of all, are in ``mask``."""
    running = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    return np.append(running[bounds[1:]] - running[bounds[:-1]], running[-1])


def _tallies(data: PairedCodes) -> _Tallies:
    n, q = data.n_groups, len(data.categories)
    a, b = data.first, data.second
    if n * (q + 1) * (q + 1) <= _DENSE_LIMIT:
        # One count of every group's (first, second) value pairs, missing as one more
        # value (the first row and column): every tally is a part of it.
        side = q + 1
        pair = (a + 1) * side + (b + 1)
        edges = data.bounds.tolist()
        table = np.zeros((n + 1, side, side), dtype=np.int64)
        for g in range(n):
            table[g] = np.bincount(pair[edges[g] : edges[g + 1]], minlength=side * side).reshape(side, side)
        table[n] = table[:n].sum(axis=0)  # every unit: one more group
        half = table[:, 1:, 1:]
        pairable = half.sum(axis=(1, 2))
        rated = table.sum(axis=(1, 2)) - table[:, 0, 0]
        agreeing = np.trace(half, axis1=1, axis2=2)
        used = np.zeros((n + 1, q), dtype=bool)
        if data.observed:
            used = (table[:, 1:, :].sum(axis=2) + table[:, :, 1:].sum(axis=1)) > 0
        full = half + half.transpose(0, 2, 1)

        def coincidences(g: int) -> np.ndarray:
            return full[g].astype(np.float64)

        return _Tallies(rated, pairable, agreeing, used, coincidences)
    has_a, has_b = a >= 0, b >= 0
    both = has_a & has_b
    used = np.zeros((n + 1, q), dtype=bool)
    if data.observed:
        group = np.repeat(np.arange(n), np.diff(data.bounds))
        flat = used[:n].reshape(-1)
        flat[group[has_a] * q + a[has_a]] = True
        flat[group[has_b] * q + b[has_b]] = True
        used[n] = used[:n].any(axis=0)

    def each(g: int) -> np.ndarray:
        lo, hi = (0, len(a)) if g == n else (int(data.bounds[g]), int(data.bounds[g + 1]))
        x, y = a[lo:hi], b[lo:hi]
        pair = (x >= 0) & (y >= 0)
        half = np.bincount(x[pair] * q + y[pair], minlength=q * q).reshape(q, q)
        return (half + half.T).astype(np.float64)

    per_group = lambda mask: _per_group(data.bounds, mask)  # noqa: E731
    return _Tallies(per_group(has_a | has_b), per_group(both), per_group(both & (a == b)), used, each)


def _categories(data: PairedCodes, tallies: _Tallies, g: int) -> np.ndarray:
    if data.observed:
        return np.flatnonzero(tallies.used[g])
    return np.arange(len(data.categories))


def paired_alpha(data: PairedCodes, level: str = "nominal") -> list[AlphaResult | AgreementError]:
    """Krippendorff's alpha of every group, then of all units: what
    :func:`krippendorff_alpha` returns for :meth:`PairedCodes.group` (and
    :meth:`PairedCodes.pooled`), or the error it raises."""
    tallies = data.tallies
    out: list[AlphaResult | AgreementError] = []
    for g in range(data.n_groups + 1):
        if not tallies.pairable[g]:
            out.append(_error(lambda g=g: krippendorff_alpha(_units(data, g), level)))
            continue
        used = _categories(data, tallies, g)
        cats = tuple(data.categories[i] for i in used.tolist())
        shape = ReliabilityData(data.coders, cats, np.zeros((2, 0), dtype=np.int64))
        try:
            delta, metric = _fixed_difference(level, shape, None)
        except AgreementError as exc:
            out.append(exc)
            continue
        o = tallies.coincidences(g)
        if data.observed:
            o = o[np.ix_(used, used)]
        pairable = int(tallies.pairable[g])
        out.append(alpha_result(o, delta, metric, shape, (int(tallies.rated[g]), pairable, 2 * pairable)))
    return out


def paired_percent(data: PairedCodes) -> list[AgreementResult | AgreementError]:
    """Percent agreement (the share of pairable units whose two values are equal) of
    every group, then of all units: what :func:`percent_agreement` returns for
    :meth:`PairedCodes.group` (and :meth:`PairedCodes.pooled`), or the error it raises."""
    tallies = data.tallies
    out: list[AgreementResult | AgreementError] = []
    for g in range(data.n_groups + 1):
        pairable = int(tallies.pairable[g])
        if not pairable:
            out.append(_error(lambda g=g: percent_agreement(_units(data, g))))
            continue
        value = float(tallies.agreeing[g]) / float(pairable)
        cats = tuple(data.categories[i] for i in _categories(data, tallies, g).tolist())
        out.append(
            AgreementResult(
                coefficient="percent_agreement (unit_mean)", value=value, observed=value,
                expected=None, n_units=int(tallies.rated[g]), n_pairable_units=pairable,
                n_pairable_values=2 * pairable, n_coders=2, categories=cats, weights="identity",
            )
        )
    return out


def _units(data: PairedCodes, g: int) -> ReliabilityData:
    """Group ``g``, or every unit for the one past the last group."""
    return data.pooled() if g == data.n_groups else data.group(g)


def _error(compute: Any) -> Any:
    """What the coefficient gives on a group without pairable units: its error (or, should
    it measure one after all, its result)."""
    try:
        return compute()
    except AgreementError as exc:
        return exc
