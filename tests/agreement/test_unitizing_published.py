"""The u-alpha family against Krippendorff (2019), Content Analysis, 4th ed., Figure 12.11.

The figure's data, three observers (Alex, Paul, Suzan) unitizing a continuum of length 60
into values 1-7, are transcribed from the tests of the R package quallmer (Maerz & Benoit,
GPL-3; tests/testthat/test-alpha_u.R, "Figure 12.11 from Krippendorff (2019, p. 340)"),
1-based inclusive positions there, [begin, begin + length) here. The published values it
quotes: u-alpha 0.510, |u-alpha 0.413, (c|u)alpha 0.724.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.agreement import cu_alpha, u_alpha
from tests.agreement.unitizing_brute import u_family

# (first position, last position, value), 1-based and inclusive as in the figure.
FIGURE_12_11 = {
    "Alex": [(1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"), (38, 44, "6"), (45, 60, "7")],
    "Paul": [(1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")],
    "Suzan": [(1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"), (38, 41, "6"), (42, 44, "6")],
}  # fmt: skip
CODERS = list(FIGURE_12_11)
SPANS = [
    (coder, first - 1, last - first + 1, value)
    for coder, units in FIGURE_12_11.items()
    for first, last, value in units
]


def test_krippendorff_2019_figure_12_11_cu_alpha_three_coders():
    """(c|u)alpha = 0.724 for three coders, with the pairable-length correction: each
    unit's length counts the other coders' units over it, per m - 1."""
    result = cu_alpha(SPANS, 0, 60)
    assert round(result.value, 3) == 0.724
    assert result.n_coders == 3
    assert result.value == pytest.approx(float(u_family(SPANS, 0, 60, CODERS, "cu")), abs=1e-12)
    # The unit-by-unit coincidences: value 1 agreed by all three over 7 positions
    # (7 * 3 = 21), values 2, 3 and 4 all mutually confused over 6 positions, 5 agreed by
    # Paul and Suzan over 8, 6 by all three over 12; Alex's 7 meets no other unit.
    np.testing.assert_allclose(np.diag(result.coincidences), [21, 0, 0, 0, 8, 36, 0])
    np.testing.assert_allclose(result.coincidences[1:4, 1:4], 3 * (1 - np.eye(3)))


def test_krippendorff_2019_figure_12_11_u_alpha_and_binary():
    """u-alpha 0.510 and |u-alpha 0.413 as published. Loupe's |u-alpha is 0.41360 (the
    exact transcription gives the same), 0.0006 above the printed 0.413; the difference is
    not explained (merging each coder's adjacent units would give 0.438, further away), and
    quallmer's own test allows 0.002."""
    assert round(u_alpha(SPANS, 0, 60).value, 3) == 0.510
    binary = u_alpha(SPANS, 0, 60, binary=True).value
    assert abs(binary - 0.413) < 1e-3
    assert binary == pytest.approx(float(u_family(SPANS, 0, 60, CODERS, "binary")), abs=1e-12)
