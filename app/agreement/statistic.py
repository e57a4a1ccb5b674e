"""Coefficients written as a function of per-unit sums, for fast resampling.

A :class:`UnitStatistic` holds one row of additive quantities per unit (``table``) and a
vectorised ``finish`` that turns column sums into coefficient values. The point estimate
is ``finish(table.sum(0)[None])``; a bootstrap resample with unit multiplicities ``c`` is
``finish(c @ table)``, so thousands of resamples cost a few matrix products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class UnitStatistic:
    """Per-unit additive table and the function from its column sums to the coefficient."""

    table: np.ndarray
    finish: Callable[[np.ndarray], np.ndarray]

    def evaluate(self, multiplicities: np.ndarray | None = None) -> np.ndarray:
        """Coefficient values for rows of unit multiplicities (all ones when ``None``)."""
        if multiplicities is None:
            sums = self.table.sum(axis=0)[None, :]
        else:
            sums = multiplicities @ self.table
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.finish(sums)
