"""γ agreement (app.agreement.gamma) against pygamma-agreement and exhaustive search.

pygamma-agreement is not a test dependency (it needs cvxpy, cvxopt, numba and a MIP
solver); its values below were computed with pygamma-agreement 0.5.9 (Python 3.11,
NumPy 2.4, GLPK_MI), and ``test_against_installed_pygamma`` repeats the comparison
when it is installed. Tolerances:

* the observed disorder (the best alignment) is deterministic: equal to pygamma's
  within 1e-6 (pygamma computes in float32);
* the expected disorder is a mean over sampled continua: pygamma's values were taken with
  300 samples, ours too (another generator): within 3 % relative, which is about
  three standard errors of the difference; γ and γ-cat within 0.02, γ-k within 0.05
  (γ-k rests on the few pairs of one category);
* pygamma's own test suite (tests/test_gammas.py, 3by100.csv, alpha = 3) publishes
  ranges for 30 samples, which we check with our seed.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from app.agreement import gamma as gamma_module
from app.agreement.errors import AgreementError
from app.agreement.gamma import gamma_agreement

DATA = Path(__file__).parent / "data"

# Continua and pygamma-agreement 0.5.9's observed disorder (default dissimilarity).
CASES = [
    ({"c0": [(173, 192, "B"), (51, 66, "A"), (15, 16, "A")],
      "c1": [(167, 189, "B"), (162, 183, "C"), (92, 111, "C")]},
     1.3493951559066772),
    ({"c0": [(93, 107, "C"), (187, 195, "A"), (163, 189, "A"), (62, 91, "B"), (52, 76, "A")],
      "c1": [(92, 107, "C"), (192, 195, "A"), (163, 189, "A"), (61, 89, "B"), (51, 82, "A")],
      "c2": [(94, 108, "C"), (191, 194, "A"), (164, 189, "A"), (64, 90, "B"), (53, 77, "A")]},
     0.03916406258940697),
    ({"c0": [(166, 177, "A"), (60, 74, "C"), (93, 98, "B"), (117, 142, "C"), (199, 209, "C"),
             (14, 32, "A")],
      "c1": [(90, 98, "B"), (121, 145, "C"), (200, 207, "A"), (11, 29, "B"), (19, 33, "B")],
      "c2": [(166, 174, "A"), (88, 96, "B"), (120, 143, "C"), (199, 208, "C"), (81, 97, "B")],
      "c3": [(89, 92, "B"), (121, 145, "C"), (200, 208, "C"), (9, 29, "B")]},
     0.9973143339157104),
    ({"c0": [(137, 160, "A"), (163, 177, "B"), (127, 139, "A"), (111, 131, "A"), (12, 15, "A"),
             (31, 55, "A"), (133, 151, "A"), (54, 69, "A")],
      "c1": [(132, 160, "A"), (159, 178, "B"), (129, 134, "C"), (13, 17, "B"), (113, 129, "B"),
             (10, 11, "A"), (32, 59, "A"), (129, 154, "A"), (58, 71, "A")],
      "c2": [(159, 178, "B"), (123, 137, "C"), (13, 19, "B"), (116, 128, "A"), (11, 13, "B"),
             (28, 57, "A"), (129, 154, "B"), (59, 69, "A")],
      "c3": [(164, 175, "A"), (127, 133, "C"), (10, 20, "B"), (11, 12, "A"), (47, 65, "B")]},
     0.8934202194213867),
    ({"c0": [(176, 199, "C"), (165, 173, "A"), (60, 70, "C")],
      "c1": [(189, 208, "B"), (164, 172, "A"), (57, 73, "B")],
      "c2": [(186, 207, "C"), (63, 68, "C"), (123, 139, "B")]},
     1.1006776094436646),
    ({"c0": [(29, 30, "C"), (97, 118, "B"), (144, 145, "A"), (27, 44, "C"), (109, 115, "A"),
             (28, 45, "C"), (192, 211, "A")],
      "c1": [(26, 32, "C"), (145, 146, "B"), (28, 43, "C"), (196, 211, "C"), (91, 96, "C")],
      "c2": [(23, 31, "C"), (106, 113, "B"), (28, 46, "C"), (198, 217, "C"), (73, 77, "B"),
             (72, 79, "C")],
      "c3": [(28, 31, "C"), (101, 117, "A"), (142, 144, "B"), (32, 44, "C"), (28, 46, "A"),
             (197, 211, "C"), (74, 79, "B")]},
     1.191552758216858),
    ({"c0": [(174, 185, "C"), (115, 127, "B"), (135, 150, "C"), (155, 188, "C"), (106, 114, "A")],
      "c1": [(115, 125, "B"), (57, 69, "B"), (137, 150, "C"), (160, 184, "A"), (132, 153, "C"),
             (183, 203, "B"), (62, 89, "B"), (98, 117, "C")],
      "c2": [(174, 184, "C"), (113, 130, "B"), (56, 65, "B"), (161, 189, "C"), (131, 149, "C"),
             (174, 178, "A")],
      "c3": [(172, 181, "C"), (112, 127, "B"), (55, 68, "B"), (140, 151, "C"), (161, 190, "C"),
             (131, 152, "A"), (65, 91, "B")]},
     0.8766979575157166),
]

# pygamma-agreement 0.5.9, compute_gamma(n_samples=300) after np.random.seed(2026), for
# CASES[1], [2], [3], [4] and [5]: expected disorder, γ, γ-cat and γ-k per category.
PYGAMMA_300 = {
    1: (1.6968656778335571, 0.9769197702407837, 1.0, {"A": 1.0, "B": 1.0, "C": 1.0}),
    2: (2.0500593185424805, 0.513519287109375, 0.21938377618789673,
        {"A": 0.06236475706100464, "B": 0.1627432107925415, "C": 0.471988320350647}),
    3: (1.8687052726745605, 0.5219041705131531, 0.1826954483985901,
        {"A": 0.1058608889579773, "B": 0.14037716388702393, "C": 0.45967191457748413}),
    4: (2.041569709777832, 0.4608669877052307, 0.20821505784988403,
        {"A": 0.19302254915237427, "B": -0.13483798503875732, "C": 0.27138566970825195}),
    5: (2.256166696548462, 0.47186845541000366, 0.1517464518547058,
        {"A": 0.0028124451637268066, "B": 0.05077767372131348, "C": 0.281868577003479}),
}


def _read_csv(path: Path) -> dict[str, list[tuple[float, float, str]]]:
    continuum: dict[str, list[tuple[float, float, str]]] = {}
    with path.open(newline="") as handle:
        for coder, category, start, end in csv.reader(handle):
            continuum.setdefault(coder, []).append((float(start), float(end), category))
    return continuum


def _continuum(data: dict[str, list[tuple[float, float, str]]]) -> gamma_module._Continuum:
    categories = sorted({c for units in data.values() for _, _, c in units})
    rows = [
        (s, e, categories.index(c), k)
        for k, units in enumerate(data.values())
        for s, e, c in sorted(set(units))
    ]
    s, e, c, k = (np.array(column) for column in zip(*rows, strict=True))
    return gamma_module._Continuum(
        s.astype(float), e.astype(float), c.astype(np.int64), k.astype(np.int64), len(data)
    )


def _brute_force(c: gamma_module._Continuum, s: gamma_module._Settings) -> float:
    """The least disorder over every partition into unitary alignments (small continua)."""
    n = c.n_coders
    pairs = n * (n - 1) / 2
    d = gamma_module._dissimilarity(c, np.arange(len(c.start)), np.arange(len(c.start)), s)

    def cost(members: tuple[int, ...]) -> float:
        k = len(members)
        inner = sum(d[a, b] for a, b in itertools.combinations(members, 2))
        return (inner + (pairs - k * (k - 1) / 2) * s.delta_empty) / pairs

    def best(rest: frozenset[int]) -> float:
        if not rest:
            return 0.0
        first = min(rest)
        others = sorted(rest - {first})
        result = np.inf
        for size in range(n):
            for mates in itertools.combinations(others, size):
                coders = [int(c.coder[u]) for u in (first, *mates)]
                if len(set(coders)) < len(coders):
                    continue
                value = cost((first, *mates)) + best(rest - {first, *mates})
                result = min(result, value)
        return result

    return best(frozenset(range(len(c.start)))) / (len(c.start) / n)


def _random_continuum(rng: np.random.Generator, n_coders: int, n_units: int) -> dict:
    truth = []
    for _ in range(n_units):
        start = int(rng.integers(0, 120))
        truth.append((start, start + int(rng.integers(3, 25)), "AB"[int(rng.integers(2))]))
    data = {}
    for k in range(n_coders):
        units = []
        for start, end, category in truth:
            if rng.random() < 0.25:
                continue
            s = start + int(rng.integers(-4, 5))
            units.append((s, max(s + 1, end + int(rng.integers(-4, 5))), category))
        data[f"c{k}"] = units
    return data


@pytest.mark.parametrize(("data", "observed"), CASES)
def test_observed_disorder_equals_pygamma(data, observed):
    result = gamma_agreement(data, n_samples=1)
    assert result.observed_disorder == pytest.approx(observed, abs=1e-6)


@pytest.mark.parametrize("index", sorted(PYGAMMA_300))
def test_gamma_agrees_with_pygamma_within_sampling_error(index):
    expected, gamma, gamma_cat, gamma_k = PYGAMMA_300[index]
    result = gamma_agreement(CASES[index][0], n_samples=300, seed=1)
    assert result.expected_disorder == pytest.approx(expected, rel=0.03)
    assert result.gamma == pytest.approx(gamma, abs=0.02)
    assert result.gamma_cat == pytest.approx(gamma_cat, abs=0.02)
    for category, value in gamma_k.items():
        assert result.gamma_k[category] == pytest.approx(value, abs=0.05)


def test_pygamma_published_3by100():
    """pygamma's tests/test_gammas.py::test_gamma_3by100 (alpha = 3, beta = 1, 30 samples)."""
    data = _read_csv(DATA / "pygamma_3by100.csv")
    result = gamma_agreement(data, alpha=3, beta=1, delta_empty=1, seed=1)
    assert result.unitary_alignments == 127
    assert result.observed_disorder == pytest.approx(0.34351167, abs=1e-6)  # pygamma 0.5.9
    assert 0.79 <= result.gamma <= 0.81
    assert result.gamma_cat is not None and 0.89 <= result.gamma_cat <= 0.91
    assert 0.81 <= result.gamma_k["Adj"] <= 0.83
    assert 0.88 <= result.gamma_k["Noun"] <= 0.90
    assert 0.69 <= result.gamma_k["Verb"] <= 0.71
    assert result.gamma_k["Prep"] >= 0.96


