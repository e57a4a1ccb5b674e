"""γ (gamma) agreement for units that may overlap and nest (Mathet, Widlöcher & Métivier, 2015).

A continuum gives each coder a set of units ``(start, end, category)``. γ aligns them:
an alignment partitions all units into *unitary alignments*, each holding at most one unit
of every coder (an absent coder contributes the *empty unit*). With n coders and
``C = n (n - 1) / 2`` pairs of coders, the disorder of a unitary alignment is the mean
dissimilarity over its C pairs, a pair with an empty unit costing ``delta_empty``; the
disorder of an alignment is the sum of its unitary alignments' disorders divided by the
mean number of units per coder. The observed disorder is that of the best (least
disordered) alignment; the expected disorder is the mean observed disorder of continua
drawn at random with the same statistics; ``γ = 1 - observed / expected`` (1 when the
observed disorder is 0).

Everything follows ``pygamma-agreement`` 0.5.9, the reference
implementation (Titeux, Riad et al.), with its defaults:

* the combined dissimilarity ``d(u, v) = alpha * d_pos + beta * d_cat`` with
  ``alpha = beta = delta_empty = 1``, ``d_pos = ((|s_u - s_v| + |e_u - e_v|) /
  (l_u + l_v))**2 * delta_empty`` and ``d_cat = [c_u != c_v] * delta_empty``;
  a pair of two empty units also costs ``delta_empty``, as in pygamma;
* the *statistical* sampler (pygamma's ``StatisticalContinuumSampler``, the paper's
  section 5.3): for every coder a number of units drawn from a normal law with the mean
  and standard deviation of the coders' unit counts, each unit placed after the
  previous one's end by a gap drawn from the normal law of the observed gaps (a coder's
  first unit's start and the distances from one unit's end to the next unit's start,
  units sorted by start, end, category; plus a 0), with a length drawn from the normal
  law of the lengths (absolute value) and a category drawn with the observed
  frequencies; 30 samples;
* γ-cat and γ-k (Mathet, 2017, section 4.2.5, as pygamma computes them): the categorical
  dissimilarity of the aligned pairs, each weighted by ``1 / (units in its unitary
  alignment - 1)`` times its positional confidence ``max(0, 1 - alpha * d_pos)``, a unit
  aligned with an empty one adding ``delta_empty**2`` for a weight of ``delta_empty``;
  γ-k keeps the pairs where one unit has category k.

Identical units of one coder (same start, end and category) count once, as in pygamma.
The sampling is seeded (``seed``): the same data and seed give the same γ; pygamma draws
from NumPy's global generator, so the two agree within the sampling error of the
expected disorder (a few hundredths of γ with 30 samples), and exactly on the observed
disorder where both find the best alignment.

**The best alignment.** pygamma enumerates every candidate unitary alignment (the product
of the coders' unit counts plus one) and solves the set partition as a mixed-integer
program with a MIP solver (cvxpy with CBC or GLPK). Loupe ships no solver; it computes:

* two coders: the exact best alignment. Aligning u with v instead of leaving both alone
  saves ``2 delta_empty - d(u, v)``, so the best alignment is a maximum-weight matching
  (the Hungarian method, :mod:`app.agreement.assignment`);
* three or more coders (the problem is NP-hard in general), group by group (below):
  a group with at most one unit of each coder (up to six coders) takes the best of all
  partitions of its units, all such groups at once in NumPy; a larger group is solved
  exactly by a search over its candidate unitary alignments (those whose every unit
  would not gain by leaving, the paper's section 5.1.1) memoised on the units still to
  align, when it has at most 20,000 candidates and the search at most 200,000 states;
  past that budget, by coordinate descent over coders, each step exact: coders are added
  one at a time, each coder's units matched to the unitary alignments built so far by a
  maximum-weight matching whose weight is the disorder saved by the join; then, in turn,
  each coder's units are taken out and re-matched optimally to the rest, until a whole
  round saves nothing. That disorder never rises and is at least the minimum (so γ is
  at most the exact one). On the tests' continua the observed disorder equals pygamma's
  exact optimum.

The continuum is first cut into independent groups: in a best alignment no unit gains by
leaving its unitary alignment (of k units), so ``sum_v d(u, v) <= (k - 1 + C)
delta_empty`` over its other units v, and any two units aligned together are closer than
``(n - 1 + C) delta_empty``, hence than a positional bound. The groups are the connected
components of the pairs of units of different coders within that bound, and every group
is aligned on its own.

Sources: Y. Mathet, A. Widlöcher, J.-P. Métivier, "The Unified and Holistic Method Gamma
(γ) for Inter-Annotator Agreement Measure and Alignment", Computational Linguistics 41(3)
(2015) 437-479; Y. Mathet, "The Agreement Measure γcat a Complement to γ Focused on
Categorization of a Continuum", Computational Linguistics 43(3) (2017) 661-681;
H. Titeux, R. Riad, "pygamma-agreement: Gamma γ measure for inter/intra-annotator
agreement in Python", JOSS 6(62) (2021) 2989.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.agreement.assignment import maximum_weight_matching
from app.agreement.errors import AgreementError
from app.agreement.gamma_two import align_two_coders, components

#: pygamma-agreement's default number of sampled continua for the expected disorder.
DEFAULT_SAMPLES = 30
#: pyannote's segment precision: a sampled unit shorter than this is drawn again.
_MIN_LENGTH = 1e-6
#: Groups of three or more coders are aligned exactly when they have at most this many
#: candidate unitary alignments and the search visits at most this many states.
_EXACT_TUPLES = 20_000
_EXACT_STATES = 200_000


class _TooLarge(Exception):
    """The exact search of a group went past its budget."""


@dataclass(frozen=True)
class GammaResult:
    """γ with its parts; ``gamma_cat`` and ``gamma_k`` (per category) are None where undefined."""

    gamma: float
    observed_disorder: float
    expected_disorder: float
    gamma_cat: float | None
    gamma_k: dict[Hashable, float | None] = field(compare=False)
    n_coders: int
    n_units: int
    n_samples: int
    seed: int
    unitary_alignments: int
    method: str


@dataclass(frozen=True)
class _Continuum:
    """Units as arrays: start, end, category code and coder index, sorted by coder then unit."""

    start: np.ndarray
    end: np.ndarray
    category: np.ndarray
    coder: np.ndarray
    n_coders: int


@dataclass(frozen=True)
class _Alignment:
    """The unitary alignment of each unit (numbered from 0), and the alignment's disorder."""

    cluster: np.ndarray
    disorder: float


