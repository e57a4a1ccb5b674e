"""Kappa-type coefficients: ``(p_a - p_e) / (1 - p_e)``, and percent agreement.

Notation (Gwet, 2014, ch. 2-3): unit u received r_u values, r_uk of them in category k;
``r*_uk = sum_l w_kl r_ul`` with agreement weights w (identity when unweighted).

Observed agreement, every multi-coder coefficient (Fleiss, 1971; Gwet, 2014, ch. 2):

    p_a = (1 / n2) * sum_{u: r_u >= 2} sum_k r_uk (r*_uk - 1) / (r_u (r_u - 1)),

the mean over the n2 units with at least two values of the share of agreeing pairs.

Chance agreement p_e:

* Fleiss' kappa (Fleiss, 1971, generalised by Gwet, 2014): ``sum_kl w_kl pi_k pi_l`` with
  ``pi_k = (1/n) sum_u r_uk / r_u`` over the n units with at least one value.
* Scott's pi (Scott, 1955): Fleiss' chance agreement, ``pi_k`` the mean over the units
  rated of each unit's share ``r_uk / r_u`` (Gwet, 2014, Example 3.2 as corrected in the
  errata: 0.7673 with quadratic weights and missing ratings). Not the mean over coders of
  each coder's own shares, which the printed p. 84 used (0.7569). With more than two
  coders Scott's pi is Fleiss' kappa, its generalisation; with complete data the two
  readings coincide.
* Conger's kappa (Conger, 1980; Gwet, 2014, ch. 2): the mean over ordered pairs of coders
  g != h of Cohen's chance agreement ``sum_kl w_kl p_gk p_hl``, each coder's shares over
  the units that coder rated; coders who rated nothing are left out.
* Cohen's kappa (Cohen, 1960; weighted: Cohen, 1968): two coders A and B,
  ``sum_kl w_kl p_Ak p_Bl`` with each coder's shares over the units that coder rated;
  p_a over the units both rated.
* Gwet's AC1/AC2 (Gwet, 2008; 2014): ``T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)`` with
  Fleiss' pi_k, T_w the sum of all weights (q for AC1) and q the number of categories.
* Bennett, Alpert & Goldstein's S (1954) / Brennan & Prediger (1981): ``T_w / q**2``.

Missing values follow Gwet (2014): observed agreement over the units with at least two
values, chance agreement from every value given. q counts the listed categories, used
or not. When p_e = 1 the coefficient is 0/0: the value is NaN and ``note`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.reliability_data import ReliabilityData, Units, dichotomise, reliability_data
from app.agreement.results import AgreementResult
from app.agreement.statistic import UnitStatistic
from app.agreement.weights import Weights, agreement_weights, weights_name

NO_VARIATION = (
    "No variation: chance agreement is 1 (a single category, or weights that give full "
    "credit to every pair observed), so the coefficient is undefined."
)
_TOLERANCE = 1e-12
Components = Callable[[dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]


def _layout(q: int, n_coders: int) -> dict[str, slice]:
    names = [("pair", 1), ("agree", 1), ("values", 1), ("agree_values", 1), ("rated", 1)]
    names += [("share", q)] + [(f"coder{g}", q) for g in range(n_coders)]
    out, start = {}, 0
    for name, width in names:
        out[name] = slice(start, start + width)
        start += width
    return out


def _unit_table(
    data: ReliabilityData, w: np.ndarray, pair_agreement: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, slice], np.ndarray]:
    """Per-unit additive quantities over the units with at least one value."""
    m = data.values_per_unit()
    rows = np.flatnonzero(m >= 1)
    r = m[rows].astype(np.float64)
    counts = data.counts(rows)
    q, n_coders = data.n_categories, data.n_coders
    pair = r >= 2
    if pair_agreement is None:
        agree = np.zeros(len(rows))
        within = np.einsum("uk,kl,ul->u", counts, w, counts)
        agree[pair] = (within[pair] - r[pair]) / (r[pair] * (r[pair] - 1.0))
    else:
        agree = pair_agreement[rows]
    layout = _layout(q, n_coders)
    table = np.zeros((len(rows), 5 + q * (n_coders + 1)))
    table[:, layout["pair"]] = pair[:, None]
    table[:, layout["agree"]] = (agree * pair)[:, None]
    table[:, layout["values"]] = (r * pair)[:, None]
    table[:, layout["agree_values"]] = (r * agree * pair)[:, None]
    table[:, layout["rated"]] = 1.0
    table[:, layout["share"]] = counts / r[:, None]
    for g in range(n_coders):
        codes = data.codes[g, rows]
        given = np.flatnonzero(codes >= 0)
        block = np.zeros((len(rows), q))
        block[given, codes[given]] = 1.0
        table[:, layout[f"coder{g}"]] = block
    return table, layout, rows


def _fleiss(w: np.ndarray, q: int) -> Components:
    def components(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        pi = s["share"] / s["rated"]
        return s["agree"][:, 0] / s["pair"][:, 0], np.einsum("bk,kl,bl->b", pi, w, pi)

    return components


def _gwet(w: np.ndarray, q: int) -> Components:
    def components(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        pi = s["share"] / s["rated"]
        p_a = s["agree"][:, 0] / s["pair"][:, 0]
        if q < 2:
            return p_a, np.ones_like(p_a)
        return p_a, w.sum() * (pi * (1.0 - pi)).sum(axis=1) / (q * (q - 1.0))

    return components


def _bennett(w: np.ndarray, q: int) -> Components:
    def components(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        p_a = s["agree"][:, 0] / s["pair"][:, 0]
        return p_a, np.full_like(p_a, w.sum() / q**2)

    return components


def _coder_shares(s: dict[str, np.ndarray], n_coders: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each coder's share of every category over the units that coder rated."""
    out = []
    for g in range(n_coders):
        block = s[f"coder{g}"]
        total = block.sum(axis=1)
        present = total > 0
        out.append((block / np.where(present, total, 1.0)[:, None], present))
    return out


