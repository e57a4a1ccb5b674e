"""Loop-based transcriptions of the unitizing coefficients in exact arithmetic.

alpha_U follows Krippendorff (1995; 2004, section 11.6) term by term over *all* pairs of
segments, with the distance conditions as printed (not only overlapping pairs); the
u-alpha family follows Krippendorff et al. (2016) position by position.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations


def segments(units, lo, hi):
    """[(begin, length, is_unit)] for one coder's sorted units on [lo, hi)."""
    out, pos = [], lo
    for b, ln in sorted(units):
        if b > pos:
            out.append((pos, b - pos, False))
        out.append((b, ln, True))
        pos = b + ln
    if pos < hi:
        out.append((pos, hi - pos, False))
    return out


def delta(g, h):
    bg, lg, ug = g
    bh, lh, uh = h
    diff = bg - bh
    if ug and uh and -lg < diff < lh:
        return diff**2 + (bg + lg - bh - lh) ** 2
    if ug and not uh and lh - lg >= diff >= 0:
        return lg**2
    if not ug and uh and lh - lg <= diff <= 0:
        return lh**2
    return 0


def alpha_u_category(spans, lo, length, coders, category):
    hi = lo + length
    m = len(coders)
    seg = {
        c: segments([(b, ln) for cc, b, ln, k in spans if cc == c and k == category], lo, hi)
        for c in coders
    }
    d_o = Fraction(0)
    for i, j in permutations(coders, 2):
        for g in seg[i]:
            for h in seg[j]:
                d_o += delta(g, h)
    d_o /= m * (m - 1) * length**2
    units = [ln for c in coders for b, ln, u in seg[c] if u]
    gaps = [ln for c in coders for b, ln, u in seg[c] if not u]
    n_c = len(units)
    num = Fraction(0)
    for lg in units:
        fit = sum(lh - lg + 1 for lh in gaps if lh >= lg)
        num += Fraction((n_c - 1) * (2 * lg**3 - 3 * lg**2 + lg), 3) + lg**2 * fit
    den = m * length * (m * length - 1) - sum(lg * (lg - 1) for lg in units)
    d_e = Fraction(2, length) * num / den
    return d_o, d_e


def alpha_u(spans, lo, length, coders):
    cats = sorted({k for _, _, _, k in spans})
    parts = {c: alpha_u_category(spans, lo, length, coders, c) for c in cats}
    d_o = sum(p[0] for p in parts.values())
    d_e = sum(p[1] for p in parts.values())
    return 1 - d_o / d_e, {c: 1 - p[0] / p[1] for c, p in parts.items()}, parts


def _value_at(spans, coder, x):
    for c, b, ln, k in spans:
        if c == coder and b <= x < b + ln:
            return k
    return None


def u_family(spans, lo, length, coders, which="u"):
    """u-alpha, |u-alpha ('binary') or cu-alpha by positions and segments."""
    m = len(coders)
    if which == "binary":
        spans = [(c, b, ln, "unit") for c, b, ln, _ in spans]
    values = [None] + sorted({k for _, _, _, k in spans})
    at = {(c, x): _value_at(spans, c, x) for c in coders for x in range(lo, lo + length)}
    obs = {(a, b): Fraction(0) for a in values for b in values}
    for x in range(lo, lo + length):
        for i, j in permutations(coders, 2):
            obs[at[i, x], at[j, x]] += Fraction(1, m - 1)
    s = {v: Fraction(0) for v in values}
    for c in coders:
        for b, ln, unit in segments(
            [(b, ln) for cc, b, ln, _ in spans if cc == c], lo, lo + length
        ):
            if unit:
                value = at[c, b]
                if which == "cu":
                    # the unit's pairable length: per position, the other coders with a
                    # unit there, over m - 1 (with two coders, the intersection's length)
                    ln = sum(
                        Fraction(sum(1 for o in coders if o != c and at[o, x] is not None), m - 1)
                        for x in range(b, b + ln)
                    )
                s[value] += ln**2
            elif which != "cu":
                s[None] += ln
    if which == "cu":
        values = values[1:]
    rows = {a: sum(obs[a, b] for b in values) for a in values}
    total = sum(rows.values())
    s_total = sum(s[v] for v in values)
    e = {
        (a, b): total * (rows[a] * rows[b] - (s[a] if a == b else 0)) / (total**2 - s_total)
        for a in values
        for b in values
    }
    d_o = sum(obs[a, b] for a in values for b in values if a != b)
    d_e = sum(e[a, b] for a in values for b in values if a != b)
    return 1 - d_o / d_e
