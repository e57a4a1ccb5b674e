"""The minimum size of a reliability sample (Krippendorff 2004, section 11.4.2, Table 11.1;
2013; 2019, section 12.7).

How many units must every coder code so that an alpha at least as large as the smallest
acceptable one, ``alpha_min``, is not obtained by chance at the significance level ``p``?
Krippendorff adapts Bloch & Kraemer (1989, eq. 3.7):

    N = 2 z_p^2 * ( (1 + alpha_min)(3 - alpha_min) / (4 (1 - alpha_min) P_c (1 - P_c)) - alpha_min )

where ``z_p`` is the one-sided standard normal quantile of ``p`` (1.645 for p = 0.05) and
``P_c`` the probability of the least frequent value (``1 / K`` for K equiprobable values).
The number is rounded up. It reproduces the table: e.g. alpha_min = 0.800, p = 0.05 and
four equiprobable values need 139 units, alpha_min = 0.667 needs 81.

Pure Python (the normal quantile comes from :mod:`statistics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from app.agreement.errors import AgreementError

FORMULA = "N = 2 z_p^2 ((1 + a)(3 - a) / (4 (1 - a) P_c (1 - P_c)) - a), rounded up"
REFERENCE = "Krippendorff (2004, section 11.4.2, Table 11.1; 2019, section 12.7), after Bloch & Kraemer (1989)"


@dataclass(frozen=True)
class SampleSize:
    """The minimum number of units, with what it was computed from."""

    units: int
    alpha_min: float
    p: float
    z: float
    smallest_probability: float
    values: int | None
    exact: float


def minimum_units(
    alpha_min: float = 0.8,
    p: float = 0.05,
    *,
    values: int | None = None,
    smallest_probability: float | None = None,
) -> SampleSize:
    """The minimum number of units for ``alpha_min`` at significance ``p``.

    Give ``values`` (K equiprobable values, P_c = 1/K) or ``smallest_probability`` (P_c,
    the expected share of the least frequent value); not both.
    """
    if not 0.0 < alpha_min < 1.0:
        raise AgreementError(f"The smallest acceptable alpha must lie between 0 and 1, not {alpha_min}.")
    if not 0.0 < p < 0.5:
        raise AgreementError(f"The significance level must lie between 0 and 0.5, not {p}.")
    if (values is None) == (smallest_probability is None):
        raise AgreementError("Give either the number of values or the probability of the least frequent one.")
    if values is not None:
        if values < 2:
            raise AgreementError(f"A variable needs at least 2 values, not {values}.")
        pc = 1.0 / values
    else:
        pc = float(smallest_probability)  # type: ignore[arg-type]
        if not 0.0 < pc <= 0.5:
            raise AgreementError(
                f"The probability of the least frequent value must lie above 0 and at most 0.5, not {pc}."
            )
    z = NormalDist().inv_cdf(1.0 - p)
    a = alpha_min
    exact = 2.0 * z * z * ((1.0 + a) * (3.0 - a) / (4.0 * (1.0 - a) * pc * (1.0 - pc)) - a)
    # A hair below an integer (floating point) must not round up to the next one.
    units = math.ceil(round(exact, 9))
    return SampleSize(units, alpha_min, p, z, pc, values, exact)