def test_pygamma_3by100_default_dissimilarity():
    # pygamma 0.5.9 with its defaults: 124 unitary alignments, observed disorder
    # 0.1382766, expected 1.3067 (seed 4772), γ 0.8942, γ-cat 0.9801.
    result = gamma_agreement(_read_csv(DATA / "pygamma_3by100.csv"), seed=3)
    assert result.unitary_alignments == 124
    assert result.observed_disorder == pytest.approx(0.1382766, abs=1e-6)
    assert result.expected_disorder == pytest.approx(1.3067, rel=0.03)
    assert result.gamma == pytest.approx(0.8942, abs=0.01)
    assert result.gamma_cat == pytest.approx(0.9801, abs=0.01)


@pytest.mark.parametrize("seed", range(12))
def test_best_alignment_is_exact_on_small_continua(seed):
    rng = np.random.default_rng(seed)
    n_coders = 2 + seed % 3
    data = _random_continuum(rng, n_coders, 3 if n_coders == 4 else 4)
    c = _continuum(data)
    settings = gamma_module._Settings(1.0, 1.0, 1.0)
    exact = _brute_force(c, settings)
    assert gamma_module.best_alignment(c, settings).disorder == pytest.approx(exact, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_coordinate_descent_gives_a_valid_alignment_near_the_best(seed, monkeypatch):
    rng = np.random.default_rng(100 + seed)
    data = _random_continuum(rng, 3 + seed % 2, 6)
    c = _continuum(data)
    settings = gamma_module._Settings(1.0, 1.0, 1.0)
    exact = gamma_module.best_alignment(c, settings)
    monkeypatch.setattr(gamma_module, "_EXACT_TUPLES", 0)
    heuristic = gamma_module.best_alignment(c, settings)
    assert heuristic.disorder >= exact.disorder - 1e-9
    assert heuristic.disorder <= exact.disorder * 1.15 + 1e-9
    for cluster in np.unique(heuristic.cluster):
        coders = c.coder[heuristic.cluster == cluster]
        assert len(set(coders.tolist())) == len(coders)


def test_identical_coders_agree_perfectly():
    units = [(0, 10, "A"), (12, 30, "B"), (25, 40, "A")]
    result = gamma_agreement({"a": units, "b": list(units), "c": list(units)})
    assert result.observed_disorder == 0
    assert result.gamma == 1.0
    assert result.gamma_cat == 1.0
    assert result.gamma_k == {"A": 1.0, "B": 1.0}


def test_same_seed_same_value_and_a_coder_without_units_counts():
    data = CASES[2][0]
    assert gamma_agreement(data, seed=7) == gamma_agreement(data, seed=7)
    with_silent = gamma_agreement({**CASES[1][0], "quiet": []})
    assert with_silent.n_coders == 4
    assert with_silent.gamma < gamma_agreement(CASES[1][0]).gamma


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"a": [(0, 1, "A")]}, "two coders"),
        ({"a": [], "b": []}, "one unit"),
        ({"a": [(3, 3, "A")], "b": [(0, 1, "A")]}, "end after"),
    ],
)
def test_refusals(data, message):
    with pytest.raises(AgreementError, match=message):
        gamma_agreement(data)