@dataclass(frozen=True)
class _Settings:
    alpha: float
    beta: float
    delta_empty: float


def gamma_agreement(
    continuum: Mapping[Any, Iterable[tuple[float, float, Any]]],
    *,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    alpha: float = 1.0,
    beta: float = 1.0,
    delta_empty: float = 1.0,
) -> GammaResult:
    """γ, γ-cat and γ-k of a continuum: ``{coder: [(start, end, category), ...]}``.

    Every coder listed counts, also one without units (an empty list). Raises
    :class:`AgreementError` with fewer than two coders or no unit at all.
    """
    if len(continuum) < 2:
        raise AgreementError("Gamma needs at least two coders.")
    if n_samples < 1:
        raise AgreementError("Gamma needs at least one sampled continuum.")
    if alpha < 0 or beta < 0 or delta_empty <= 0:
        raise AgreementError("Gamma needs alpha and beta of at least 0 and a positive delta_empty.")
    settings = _Settings(float(alpha), float(beta), float(delta_empty))
    categories: list[Hashable] = sorted(
        {c for units in continuum.values() for _, _, c in units}, key=repr
    )
    code = {c: i for i, c in enumerate(categories)}
    starts: list[float] = []
    ends: list[float] = []
    cats: list[int] = []
    owners: list[int] = []
    for index, units in enumerate(continuum.values()):
        seen = sorted({(float(s), float(e), code[c]) for s, e, c in units})
        for s, e, c in seen:
            if not e > s:
                raise AgreementError("Gamma needs every unit to end after it starts.")
            starts.append(s)
            ends.append(e)
            cats.append(c)
            owners.append(index)
    if not starts:
        raise AgreementError("Gamma needs at least one unit.")
    observed = _Continuum(
        np.asarray(starts), np.asarray(ends), np.asarray(cats, dtype=np.int64),
        np.asarray(owners, dtype=np.int64), len(continuum),
    )
    best = best_alignment(observed, settings)
    rng = np.random.default_rng(seed)
    sampler = _Sampler(observed, len(categories))
    samples = [sampler.sample(rng) for _ in range(n_samples)]
    chance = best_alignments(samples, settings)
    expected = float(np.mean([a.disorder for a in chance]))
    gamma = 1.0 if best.disorder == 0 else 1.0 - best.disorder / expected

    seen_pairs = _aligned_pairs(observed, best)
    chance_pairs = [_aligned_pairs(x, a) for x, a in zip(samples, chance, strict=True)]

    def gamma_of(category: int | None) -> float | None:
        seen = _categorical_disorder(observed, seen_pairs, settings, category)
        if seen == 0:
            return 1.0
        wanted = [
            _categorical_disorder(sample, p, settings, category)
            for sample, p in zip(samples, chance_pairs, strict=True)
        ]
        mean = float(np.mean(wanted))
        if mean == 0:
            return 0.0 if category is None else None
        return 1.0 - seen / mean

    n = len(continuum)
    method = (
        "exact best alignment (maximum-weight matching)" if n == 2
        else "best alignment by coordinate descent over coders (exact matchings per step)"
    )
    return GammaResult(
        gamma=gamma,
        observed_disorder=best.disorder,
        expected_disorder=expected,
        gamma_cat=gamma_of(None),
        gamma_k={c: gamma_of(i) for i, c in enumerate(categories)},
        n_coders=n,
        n_units=len(starts),
        n_samples=n_samples,
        seed=seed,
        unitary_alignments=int(best.cluster.max()) + 1,
        method=method,
    )


