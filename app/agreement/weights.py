"""Agreement weights for weighted coefficients.

A weights matrix ``w`` is indexed like the ordered categories; ``w[k, l]`` in [0, 1] is the
credit given when one coder chose category k and another l, with ``w[k, k] = 1``.

* ``None``: identity weights (no partial credit; the unweighted coefficient).
* ``"linear"``: ``w[k, l] = 1 - |k - l| / (q - 1)``.
* ``"quadratic"``: ``w[k, l] = 1 - (k - l)**2 / (q - 1)**2``.

k and l are the category *values* x_k, x_l when every category is a number (Gwet, 2014,
ch. 3: ``1 - (x_k - x_l)**2 / (x_max - x_min)**2``, as irrCAC computes them), otherwise their
*positions* in the ordered list (Cohen, 1968; scikit-learn's ``cohen_kappa_score``). The two
agree for equally spaced numbers such as 1-5 with every value listed; unused categories
listed in ``categories`` count either way. A caller that passes no ``values`` gets
positions. For Krippendorff's alpha a weights matrix defines the difference function
``delta**2(c, k) = 1 - w[c, k]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any, TypeAlias

import numpy as np

from app.agreement.errors import AgreementError

Weights: TypeAlias = "None | str | np.ndarray | list[list[float]]"


def weights_name(weights: Any) -> str:
    """A short name of the weights for result records."""
    if weights is None:
        return "identity"
    if isinstance(weights, str):
        return weights
    return "custom"


def scale_points(values: Sequence[Any] | None, n_categories: int) -> np.ndarray:
    """The points of the categories on the scale: their values when all are finite real
    numbers (not booleans) and distinct, else their positions 0 .. q - 1."""
    if values is not None and len(values) == n_categories:
        numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
        if numeric:
            points = np.array([float(v) for v in values])
            if np.isfinite(points).all() and len(set(points.tolist())) == n_categories:
                return points
    return np.arange(n_categories, dtype=np.float64)


def agreement_weights(
    weights: Any,
    n_categories: int,
    *,
    symmetric: bool = True,
    values: Sequence[Any] | None = None,
) -> np.ndarray:
    """The ``(q, q)`` agreement weights matrix for ``weights`` over ``n_categories``.

    ``values`` are the categories themselves: named weights use their values when they are
    numbers (see the module notes), else their positions.

    Raises :class:`AgreementError` on an unknown name, a matrix of the wrong shape, values
    outside [0, 1], a diagonal that is not all ones, or (when ``symmetric``) an asymmetric
    matrix, which pairs of coders that are not ordered cannot use.
    """
    q = n_categories
    if weights is None:
        return np.eye(q)
    if isinstance(weights, str):
        if q == 1:
            return np.ones((1, 1))
        pos = scale_points(values, q)
        diff = np.abs(pos[:, None] - pos[None, :]) / (pos.max() - pos.min())
        if weights == "linear":
            return 1.0 - diff
        if weights == "quadratic":
            return 1.0 - diff**2
        raise AgreementError(
            f"Unknown weights {weights!r}: use None, 'linear', 'quadratic' or a matrix."
        )
    try:
        w = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AgreementError("The weights matrix must contain numbers only.") from exc
    if w.shape != (q, q):
        raise AgreementError(
            f"The weights matrix must be {q} x {q}, one row and column per category; "
            f"it is {' x '.join(map(str, w.shape))}."
        )
    if not np.isfinite(w).all() or (w < 0).any() or (w > 1).any():
        raise AgreementError("Agreement weights must lie between 0 and 1.")
    if not np.all(np.diag(w) == 1.0):
        raise AgreementError(
            "Agreement weights must be 1 on the diagonal (a category agrees with itself)."
        )
    if symmetric and not np.array_equal(w, w.T):
        raise AgreementError("This coefficient needs a symmetric weights matrix.")
    return w