def test_against_installed_pygamma():
    pygamma = pytest.importorskip("pygamma_agreement")
    segment = pytest.importorskip("pyannote.core").Segment
    data = CASES[5][0]
    continuum = pygamma.Continuum()
    for coder, units in data.items():
        continuum.add_annotator(coder)
        for start, end, category in units:
            continuum.add(coder, segment(start, end), category)
    np.random.seed(11)
    theirs = continuum.compute_gamma(pygamma.CombinedCategoricalDissimilarity(), n_samples=200)
    ours = gamma_agreement(data, n_samples=200, seed=11)
    assert ours.observed_disorder == pytest.approx(float(theirs.observed_disorder), abs=1e-6)
    assert ours.expected_disorder == pytest.approx(theirs.expected_disorder, rel=0.04)
    assert ours.gamma == pytest.approx(float(theirs.gamma), abs=0.03)


@pytest.mark.parametrize("seed", range(8))
def test_two_coders_groups_matched_at_once_as_one_by_one(seed):
    """Two coders' groups are matched in one pass (:mod:`app.agreement.gamma_two`): the
    same unitary alignments and disorder as matching each group on its own."""
    rng = np.random.default_rng(300 + seed)
    observed = _continuum(_random_continuum(rng, 2, 30 + 10 * seed))
    # Sampled continua (most of what γ aligns), and units of one coder in reach of a
    # single unit of the other, two of them as close (the first is taken).
    for c in [observed, *(gamma_module._Sampler(observed, 2).sample(rng) for _ in range(6))]:
        _assert_matched_as_one_by_one(c)
    _assert_matched_as_one_by_one(_continuum({
        "a": [(0, 10, "A"), (40, 50, "A"), (80, 90, "B")],
        "b": [(0, 9, "A"), (1, 10, "A"), (40, 49, "B"), (41, 50, "A"), (79, 90, "B"), (80, 88, "B")],
    }))


