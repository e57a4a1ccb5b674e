"""Result records returned by the agreement functions.

Every record keeps the coefficient's value unrounded together with the parts it was
computed from, so that a report can show (and a reviewer can recompute) each figure.
A value is ``nan`` only when the coefficient is undefined for the data, and then
``note`` says why (e.g. no variation in the values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class AgreementResult:
    """A chance-corrected agreement coefficient ``(p_a - p_e) / (1 - p_e)``.

    ``observed`` is the observed agreement p_a and ``expected`` the chance agreement p_e
    (``None`` for plain percent agreement, which has no chance correction).
    ``n_units`` counts units with at least one value, ``n_pairable_units`` those with
    two or more, ``n_pairable_values`` the values in the pairable units.
    """

    coefficient: str
    value: float
    observed: float
    expected: float | None
    n_units: int
    n_pairable_units: int
    n_pairable_values: int
    n_coders: int
    categories: tuple[Any, ...]
    weights: str
    note: str | None = None


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha ``1 - D_o / D_e`` with its coincidence matrix.

    ``observed_disagreement`` is D_o and ``expected_disagreement`` D_e; ``coincidences``
    is the matrix o_ck indexed like ``categories``; ``n_units`` counts units with at least
    one value, ``n_pairable_units`` those with two or more, ``n_pairable_values`` is n.. .
    """

    value: float
    level: str
    observed_disagreement: float
    expected_disagreement: float
    n_units: int
    n_pairable_units: int
    n_pairable_values: int
    n_coders: int
    categories: tuple[Any, ...]
    coincidences: np.ndarray = field(compare=False, repr=False)
    note: str | None = None


@dataclass(frozen=True)
class BootstrapResult:
    """A percentile bootstrap interval for an agreement coefficient.

    ``estimate`` is the coefficient on the full data; ``low`` and ``high`` bound the
    central ``level`` share of the ``n_valid`` finite resampled values; resamples on which
    the coefficient is undefined (no variation) are left out and counted in ``n - n_valid``.
    """

    measure: str
    estimate: float
    low: float
    high: float
    level: float
    n: int
    n_valid: int
    seed: int | None
    distribution: np.ndarray = field(compare=False, repr=False)
    note: str | None = None
