"""Agreement per option of a single choice: which option do coders confuse?

For every option c of a single-choice question or attribute, over the pooled data of the
measure's headline figures (every coder who finished the counted articles; for an
attribute, the matched span pairs of every coder pair):

* ``n_chosen``: how many of the measure's values are c (every value given, pairable or
  not; for an attribute each matched pair of spans gives its two values, so a span
  matched in several coder pairs counts once per pair);
* ``alpha``: Krippendorff's category-specific alpha (1980, p. 139), the nominal alpha of
  the data dichotomised into c versus any other value, what
  ``krippendorff_alpha(units, category=c)`` gives. With n_uc of the m_u values of
  pairable unit u being c, n_c = sum_u n_uc and n = sum_u m_u the pairable values, the
  dichotomised coincidence matrix has ``D_c = sum_u n_uc (m_u - n_uc) / (m_u - 1)``
  off the diagonal, so ``alpha_c = 1 - (n - 1) D_c / (n_c (n - n_c))``;
* ``kappa``: Fleiss' (1971) kappa_j with the pooled share of c as chance, what
  ``fleiss_kappa(units, category=c)`` gives: ``p_a`` the mean over the units with two
  or more values of the share of pairs of values that agree on c-or-not,
  ``p_e = pi_c^2 + (1 - pi_c)^2`` with pi_c the mean share of c over the units with a
  value (missing values as in Gwet, 2014);
* ``confused_with`` and ``n_confused``: the other option k with the largest cell
  ``o_ck`` of c's row of the coincidence matrix (pairs of values c and k from different
  coders in a unit, each unit's pairs weighted 1 / (m_u - 1)); for two coders, the number
  of units where one chose c and the other k. ``None`` and 0 when c was never paired
  with another option; ties go to the option listed first.

Every option comes from one table of counts per unit and option (units x options), so
the cost is that of one coefficient, whatever the number of options. Undefined values
(an option nobody or everybody chose, no unit with two values) are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.agreement.paired import PairedCodes
from app.agreement.reliability_data import ReliabilityData

_TOLERANCE = 1e-12  # chance agreement this close to 1: kappa undefined, as in app.agreement


@dataclass(frozen=True)
class OptionAgreement:
    """Agreement on one option of a single choice (see the module notes)."""

    option: Any
    n_chosen: int
    alpha: float
    kappa: float
    confused_with: Any | None
    n_confused: float


def option_agreement(data: ReliabilityData) -> tuple[OptionAgreement, ...]:
    """One row per category of ``data``, in the order of its categories."""
    m = data.values_per_unit()
    rated = np.flatnonzero(m >= 1)
    counts = data.counts(rated)  # (units with a value, options)
    r = m[rated].astype(np.float64)[:, None]
    pair = r[:, 0] >= 2
    x, rp = counts[pair], r[pair]
    if not len(x):
        return _rows(data.categories, counts.sum(axis=0), None)
    n_c = x.sum(axis=0)
    agree = (x * (x - 1.0) + (rp - x) * (rp - x - 1.0)) / (rp * (rp - 1.0))
    share = (counts / r).sum(axis=0)
    parts = _Parts(
        n_c, float(rp.sum()), (x * (rp - x) / (rp - 1.0)).sum(axis=0), agree.sum(axis=0),
        len(x), share, ((r - counts) / r).sum(axis=0), len(r), (x / (rp - 1.0)).T @ x,
    )
    return _rows(data.categories, counts.sum(axis=0), parts)


def paired_option_agreement(paired: PairedCodes) -> tuple[OptionAgreement, ...]:
    """What :func:`option_agreement` gives for the pooled units of two values of
    ``paired``, from the coincidences its alphas were computed from: in a unit of two
    values an option is shared or set against the other value, so the coincidence matrix
    holds every count but those of the units with one value."""
    q = len(paired.categories)
    tallies = paired.tallies
    a, b = paired.first, paired.second
    single = (a >= 0) != (b >= 0)
    alone = np.bincount(np.where(a >= 0, a, b)[single], minlength=q).astype(np.float64)
    n_pairs, n_rated = int(tallies.pairable[-1]), int(tallies.rated[-1])
    if not n_pairs:
        return _rows(paired.categories, alone, None)
    o = tallies.coincidences(paired.n_groups)
    n_c = o.sum(axis=1)
    one_side = n_c - np.diag(o)  # pairable units where c is set against another value
    share = n_c / 2.0 + alone
    parts = _Parts(
        n_c, 2.0 * n_pairs, one_side, n_pairs - one_side, n_pairs, share, n_rated - share,
        n_rated, o,
    )
    return _rows(paired.categories, n_c + alone, parts)


@dataclass(frozen=True)
class _Parts:
    """Per option (arrays over the options): pairable values c and all pairable values;
    D_c, the pairable values c coinciding with another value; the units' agreement on c
    or not, summed over the n_pairable units; the units' shares of c and of not c, summed
    over the n_rated units; the coincidence matrix (off its diagonal)."""

    n_c: np.ndarray
    n: float
    off: np.ndarray
    agree: np.ndarray
    n_pairable: int
    share: np.ndarray
    share_other: np.ndarray
    n_rated: int
    coincidences: np.ndarray


def _rows(
    categories: tuple[Any, ...], chosen: np.ndarray, parts: _Parts | None
) -> tuple[OptionAgreement, ...]:
    q = len(categories)
    alpha = kappa = np.full(q, np.nan)
    o = np.zeros((q, q))
    if parts is not None:
        d_e = parts.n_c * (parts.n - parts.n_c)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(d_e > 0, 1.0 - (parts.n - 1.0) * parts.off / d_e, np.nan)
        p_a = parts.agree / parts.n_pairable
        p_e = (parts.share / parts.n_rated) ** 2 + (parts.share_other / parts.n_rated) ** 2
        undefined = 1.0 - p_e <= _TOLERANCE
        kappa = np.where(undefined, np.nan, (p_a - p_e) / np.where(undefined, 1.0, 1.0 - p_e))
        o = parts.coincidences.copy()
    np.fill_diagonal(o, -1.0)
    most = o.argmax(axis=1) if q > 1 else np.zeros(q, dtype=np.int64)
    rows = []
    for c in range(q):
        k = int(most[c])
        confused = q > 1 and o[c, k] > 0
        rows.append(
            OptionAgreement(
                categories[c], int(chosen[c]), float(alpha[c]), float(kappa[c]),
                categories[k] if confused else None, float(o[c, k]) if confused else 0.0,
            )
        )
    return tuple(rows)


def question_options(kind: str, rows: Any) -> tuple[OptionAgreement, ...]:
    """The options of a single-choice question measured on ``rows`` (nothing for other
    kinds, nor when answers outside the options sent the measure the reference route)."""
    if kind != "single_choice" or not isinstance(rows, ReliabilityData):
        return ()
    return option_agreement(rows)


def attribute_options(kind: str, paired: PairedCodes, odd: bool) -> tuple[OptionAgreement, ...]:
    """The options of a single-choice attribute over the matched span pairs of every
    coder pair (nothing for other kinds, nor when a value outside the options is held)."""
    if kind != "single_choice" or odd:
        return ()
    return paired_option_agreement(paired)