def _assert_matched_as_one_by_one(c: gamma_module._Continuum) -> None:
    settings = gamma_module._Settings(1.0, 1.0, 1.0)
    batched = gamma_module.best_alignment(c, settings)
    order, label = gamma_module._groups(c, settings)
    expected, total, n_compared = [], 0.0, 0
    for g in np.unique(label).tolist():
        units = order[label == g]
        local, cost = gamma_module._align_group(c, units, settings)
        total += cost
        if np.bincount(c.coder[units]).max() >= 2:  # groups of at most one unit each: elsewhere
            expected += [sorted(units[m].tolist()) for m in local]
            n_compared += len(units)
    found = [np.flatnonzero(batched.cluster == k).tolist() for k in np.unique(batched.cluster).tolist()]
    in_compared = {u for members in expected for u in members}
    assert n_compared > 0
    assert sorted(m for m in found if m[0] in in_compared) == sorted(expected)
    assert batched.disorder == pytest.approx(total / (len(c.start) / 2), abs=1e-12)


@pytest.mark.parametrize("n_coders", [2, 3])
def test_continua_aligned_together_as_each_alone(n_coders):
    """The sampled continua of the expected disorder are aligned in one pass
    (best_alignments): each gets the alignment and disorder it gets alone, though they
    lie over the same positions."""
    rng = np.random.default_rng(40 + n_coders)
    settings = gamma_module._Settings(1.0, 1.0, 1.0)
    observed = _continuum(_random_continuum(rng, n_coders, 12))
    continua = [observed, *(gamma_module._Sampler(observed, 2).sample(rng) for _ in range(5))]
    together = gamma_module.best_alignments(continua, settings)
    for c, found in zip(continua, together, strict=True):
        alone = gamma_module.best_alignment(c, settings)
        np.testing.assert_array_equal(found.cluster, alone.cluster)
        assert found.disorder == alone.disorder
        assert len(found.cluster) == len(c.start)
