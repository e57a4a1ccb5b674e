"""Percentile bootstrap confidence intervals by resampling units.

Each resample draws as many units as the data has, with replacement, and recomputes the
coefficient; the interval is the central ``level`` share of the resampled values
(Efron & Tibshirani, 1993, ch. 13). Which units are resampled:

* Krippendorff's alpha: the units with two or more values (the pairable units, the only
  ones alpha is computed from; cf. Hayes & Krippendorff, 2007). Note that the KALPHA macro
  of Hayes & Krippendorff resamples pairs of values with D_e held fixed; this function
  resamples whole units and recomputes D_e, the ordinary nonparametric bootstrap.
* the kappa family (Conger's kappa included) and percent agreement: the units with at
  least one value, since chance agreement uses every value (Gwet, 2014).

For the coefficients of this package a resample is a vector of unit multiplicities and
the coefficient is recomputed from per-unit sums (see :mod:`app.agreement.statistic`),
so 1,000 resamples cost a few matrix products. Any other measure is recomputed on each
resample of ``units``. Resamples on which the coefficient is undefined (no variation)
are left out and counted. The same ``seed`` always gives the same interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from app.agreement import kappa, percent
from app.agreement.alpha import alpha_statistic, krippendorff_alpha
from app.agreement.errors import AgreementError
from app.agreement.reliability_data import ReliabilityData, Units, reliability_data
from app.agreement.results import BootstrapResult
from app.agreement.statistic import UnitStatistic

_CELLS_PER_CHUNK = 500_000
_KAPPA_FAMILY = {
    kappa.cohen_kappa: "cohen_kappa",
    kappa.scott_pi: "scott_pi",
    kappa.fleiss_kappa: "fleiss_kappa",
    kappa.gwet_ac1: "gwet_ac1",
    kappa.gwet_ac2: "gwet_ac2",
    kappa.bennett_s: "bennett_s",
    kappa.conger_kappa: "conger_kappa",
}


def _statistic(
    measure: Callable[..., Any], units: Units, kwargs: dict[str, Any]
) -> UnitStatistic | None:
    if measure is krippendorff_alpha:
        data = reliability_data(units, kwargs.get("categories"))
        statistic, _ = alpha_statistic(data, kwargs.get("level", "nominal"), kwargs.get("weights"))
        return statistic
    if measure in _KAPPA_FAMILY:
        statistic, _ = kappa.kappa_statistic(
            _KAPPA_FAMILY[measure],
            units,
            kwargs.get("weights"),
            kwargs.get("categories"),
            kwargs.get("coders"),
        )
        return statistic
    if measure is percent.percent_agreement:
        return percent.percent_statistic(units, **kwargs)[0]
    return None


def _multiplicities(rng: np.random.Generator, n_resamples: int, n_units: int) -> np.ndarray:
    draws = rng.integers(0, n_units, size=(n_resamples, n_units))
    offsets = (np.arange(n_resamples) * n_units)[:, None]
    flat = np.bincount((draws + offsets).ravel(), minlength=n_resamples * n_units)
    return flat.reshape(n_resamples, n_units).astype(np.float64)


def _n_units(units: Units) -> int:
    if isinstance(units, ReliabilityData):
        return units.n_units
    return units.shape[1] if isinstance(units, np.ndarray) else len(units)


def _resample_units(units: Units, index: np.ndarray) -> Units:
    if isinstance(units, ReliabilityData):
        return replace(units, codes=units.codes[:, index])
    if isinstance(units, np.ndarray):
        return units[:, index]
    return [units[i] for i in index]


def bootstrap(
    measure: Callable[..., Any],
    units: Units,
    n: int = 1000,
    seed: int | None = 0,
    level: float = 0.95,
    **kwargs: Any,
) -> BootstrapResult:
    """Percentile bootstrap interval of ``measure(units, **kwargs).value``.

    ``measure`` is one of the coefficient functions; its keyword arguments go in
    ``kwargs``, except alpha's level of measurement, which shares its name with the
    confidence ``level``: pass ``functools.partial(krippendorff_alpha, level="ordinal")``.
    ``n`` resamples; ``seed`` makes the draw reproducible; ``level`` is the coverage of
    the interval. Raises :class:`AgreementError` when the coefficient is undefined on the
    full data, or when fewer than two resamples give a value.
    """
    if isinstance(measure, partial):
        if measure.args:
            raise AgreementError("Give the measure's options as keywords, not positions.")
        kwargs = {**measure.keywords, **kwargs}
        measure = measure.func
    if n < 2:
        raise AgreementError("The bootstrap needs at least two resamples.")
    if not 0.0 < level < 1.0:
        raise AgreementError("The confidence level must lie strictly between 0 and 1.")
    estimate = measure(units, **kwargs)
    value = float(estimate.value)
    if np.isnan(value):
        raise AgreementError("The coefficient is undefined on these data, so it has no interval.")
    name = str(getattr(estimate, "coefficient", getattr(measure, "__name__", "measure")))
    rng = np.random.default_rng(seed)
    statistic = _statistic(measure, units, kwargs)
    if statistic is not None:
        n_units = statistic.table.shape[0]
        chunk = max(1, _CELLS_PER_CHUNK // max(n_units, 1))
        parts = []
        for start in range(0, n, chunk):
            parts.append(statistic.evaluate(_multiplicities(rng, min(chunk, n - start), n_units)))
        values = np.concatenate(parts)
    else:
        n_units = _n_units(units)
        values = np.empty(n)
        for b in range(n):
            resampled = _resample_units(units, rng.integers(0, n_units, size=n_units))
            try:
                values[b] = float(measure(resampled, **kwargs).value)
            except AgreementError:
                values[b] = np.nan
    return percentile_interval(name, value, values, level, seed, "had no variation")


def percentile_interval(
    measure: str, estimate: float, values: np.ndarray, level: float, seed: int | None, undefined: str
) -> BootstrapResult:
    """The central ``level`` share of the resampled ``values``; resamples without a value
    (NaN) are left out and counted, the note saying they ``undefined``."""
    valid = values[np.isfinite(values)]
    if len(valid) < 2:
        raise AgreementError("Too few resamples gave a defined value to form an interval.")
    low, high = np.quantile(valid, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    left_out = len(values) - len(valid)
    return BootstrapResult(
        measure=measure,
        estimate=estimate,
        low=float(low),
        high=float(high),
        level=level,
        n=len(values),
        n_valid=len(valid),
        seed=seed,
        distribution=values,
        note=f"{left_out} resamples {undefined} and were left out." if left_out else None,
    )


__all__: Sequence[str] = ["bootstrap"]