def _conger(w: np.ndarray, n_coders: int) -> Components:
    def components(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        shares = _coder_shares(s, n_coders)
        present = np.stack([p for _, p in shares], axis=1).astype(np.float64)  # (b, g)
        p = np.stack([share for share, _ in shares], axis=1)  # (b, g, q), zero if absent
        r = present.sum(axis=1)
        total = p.sum(axis=1)
        own = np.einsum("bgk,kl,bgl->b", p, w, p)
        pairs = np.einsum("bk,kl,bl->b", total, w, total) - own
        with np.errstate(divide="ignore", invalid="ignore"):
            p_e = np.where(r >= 2, pairs / (r * (r - 1.0)), np.nan)
        return s["agree"][:, 0] / s["pair"][:, 0], p_e

    return components


def _cohen(w: np.ndarray) -> Components:
    def components(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        (p_a, _), (p_b, _) = _coder_shares(s, 2)
        return s["agree"][:, 0] / s["pair"][:, 0], np.einsum("bk,kl,bl->b", p_a, w, p_b)

    return components


def _value(p_a: np.ndarray, p_e: np.ndarray) -> np.ndarray:
    undefined = 1.0 - p_e <= _TOLERANCE
    return np.where(undefined, np.nan, (p_a - p_e) / np.where(undefined, 1.0, 1.0 - p_e))


def _select_pair(data: ReliabilityData, coders: Sequence[Hashable] | None) -> ReliabilityData:
    if coders is None:
        if data.n_coders != 2:
            raise AgreementError(
                f"Cohen's kappa compares two coders, but the data has {data.n_coders}; "
                "name the two coders to compare."
            )
        return data
    if len(coders) != 2:
        raise AgreementError("Cohen's kappa compares exactly two coders.")
    index = {c: i for i, c in enumerate(data.coders)}
    rows = []
    for c in coders:
        if c not in index:
            raise AgreementError(f"The coder {c!r} coded none of these units.")
        rows.append(index[c])
    return ReliabilityData(tuple(coders), data.categories, data.codes[rows])


def _prepare(
    name: str, data: ReliabilityData, weights: Weights
) -> tuple[UnitStatistic, np.ndarray, Components, dict[str, slice]]:
    q = data.n_categories
    w = agreement_weights(weights, q, symmetric=name != "cohen_kappa", values=data.categories)
    pair_agreement = None
    if name == "cohen_kappa":
        a, b = data.codes
        both = (a >= 0) & (b >= 0)
        pair_agreement = np.zeros(data.n_units)
        pair_agreement[both] = w[a[both], b[both]]
    table, layout, rows = _unit_table(data, w, pair_agreement)
    if table[:, layout["pair"]].sum() == 0:
        raise AgreementError(
            "No unit has values from two or more coders; agreement cannot be measured."
        )
    makers: dict[str, Callable[[], Components]] = {
        "fleiss_kappa": lambda: _fleiss(w, q),
        "gwet_ac1": lambda: _gwet(w, q),
        "gwet_ac2": lambda: _gwet(w, q),
        "bennett_s": lambda: _bennett(w, q),
        "scott_pi": lambda: _fleiss(w, q),
        "conger_kappa": lambda: _conger(w, data.n_coders),
        "cohen_kappa": lambda: _cohen(w),
    }
    components = makers[name]()

    def finish(sums: np.ndarray) -> np.ndarray:
        return _value(*components({k: sums[:, sl] for k, sl in layout.items()}))

    return UnitStatistic(table, finish), rows, components, layout


def kappa_statistic(
    name: str,
    units: Units,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    coders: Sequence[Hashable] | None = None,
) -> tuple[UnitStatistic, np.ndarray]:
    """The coefficient ``name`` as a function of per-unit sums (for the bootstrap)."""
    data = reliability_data(units, categories)
    if name == "cohen_kappa":
        data = _select_pair(data, coders)
    statistic, rows, _, _ = _prepare(name, data, weights)
    return statistic, rows


def _result(name: str, data: ReliabilityData, weights: Weights) -> AgreementResult:
    statistic, _, components, layout = _prepare(name, data, weights)
    sums = statistic.table.sum(axis=0)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_a, p_e = components({k: sums[:, sl] for k, sl in layout.items()})
    value = float(_value(p_a, p_e)[0])
    return AgreementResult(
        coefficient=name,
        value=value,
        observed=float(p_a[0]),
        expected=float(p_e[0]),
        n_units=int(sums[0, layout["rated"]][0]),
        n_pairable_units=int(sums[0, layout["pair"]][0]),
        n_pairable_values=int(round(sums[0, layout["values"]][0])),
        n_coders=data.n_coders,
        categories=data.categories,
        weights=weights_name(weights),
        note=NO_VARIATION if np.isnan(value) else None,
    )


def cohen_kappa(
    units: Units,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    *,
    coders: Sequence[Hashable] | None = None,
) -> AgreementResult:
    """Cohen's kappa (1960), weighted (1968) with ``weights``, for two coders.

    ``p_e = sum_kl w_kl p_Ak p_Bl``, each coder's shares taken over the units that coder
    rated; p_a over the units both rated (Gwet, 2014, missing ratings). A weights matrix
    may be asymmetric (rows: first coder). ``coders`` picks two coders from more.
    """
    data = _select_pair(reliability_data(units, categories), coders)
    return _result("cohen_kappa", data, weights)


def scott_pi(
    units: Units, weights: Weights = None, categories: Sequence[Any] | None = None
) -> AgreementResult:
    """Scott's pi (1955), weighted, with missing ratings as Gwet (2014) computes it.

    ``p_e = sum_kl w_kl pi_k pi_l`` with ``pi_k = (1/n) sum_u r_uk / r_u`` over the n units
    with a value: Gwet's Example 3.2 (0.7673). For more than two coders this is Fleiss'
    kappa, its generalisation (Fleiss, 1971; Gwet, 2014, ch. 2).
    """
    return _result("scott_pi", reliability_data(units, categories), weights)


def fleiss_kappa(
    units: Units,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    *,
    category: Any = None,
) -> AgreementResult:
    """Fleiss' kappa (1971) for two or more coders, any number of values per unit.

    ``pi_k`` is the mean over units with a value of ``r_uk / r_u`` (Gwet, 2014).

    With ``category`` c: Fleiss' (1971, eq. 17) category-specific kappa_j,
    ``1 - sum_u r_uc (r_u - r_uc) / (r_u (r_u - 1)) / (n2 p_c (1 - p_c))`` with the pooled
    share p_c of c. It is Fleiss' kappa on the data dichotomised into c versus any other
    value (not Cohen's kappa on a dichotomised table); ``categories`` of the result are
    ``(c, "other")``. No weights with a category.
    """
    data = reliability_data(units, categories)
    if category is not None:
        if weights is not None:
            raise AgreementError("A category-specific kappa takes no weights.")
        data = dichotomise(data, category)
    return _result("fleiss_kappa", data, weights)


def conger_kappa(
    units: Units, categories: Sequence[Any] | None = None, weights: Weights = None
) -> AgreementResult:
    """Conger's (1980) kappa for two or more coders: Fleiss' observed agreement; chance
    agreement the mean of the pairwise Cohen chance agreements, each coder's shares over
    the units that coder rated (Gwet, 2014, ch. 2, missing ratings). Equals Cohen's kappa
    with two coders and complete data.
    """
    data = reliability_data(units, categories)
    if int(((data.codes >= 0).any(axis=1)).sum()) < 2:
        raise AgreementError("Conger's kappa needs values from two or more coders.")
    return _result("conger_kappa", data, weights)


def gwet_ac1(units: Units, categories: Sequence[Any] | None = None) -> AgreementResult:
    """Gwet's AC1 (Gwet, 2008): ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)``."""
    return _result("gwet_ac1", reliability_data(units, categories), None)


def gwet_ac2(
    units: Units, weights: Weights, categories: Sequence[Any] | None = None
) -> AgreementResult:
    """Gwet's AC2 (Gwet, 2014): ``p_e = T_w sum_k pi_k (1 - pi_k) / (q (q - 1))``."""
    return _result("gwet_ac2", reliability_data(units, categories), weights)


def bennett_s(
    units: Units, weights: Weights = None, categories: Sequence[Any] | None = None
) -> AgreementResult:
    """Bennett et al.'s S (1954) / Brennan & Prediger (1981): ``p_e = T_w / q**2``."""
    return _result("bennett_s", reliability_data(units, categories), weights)