# --- the best alignment ---------------------------------------------------------------


def _dissimilarity(c: _Continuum, i: np.ndarray, j: np.ndarray, s: _Settings) -> np.ndarray:
    """``d(u_i, v_j)`` for every i (rows) and j (columns)."""
    si, ei = c.start[i][:, None], c.end[i][:, None]
    sj, ej = c.start[j][None, :], c.end[j][None, :]
    pos = (np.abs(si - sj) + np.abs(ei - ej)) / ((ei - si) + (ej - sj))
    cat = c.category[i][:, None] != c.category[j][None, :]
    return s.delta_empty * (s.alpha * pos * pos + s.beta * cat)


def _groups(c: _Continuum, s: _Settings) -> tuple[np.ndarray, np.ndarray]:
    """Units sorted by start, and the group of each: no unitary alignment worth having
    straddles two groups."""
    order = np.lexsort((c.end, c.start))
    n_units = len(order)
    if n_units == 1 or s.alpha == 0:
        return order, np.zeros(n_units, dtype=np.int64)
    pairs = c.n_coders * (c.n_coders - 1) / 2
    # A join needs d(u, v) < (n - 1 + C) delta_empty, so alpha * pos**2 < n - 1 + C.
    reach = float(np.sqrt((c.n_coders - 1 + pairs) / s.alpha))
    start, end = c.start[order], c.end[order]
    length = end - start
    longest = float(length.max())
    # Candidates of unit k: units with a start in [start_k, start_k + reach (len_k + longest)).
    bound = np.searchsorted(start, start + reach * (length + longest), side="left")
    last = np.arange(n_units)
    counts = bound - last - 1
    if counts.sum() > 0:
        first = np.repeat(last, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        second = first + 1 + offsets
        pos = (np.abs(start[first] - start[second]) + np.abs(end[first] - end[second])) / (
            length[first] + length[second]
        )
        linked = (pos < reach) & (c.coder[order][first] != c.coder[order][second])
        a, b = first[linked], second[linked]
    else:
        a = b = np.zeros(0, dtype=np.int64)
    label = components(n_units, a, b)
    regroup = np.argsort(label, kind="stable")
    order, label = order[regroup], label[regroup]
    return order, label


def _align_group(
    c: _Continuum, units: np.ndarray, s: _Settings
) -> tuple[list[np.ndarray], float]:
    """The unitary alignments of one group (as positions in ``units``) and their disorder."""
    delta = s.delta_empty
    pairs = c.n_coders * (c.n_coders - 1) / 2
    if len(units) == 1:
        return [np.zeros(1, dtype=np.int64)], delta
    d = _dissimilarity(c, units, units, s)
    owner = c.coder[units]
    coders = [int(k) for k in np.unique(owner)]
    if len(coders) == 1:
        return [np.array([k]) for k in range(len(units))], delta * len(units)
    by_coder = {k: np.flatnonzero(owner == k) for k in coders}
    if len(coders) > 2:
        exact = _exact_group(d, [by_coder[k] for k in coders], pairs, delta)
        if exact is not None:
            return exact
    return _descend(d, [by_coder[k] for k in coders], pairs, delta)


def _descend(
    d: np.ndarray, units_of: list[np.ndarray], pairs: float, delta: float
) -> tuple[list[np.ndarray], float]:
    """Coordinate descent over coders (see the module docstring), from each rotation of
    the coders' order; the least disordered result is kept. ``units_of``: each coder's
    units (rows of ``d``)."""
    n_units = d.shape[0]
    assign = np.full(n_units, -1, dtype=np.int64)

    def place(mine: np.ndarray) -> None:
        taken = np.flatnonzero(assign >= 0)
        fresh = int(assign.max()) + 1
        assign[mine] = np.arange(fresh, fresh + len(mine))
        if len(taken) == 0:
            return
        taken = taken[np.argsort(assign[taken], kind="stable")]
        ids, first, size = np.unique(assign[taken], return_index=True, return_counts=True)
        # Joining u to a cluster changes its disorder by (sum d(u, .) - |C| delta) / C,
        # against delta for u alone.
        sums = np.add.reduceat(d[np.ix_(mine, taken)], first, axis=1)
        weight = delta - (sums - size[None, :] * delta) / pairs
        for row, col in _matching(weight):
            assign[mine[row]] = ids[col]

    def total() -> float:
        inner = float(d[assign[:, None] == assign[None, :]].sum()) / 2
        k = np.unique(assign, return_counts=True)[1]
        return (inner + float((pairs - k * (k - 1) / 2).sum()) * delta) / pairs

    found: tuple[float, np.ndarray] | None = None
    n_coders = len(units_of)
    for turn in range(n_coders if n_coders > 2 else 1):
        sequence = units_of[turn:] + units_of[:turn]
        assign[:] = -1
        for mine in sequence:
            place(mine)
        current = total()
        for _ in range(20 if n_coders > 2 else 0):
            for mine in sequence:
                assign[mine] = -1
                place(mine)
            after = total()
            improved = after < current - 1e-12
            current = after
            if not improved:
                break
        if found is None or current < found[0] - 1e-12:
            found = (current, assign.copy())
    assert found is not None
    best = found[1]
    order = np.argsort(best, kind="stable")
    cuts = np.flatnonzero(np.diff(best[order])) + 1
    return [part.astype(np.int64) for part in np.split(order, cuts)], found[0]


def _exact_group(
    d: np.ndarray, units_of: list[np.ndarray], pairs: float, delta: float
) -> tuple[list[np.ndarray], float] | None:
    """The exact best alignment of a small group, or None when the group is too large.

    Candidate unitary alignments are those costing less than their units left alone
    (the paper's section 5.1.1: any other can be split without raising the disorder);
    the partition of least total disorder is found by a search memoised on the units
    still to align, always branching on the first of them (abandoned past a budget).
    """
    n_units = d.shape[0]
    sizes = [len(u) + 1 for u in units_of]
    if int(np.prod(sizes)) > _EXACT_TUPLES:
        return None
    grids = np.meshgrid(*[np.append(u, -1) for u in units_of], indexing="ij")
    tuples = np.stack([g.ravel() for g in grids], axis=1)
    real = tuples >= 0
    count = real.sum(axis=1)
    tuples, real, count = tuples[count > 0], real[count > 0], count[count > 0]
    safe = np.where(real, tuples, 0)
    n = tuples.shape[1]
    row_sum = np.zeros((len(tuples), n))
    for a in range(n):
        for b in range(a):
            value = np.where(real[:, a] & real[:, b], d[safe[:, a], safe[:, b]], 0.0)
            row_sum[:, a] += value
            row_sum[:, b] += value
    inner = row_sum.sum(axis=1) / 2
    cost = (inner + (pairs - count * (count - 1) / 2) * delta) / pairs
    # In a best alignment no unit gains by leaving its unitary alignment for one of its
    # own: sum_v d(u, v) <= (k - 1 + C) delta for each of its k units.
    stays = (~real | (row_sum <= ((count - 1 + pairs) * delta)[:, None] + 1e-12)).all(axis=1)
    keep = (count == 1) | (stays & (cost < count * delta - 1e-12))
    tuples, real, cost = tuples[keep], real[keep], cost[keep]
    if n_units <= 62:
        bits = np.where(real, np.left_shift(np.int64(1), safe[keep]), 0).sum(axis=1)
        masks = bits.tolist()
    else:
        masks = [sum(1 << int(u) for u in row[row >= 0]) for row in tuples]
    # Each unit's candidates, cheapest first (good alignments are found early).
    order = np.argsort(cost, kind="stable")
    rows, cols = np.nonzero(real[order])
    unit = tuples[order][rows, cols]
    grouped = np.argsort(unit, kind="stable")
    split = np.searchsorted(unit[grouped], np.arange(1, n_units))
    by_unit = [part.tolist() for part in np.split(order[rows[grouped]], split)]
    full = (1 << n_units) - 1
    memo: dict[int, tuple[float, int]] = {}

    def solve(done: int) -> float:
        if done == full:
            return 0.0
        if done in memo:
            return memo[done][0]
        if len(memo) >= _EXACT_STATES:
            raise _TooLarge
        rest = ~done & full
        first = (rest & -rest).bit_length() - 1
        best, choice = np.inf, -1
        for index in by_unit[first]:
            if masks[index] & done:
                continue
            value = float(cost[index]) + solve(done | masks[index])
            if value < best:
                best, choice = value, index
        memo[done] = (best, choice)
        return best

    try:
        total = solve(0)
    except _TooLarge:
        return None
    groups = []
    done = 0
    while done != full:
        index = memo[done][1]
        groups.append(tuples[index][real[index]].astype(np.int64))
        done |= masks[index]
    return groups, total


def _matching(weight: np.ndarray) -> list[tuple[int, int]]:
    """Maximum-weight matching over positive weights; trivial when no row or column competes."""
    positive = weight > 1e-12
    if not positive.any():
        return []
    if (positive.sum(axis=0) <= 1).all() and (positive.sum(axis=1) <= 1).all():
        rows, cols = np.nonzero(positive)
        return list(zip(rows.tolist(), cols.tolist(), strict=True))
    # The matching splits along the connected components of the positive weights.
    n_rows = weight.shape[0]
    edge_rows, edge_cols = np.nonzero(positive)
    part = components(n_rows + weight.shape[1], edge_rows, n_rows + edge_cols)
    pairs: list[tuple[int, int]] = []
    for component in np.unique(part[edge_rows]).tolist():
        rows = np.flatnonzero(part[:n_rows] == component)
        cols = np.flatnonzero(part[n_rows:] == component)
        if len(rows) == 1 and len(cols) == 1:
            pairs.append((int(rows[0]), int(cols[0])))
            continue
        sub = np.where(positive[np.ix_(rows, cols)], weight[np.ix_(rows, cols)], 0.0)
        pairs.extend((int(rows[i]), int(cols[j])) for i, j in maximum_weight_matching(sub))
    return pairs


def _partitions(n: int) -> list[list[list[int]]]:
    """Every partition of ``range(n)`` into blocks."""
    if n == 0:
        return [[]]
    result = []
    for rest in _partitions(n - 1):
        for i in range(len(rest)):
            result.append(rest[:i] + [[*rest[i], n - 1]] + rest[i + 1 :])
        result.append([*rest, [n - 1]])
    return result


def _align_simple(
    c: _Continuum, slots: np.ndarray, s: _Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Exact best alignments of groups holding at most one unit of each coder, at once.

    ``slots`` is ``(groups, coders)``: each group's unit of each coder, or -1. Every
    partition of the coders is tried on every group. Returns each group's chosen block
    per coder and each group's disorder.
    """
    n = c.n_coders
    delta = s.delta_empty
    pairs = n * (n - 1) / 2
    real = slots >= 0
    safe = np.where(real, slots, 0)
    d = np.zeros((len(slots), n, n))
    for a in range(n):
        for b in range(a):
            both = real[:, a] & real[:, b]
            value = _dissimilarity_pairs(c, safe[:, a], safe[:, b], s)
            d[:, a, b] = d[:, b, a] = np.where(both, value, 0.0)
    options = _partitions(n)
    costs = np.zeros((len(slots), len(options)))
    for index, blocks in enumerate(options):
        for block in blocks:
            k = real[:, block].sum(axis=1)
            inner = d[:, block][:, :, block].sum(axis=(1, 2)) / 2
            costs[:, index] += np.where(k > 0, (inner + (pairs - k * (k - 1) / 2) * delta) / pairs, 0.0)
    choice = costs.argmin(axis=1)
    block_of = np.zeros((len(options), n), dtype=np.int64)
    for index, blocks in enumerate(options):
        for b, block in enumerate(blocks):
            block_of[index, block] = b
    return block_of[choice], costs[np.arange(len(slots)), choice]


def _dissimilarity_pairs(c: _Continuum, i: np.ndarray, j: np.ndarray, s: _Settings) -> np.ndarray:
    """``d(u_i, v_i)`` for each i."""
    pos = (np.abs(c.start[i] - c.start[j]) + np.abs(c.end[i] - c.end[j])) / (
        (c.end[i] - c.start[i]) + (c.end[j] - c.start[j])
    )
    return s.delta_empty * (s.alpha * pos * pos + s.beta * (c.category[i] != c.category[j]))


def best_alignment(c: _Continuum, s: _Settings) -> _Alignment:
    """The best alignment found (exact for two coders and for small groups) and its disorder.

    Groups of one unit, and groups with at most one unit of each coder (up to six
    coders), are aligned at once in NumPy; the others one by one.
    """
    return best_alignments([c], s)[0]


def best_alignments(continua: Sequence[_Continuum], s: _Settings) -> list[_Alignment]:
    """:func:`best_alignment` of each continuum (of as many coders), all aligned in one
    pass: their groups are numbered one after the other, no group spans two continua,
    and each alignment and disorder is the one its continuum gives alone (its groups'
    costs added in the same order)."""
    n = continua[0].n_coders
    grouped = [_groups(x, s) for x in continua]
    sizes = [len(x.start) for x in continua]
    unit_base = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    group_counts = [int(label[-1]) + 1 for _, label in grouped]
    group_base = np.concatenate([[0], np.cumsum(group_counts)]).astype(np.int64)
    joined = lambda name: np.concatenate([getattr(x, name) for x in continua])  # noqa: E731
    c = _Continuum(joined("start"), joined("end"), joined("category"), joined("coder"), n)
    order = np.concatenate([o + unit_base[k] for k, (o, _) in enumerate(grouped)])
    label = np.concatenate([g + group_base[k] for k, (_, g) in enumerate(grouped)])
    n_units = len(c.start)
    n_groups = int(group_base[-1])
    size = np.bincount(label, minlength=n_groups)
    coder = c.coder[order]
    per_coder = np.zeros((n_groups, n), dtype=np.int64)
    np.add.at(per_coder, (label, coder), 1)
    simple = (per_coder.max(axis=1) <= 1) & (n <= 6)
    cluster = np.full(n_units, -1, dtype=np.int64)
    disorder = [0.0] * len(continua)
    # Groups with at most one unit per coder (a single unit among them).
    in_simple = simple[label]
    if in_simple.any():
        ids = np.flatnonzero(simple)
        row = np.full(n_groups, -1, dtype=np.int64)
        row[ids] = np.arange(len(ids))
        slots = np.full((len(ids), n), -1, dtype=np.int64)
        slots[row[label[in_simple]], coder[in_simple]] = order[in_simple]
        block, costs = _align_simple(c, slots, s)
        first = np.searchsorted(ids, group_base)
        for k in range(len(continua)):
            if first[k + 1] > first[k]:
                disorder[k] += float(costs[first[k] : first[k + 1]].sum())
        cluster[order[in_simple]] = (
            row[label[in_simple]] * n + block[row[label[in_simple]], coder[in_simple]]
        )
    part = np.repeat(np.arange(len(continua)), group_counts).tolist()
    next_id = n_groups * n
    if n == 2 and not simple.all():  # every group matched at once (same alignment)
        rest = ~in_simple
        two = align_two_coders(
            c.start[order[rest]], c.end[order[rest]], c.category[order[rest]], coder[rest] == 0,
            label[rest], n_groups, s.alpha, s.beta, s.delta_empty,
        )
        for g, group_cost in zip(np.flatnonzero(~simple).tolist(), two.disorder[~simple].tolist(), strict=True):
            disorder[part[g]] += group_cost
        cluster[order[rest]] = next_id + two.key
        simple[:] = True
    starts = np.concatenate([[0], np.cumsum(size)])
    for g in np.flatnonzero(~simple).tolist():
        units = order[starts[g] : starts[g + 1]]
        local, group_cost = _align_group(c, units, s)
        for members in local:
            cluster[units[members]] = next_id
            next_id += 1
        disorder[part[g]] += group_cost
    out = []
    for k in range(len(continua)):
        _, mine = np.unique(cluster[unit_base[k] : unit_base[k + 1]], return_inverse=True)
        out.append(_Alignment(mine.astype(np.int64), disorder[k] / (sizes[k] / n)))
    return out


# --- the expected disorder -------------------------------------------------------------


class _Sampler:
    """pygamma's statistical sampler: normal laws of unit counts, gaps and lengths."""

    def __init__(self, c: _Continuum, n_categories: int) -> None:
        counts = np.bincount(c.coder, minlength=c.n_coders)
        self.n_coders = c.n_coders
        self.count = (float(counts.mean()), float(counts.std()))
        gaps = [0.0]
        for k in range(c.n_coders):
            mine = np.flatnonzero(c.coder == k)  # already sorted by start, end, category
            if len(mine) == 0:
                continue
            gaps.extend((c.start[mine[1:]] - c.end[mine[:-1]]).tolist())
            if c.start[mine[0]] > 0:
                gaps.append(float(c.start[mine[0]]))
        self.gap = (float(np.mean(gaps)), float(np.std(gaps)))
        lengths = c.end - c.start
        self.length = (float(lengths.mean()), float(lengths.std()))
        self.weights = np.bincount(c.category, minlength=n_categories) / len(c.category)

    def sample(self, rng: np.random.Generator) -> _Continuum:
        starts, ends, cats, owners = [], [], [], []
        total = 0
        for k in range(self.n_coders):
            n = abs(int(rng.normal(*self.count)))
            if total == 0:
                n = max(1, n)
            total += n
            gap = rng.normal(*self.gap, size=n)
            length = np.abs(rng.normal(*self.length, size=n))
            short = length < _MIN_LENGTH
            while short.any():
                length[short] = np.abs(rng.normal(*self.length, size=int(short.sum())))
                short = length < _MIN_LENGTH
            end = np.cumsum(gap + length)
            starts.append(end - length)
            ends.append(end)
            cats.append(rng.choice(len(self.weights), size=n, p=self.weights))
            owners.append(np.full(n, k, dtype=np.int64))
        return _Continuum(
            np.concatenate(starts), np.concatenate(ends),
            np.concatenate(cats).astype(np.int64), np.concatenate(owners), self.n_coders,
        )


# --- gamma-cat and gamma-k ------------------------------------------------------------


@dataclass(frozen=True)
class _AlignedPairs:
    """The pairs of one alignment that γ-cat and γ-k weigh, as arrays.

    ``lone_unit`` and ``lone_count``: each real unit in a unitary alignment with empty
    units, and how many empty units it is paired with; ``first``, ``second``, ``base``:
    each pair of real units of a unitary alignment and ``1 / (its units - 1)``.
    """

    lone_unit: np.ndarray
    lone_count: np.ndarray
    first: np.ndarray
    second: np.ndarray
    base: np.ndarray


def _aligned_pairs(c: _Continuum, alignment: _Alignment) -> _AlignedPairs:
    order = np.argsort(alignment.cluster, kind="stable")
    size = np.bincount(alignment.cluster)
    first_of = np.cumsum(size) - size
    lone_unit, lone_count, first, second, base = [], [], [], [], []
    for k in np.unique(size).tolist():
        table = order[first_of[size == k][:, None] + np.arange(k)[None, :]]
        if k < c.n_coders:
            lone_unit.append(table.ravel())
            lone_count.append(np.full(table.size, c.n_coders - k))
        if k >= 2:
            i, j = np.triu_indices(k, 1)
            first.append(table[:, i].ravel())
            second.append(table[:, j].ravel())
            base.append(np.full(table.shape[0] * len(i), 1.0 / (k - 1)))

    def join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return _AlignedPairs(
        join(lone_unit, np.int64), join(lone_count, np.float64), join(first, np.int64),
        join(second, np.int64), join(base, np.float64),
    )


def _categorical_disorder(
    c: _Continuum, pairs: _AlignedPairs, s: _Settings, category: int | None
) -> float:
    """pygamma's ``Alignment.gamma_k_disorder``: γ-cat (category None) or γ-k disorder."""
    delta = s.delta_empty
    lone = pairs.lone_count
    a, b, base = pairs.first, pairs.second, pairs.base
    if category is not None:
        lone = lone[c.category[pairs.lone_unit] == category]
        keep = (c.category[a] == category) | (c.category[b] == category)
        a, b, base = a[keep], b[keep], base[keep]
    any_pair = category is None or len(lone) > 0 or len(a) > 0
    if len(a) == 0:
        return 0.0 if any_pair else 1.0
    pos = (np.abs(c.start[a] - c.start[b]) + np.abs(c.end[a] - c.end[b])) / (
        (c.end[a] - c.start[a]) + (c.end[b] - c.start[b])
    )
    weight = base * np.maximum(0.0, 1.0 - s.alpha * pos * pos * delta)
    total_disorder = float(lone.sum()) * delta * delta + float(
        ((c.category[a] != c.category[b]) * delta * weight).sum()
    )
    total_weight = float(lone.sum()) * delta + float(weight.sum())
    return 0.0 if total_disorder == 0 else total_disorder / total_weight
