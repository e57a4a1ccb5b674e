"""Normalisation of reliability data: units coded by coders, with missing values.

Every coefficient over coded units accepts the same input:

* a sequence of units, each a mapping ``coder -> value``; a value is missing when it is
  ``None`` (or a float NaN) or when the coder is absent from the mapping;
* or a NumPy array of shape ``(coders, units)`` with NaN for missing values (the
  canonical "reliability data matrix" of Krippendorff, 2011).

The result is a :class:`ReliabilityData`: the coders, the ordered categories and an
integer matrix of category indices (``-1`` where a value is missing).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from app.agreement.errors import AgreementError

# Mapping[Any, ...], not Mapping[Hashable, ...]: a mapping is invariant in its key type,
# so a caller's dict[str, ...] would not be a Mapping[Hashable, ...].
Units: TypeAlias = "Sequence[Mapping[Any, Any]] | np.ndarray | ReliabilityData"


@dataclass(frozen=True, eq=False)
class ReliabilityData:
    """Coded units in canonical form.

    ``codes[i, u]`` is the index into ``categories`` of the value coder ``coders[i]``
    gave to unit ``u``, or ``-1`` when that value is missing.
    """

    coders: tuple[Hashable, ...]
    categories: tuple[Any, ...]
    codes: np.ndarray

    @property
    def n_coders(self) -> int:
        return len(self.coders)

    @property
    def n_units(self) -> int:
        return int(self.codes.shape[1])

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    def values_per_unit(self) -> np.ndarray:
        """Number of values each unit received (m_u)."""
        return (self.codes >= 0).sum(axis=0)

    def counts(self, units: np.ndarray | None = None) -> np.ndarray:
        """Matrix ``(units, categories)``: how many coders gave each category to each unit."""
        codes = self.codes if units is None else self.codes[:, units]
        n_units = codes.shape[1]
        q = self.n_categories
        unit_index = np.broadcast_to(np.arange(n_units), codes.shape)
        present = codes >= 0
        flat = unit_index[present] * q + codes[present]
        return np.bincount(flat, minlength=n_units * q).reshape(n_units, q).astype(np.float64)

    def numeric_categories(self, purpose: str) -> np.ndarray:
        """The categories as floats, or an error naming ``purpose`` if they are not numbers."""
        values = []
        for c in self.categories:
            if isinstance(c, bool) or not isinstance(c, int | float | np.integer | np.floating):
                raise AgreementError(
                    f"The {purpose} needs numeric values, but {c!r} is not a number."
                )
            values.append(float(c))
        return np.asarray(values, dtype=np.float64)


def dichotomise(data: ReliabilityData, category: Any) -> ReliabilityData:
    """The data recoded as ``category`` (index 0) versus any other value (index 1), missing
    values kept missing (Krippendorff, 1980, p. 139; Fleiss, 1971, kappa_j)."""
    if category not in data.categories:
        raise AgreementError(f"The category {category!r} is not one of the categories.")
    c = data.categories.index(category)
    codes = np.where(data.codes < 0, -1, np.where(data.codes == c, 0, 1))
    return ReliabilityData(data.coders, (category, "other"), codes)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _ordered_categories(observed: set[Any] | list[Any]) -> tuple[Any, ...]:
    try:
        return tuple(sorted(observed))
    except TypeError as exc:
        raise AgreementError(
            "The values are of kinds that cannot be ordered together; "
            "pass the list of categories explicitly."
        ) from exc


def _index_of(categories: Sequence[Any]) -> dict[Any, int]:
    index: dict[Any, int] = {}
    for i, c in enumerate(categories):
        if _is_missing(c):
            raise AgreementError("A category cannot be None or NaN: those mark missing values.")
        if c in index:
            raise AgreementError(f"The category {c!r} is listed twice.")
        index[c] = i
    return index


def _from_array(array: np.ndarray, categories: Sequence[Any] | None) -> ReliabilityData:
    if array.ndim != 2:
        raise AgreementError("A reliability data array must have two dimensions: coders x units.")
    coders = tuple(range(array.shape[0]))
    if array.dtype.kind not in "fiub":
        units = [{i: array[i, u] for i in range(array.shape[0])} for u in range(array.shape[1])]
        return _from_mappings(units, categories, coders)
    values = array.astype(np.float64)
    present = ~np.isnan(values)
    observed = np.unique(values[present])
    if categories is None:
        integral = array.dtype.kind in "iub" or bool(np.all(observed == np.round(observed)))
        cats: tuple[Any, ...] = tuple(int(v) if integral else float(v) for v in observed)
        lookup = np.arange(len(observed))
    else:
        index = _index_of(categories)
        cats = tuple(categories)
        lookup = np.empty(len(observed), dtype=np.int64)
        for j, v in enumerate(observed):
            key = float(v)
            if key not in index:
                raise AgreementError(f"The value {key!r} is not one of the categories given.")
            lookup[j] = index[key]
    codes = np.full(values.shape, -1, dtype=np.int64)
    codes[present] = lookup[np.searchsorted(observed, values[present])]
    return ReliabilityData(coders, cats, codes)


def _from_mappings(
    units: Sequence[Mapping[Any, Any]],
    categories: Sequence[Any] | None,
    coders: tuple[Hashable, ...] | None = None,
) -> ReliabilityData:
    coder_index: dict[Hashable, int] = {c: i for i, c in enumerate(coders or ())}
    unit_ids: list[int] = []
    coder_ids: list[int] = []
    raw: list[Any] = []
    for u, unit in enumerate(units):
        if not isinstance(unit, Mapping):
            raise AgreementError(
                f"Unit {u} is not a mapping of coder to value (got {type(unit).__name__})."
            )
        for coder, value in unit.items():
            i = coder_index.setdefault(coder, len(coder_index))
            if _is_missing(value):
                continue
            unit_ids.append(u)
            coder_ids.append(i)
            raw.append(value)
    if categories is None:
        try:
            cats = _ordered_categories(set(raw))
        except TypeError as exc:  # unhashable values
            raise AgreementError(
                "Every coded value must be hashable (a number or a string)."
            ) from exc
    else:
        cats = tuple(categories)
    index = _index_of(cats)
    try:
        mapped = [index[v] for v in raw]
    except KeyError as exc:
        raise AgreementError(
            f"The value {exc.args[0]!r} is not one of the categories given."
        ) from None
    except TypeError as exc:
        raise AgreementError("Every coded value must be hashable (a number or a string).") from exc
    codes = np.full((len(coder_index), len(units)), -1, dtype=np.int64)
    if raw:
        codes[np.asarray(coder_ids), np.asarray(unit_ids)] = np.asarray(mapped, dtype=np.int64)
    return ReliabilityData(tuple(coder_index), cats, codes)


def reliability_data(units: Units, categories: Sequence[Any] | None = None) -> ReliabilityData:
    """Normalise ``units`` (mappings, or a coders x units array with NaN) into codes.

    ``categories`` fixes the order of the values (and may list values nobody used);
    when ``None`` it is the sorted set of observed values. Raises :class:`AgreementError`
    on empty input, on a value outside ``categories`` and on values that cannot be ordered.
    """
    if isinstance(units, ReliabilityData):
        data = units
        if categories is not None and tuple(categories) != data.categories:
            raise AgreementError("The categories given differ from those of the prepared data.")
    elif isinstance(units, np.ndarray):
        data = _from_array(units, categories)
    elif isinstance(units, str | bytes) or not isinstance(units, Sequence):
        raise AgreementError("Units must be a sequence of mappings coder -> value, or an array.")
    else:
        data = _from_mappings(units, categories)
    if data.n_units == 0:
        raise AgreementError("There are no units to compare.")
    if not (data.codes >= 0).any():
        raise AgreementError("No unit has any coded value.")
    return data


def from_columns(
    columns: Mapping[Any, Sequence[Any]], categories: Sequence[Any] | None = None
) -> ReliabilityData:
    """Units given coder by coder: ``coder -> the value of every unit`` (``None`` or NaN
    when missing), all columns of one length. The same data as the mapping form, read
    without a mapping per unit (for hundreds of thousands of units).
    """
    coders = tuple(columns)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise AgreementError("Every coder's column must have one value per unit.")
    present = [[v for v in values if not _is_missing(v)] for values in columns.values()]
    if categories is None:
        try:
            cats = _ordered_categories({v for values in present for v in values})
        except TypeError as exc:
            raise AgreementError("Every coded value must be hashable (a number or a string).") from exc
    else:
        cats = tuple(categories)
    index = _index_of(cats)
    n_units = lengths.pop() if lengths else 0
    codes = np.full((len(coders), n_units), -1, dtype=np.int64)
    for row, values in enumerate(columns.values()):
        try:
            codes[row] = [-1 if _is_missing(v) else index[v] for v in values]
        except KeyError as exc:
            raise AgreementError(
                f"The value {exc.args[0]!r} is not one of the categories given."
            ) from None
        except TypeError as exc:
            raise AgreementError("Every coded value must be hashable (a number or a string).") from exc
    return ReliabilityData(coders, cats, codes)
