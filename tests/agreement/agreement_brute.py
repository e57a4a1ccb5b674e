"""Loop-based transcriptions of the published formulas, in exact rational arithmetic.

These are deliberately naive: one Python loop per unit and per pair of values, following
the text of Krippendorff (2011) and Gwet (2014) term by term, so that the vectorised code
in app.agreement is checked against an independent reading of the same definitions.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations


def present(unit):
    return [v for v in unit.values() if v is not None]


def alpha(units, level="nominal", categories=None, weights=None):
    """Krippendorff (2011), section E: coincidences, then D_o and D_e by double sums."""
    cats = (
        sorted({v for u in units for v in present(u)}) if categories is None else list(categories)
    )
    o = {(c, k): Fraction(0) for c in cats for k in cats}
    for unit in units:
        values = present(unit)
        m = len(values)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            o[values[i], values[j]] += Fraction(1, m - 1)
    n_c = {c: sum(o[c, k] for k in cats) for c in cats}
    n = sum(n_c.values())

    def delta(c, k):
        if weights is not None:
            return 1 - Fraction(weights[cats.index(c)][cats.index(k)]).limit_denominator(10**12)
        if level == "nominal":
            return Fraction(0 if c == k else 1)
        if level == "ordinal":
            lo, hi = sorted((cats.index(c), cats.index(k)))
            between = sum(n_c[cats[g]] for g in range(lo, hi + 1))
            return (between - (n_c[c] + n_c[k]) / 2) ** 2
        if level == "interval":
            return Fraction(c - k) ** 2
        if level == "ratio":
            return Fraction(0) if c + k == 0 else (Fraction(c - k) / Fraction(c + k)) ** 2
        raise ValueError(level)

    d_o = sum(o[c, k] * delta(c, k) for c in cats for k in cats) / n
    d_e = sum(n_c[c] * n_c[k] * delta(c, k) for c in cats for k in cats) / (n * (n - 1))
    return 1 - d_o / d_e, d_o, d_e, n


def _weights(cats, weights):
    """Gwet (2014, ch. 3): numeric categories at their values, others at their ranks."""
    q = len(cats)
    if weights is None:
        return [[Fraction(int(i == j)) for j in range(q)] for i in range(q)]
    numeric = all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cats)
    x = [Fraction(c) for c in cats] if numeric else [Fraction(i) for i in range(q)]
    span = max(x) - min(x)
    if weights == "linear":
        return [[1 - abs(a - b) / span for b in x] for a in x]
    if weights == "quadratic":
        return [[1 - (a - b) ** 2 / span**2 for b in x] for a in x]
    return [[Fraction(x).limit_denominator(10**12) for x in row] for row in weights]


def kappa_family(units, coefficient, weights=None, categories=None):
    """Gwet (2014) with missing ratings: p_a over units with >= 2 values, p_e from all."""
    cats = (
        sorted({v for u in units for v in present(u)}) if categories is None else list(categories)
    )
    q = len(cats)
    w = _weights(cats, weights)
    coders = []
    for unit in units:
        for c in unit:
            if c not in coders:
                coders.append(c)
    agree, n_pair = Fraction(0), 0
    for unit in units:
        values = present(unit)
        r = len(values)
        if r < 2:
            continue
        n_pair += 1
        pairs = Fraction(0)
        for i, j in permutations(range(r), 2):
            pairs += w[cats.index(values[i])][cats.index(values[j])]
        agree += pairs / (r * (r - 1))
    p_a = agree / n_pair
    rated = [u for u in units if present(u)]
    pi = [
        sum(Fraction(present(u).count(k), len(present(u))) for u in rated) / len(rated)
        for k in cats
    ]

    def shares(coder):
        given = [u[coder] for u in units if u.get(coder) is not None]
        return [Fraction(given.count(k), len(given)) for k in cats] if given else None

    if coefficient == "fleiss":
        p_e = sum(w[k][j] * pi[k] * pi[j] for k in range(q) for j in range(q))
    elif coefficient == "gwet":
        t_w = sum(sum(row) for row in w)
        p_e = t_w * sum(p * (1 - p) for p in pi) / (q * (q - 1))
    elif coefficient == "bennett":
        p_e = sum(sum(row) for row in w) / Fraction(q * q)
    elif coefficient == "scott":
        # Gwet (2014), Example 3.2 with its errata: pi_k over the units, as for Fleiss.
        p_e = sum(w[k][j] * pi[k] * pi[j] for k in range(q) for j in range(q))
    elif coefficient == "cohen":
        a, b = coders
        both = [u for u in units if u.get(a) is not None and u.get(b) is not None]
        p_a = sum(w[cats.index(u[a])][cats.index(u[b])] for u in both) / len(both)
        sa, sb = shares(a), shares(b)
        p_e = sum(w[k][j] * sa[k] * sb[j] for k in range(q) for j in range(q))
    elif coefficient == "percent":
        return p_a, p_a, None
    else:
        raise ValueError(coefficient)
    return (p_a - p_e) / (1 - p_e), p_a, p_e
