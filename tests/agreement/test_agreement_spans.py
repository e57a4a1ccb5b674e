"""Span matching, precision/recall/F1, attribute and relation agreement."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

from app.agreement import (
    AgreementError,
    attribute_agreement,
    krippendorff_alpha,
    relation_agreement,
    span_agreement,
)
from app.agreement.assignment import maximum_weight_matching


def best_by_brute_force(w):
    n, m = w.shape
    best = 0.0
    if n <= m:
        for cols in permutations(range(m), n):
            best = max(best, sum(w[i, j] for i, j in enumerate(cols)))
    else:
        for rows in permutations(range(n), m):
            best = max(best, sum(w[i, j] for j, i in enumerate(rows)))
    return best


@pytest.mark.parametrize("seed", range(200))
def test_hungarian_method_finds_the_optimum(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 6, 2)
    w = rng.integers(0, 9, (n, m)) * (rng.random((n, m)) < 0.6)
    pairs = maximum_weight_matching(w)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(w[i, j] > 0 for i, j in pairs)
    assert sum(w[i, j] for i, j in pairs) == best_by_brute_force(w)


A = [(0, 5, "actor"), (10, 20, "claim"), (30, 40, "claim"), (50, 55, "actor")]
B = [(0, 5, "actor"), (12, 20, "claim"), (30, 40, "actor"), (60, 62, "actor")]


def test_exact_matching_scores_and_disagreements():
    r = span_agreement(A, B, "exact")
    assert r.matched == (((0, 5, "actor"), (0, 5, "actor")),)
    assert r.precision == r.recall == r.f1 == 0.25
    assert set(r.unmatched_a) == {(10, 20, "claim"), (30, 40, "claim"), (50, 55, "actor")}
    assert set(r.unmatched_b) == {(12, 20, "claim"), (30, 40, "actor"), (60, 62, "actor")}
    actor, claim = r.per_label
    assert (actor.label, actor.n_a, actor.n_b, actor.matched) == ("actor", 2, 3, 1)
    assert actor.precision == pytest.approx(1 / 3) and actor.recall == 0.5
    assert actor.f1 == pytest.approx(2 / 5)
    assert (claim.n_a, claim.n_b, claim.matched, claim.precision) == (2, 1, 0, 0.0)
    assert r.macro_f1 == pytest.approx((2 / 5 + 0) / 2)


def test_overlap_matching_requires_same_label_and_common_positions():
    r = span_agreement(A, B, "overlap")
    assert ((10, 20, "claim"), (12, 20, "claim")) in r.matched
    assert len(r.matched) == 2  # (30, 40) differs in label, (50, 55)/(60, 62) do not touch
    assert r.total_overlap == 5 + 8
    assert r.f1 == pytest.approx(2 * 2 / 8)


def test_overlap_matching_prefers_more_matches_then_more_overlap():
    a = [(0, 10, "x"), (10, 12, "x")]
    b = [(1, 11, "x")]
    c = [(0, 10, "x"), (9, 20, "x")]
    # One B span, two candidates: the larger overlap wins.
    assert span_agreement(a, b, "overlap").matched == (((0, 10, "x"), (1, 11, "x")),)
    # A1 overlaps both B spans (9 and 1), A2 only B2 (2): two matches beat one big one.
    r = span_agreement(a, c, "overlap")
    assert len(r.matched) == 2 and r.f1 == 1.0
    assert r.total_overlap == 10 + 2
    greedy = span_agreement([(0, 10, "x"), (9, 11, "x")], [(0, 10, "x"), (5, 20, "x")], "overlap")
    assert len(greedy.matched) == 2
    # A1 overlaps B1 by 10 and B2 by 1; A2 overlaps B1 by 1 only.
    a2, b2 = [(0, 10, "x"), (0, 1, "x")], [(0, 10, "x"), (9, 12, "x")]
    most_matches = span_agreement(a2, b2, "overlap")
    assert len(most_matches.matched) == 2 and most_matches.total_overlap == 2
    most_overlap = span_agreement(a2, b2, "overlap", prefer="overlap")
    assert most_overlap.matched == (((0, 10, "x"), (0, 10, "x")),)
    assert most_overlap.total_overlap == 10


def test_identical_and_disjoint_codings():
    r = span_agreement(A, A, "overlap")
    assert r.f1 == r.precision == r.recall == r.macro_f1 == 1.0 and not r.unmatched_a
    r = span_agreement(A, [], "exact")
    assert r.precision is None and r.recall == 0.0 and r.f1 == 0.0
    assert r.unmatched_a == tuple(A)


def test_duplicate_spans_match_one_to_one():
    r = span_agreement([(0, 3, "x"), (0, 3, "x")], [(0, 3, "x")], "exact")
    assert len(r.matched) == 1 and r.unmatched_a == ((0, 3, "x"),)


def test_span_errors():
    with pytest.raises(AgreementError, match="nothing to compare"):
        span_agreement([], [])
    with pytest.raises(AgreementError, match="end > begin"):
        span_agreement([(5, 5, "x")], [])
    with pytest.raises(AgreementError, match="Unknown match"):
        span_agreement(A, B, "fuzzy")


def test_attribute_agreement_is_alpha_on_matched_pairs():
    pairs = [("low", "low"), ("high", "mid"), ("mid", "mid"), ("low", None), ("high", "high")]
    scale = ["low", "mid", "high"]
    ordinal = attribute_agreement(pairs, "ordinal", categories=scale)
    units = [{"A": x, "B": y} for x, y in pairs]
    assert ordinal.value == krippendorff_alpha(units, "ordinal", scale).value
    assert ordinal.n_pairable_units == 4
    nominal = attribute_agreement(pairs)
    assert nominal.value < ordinal.value  # a near miss costs less on a scale
    three = attribute_agreement([{"a": 1, "b": 1, "c": 2}, {"a": 2, "b": 2, "c": 2}])
    assert three.n_coders == 3


def test_relations_through_span_matching():
    a_claim, a_actor, a_other = (10, 20, "claim"), (0, 5, "actor"), (50, 55, "actor")
    b_claim, b_actor = (12, 20, "claim"), (0, 5, "actor")
    spans = span_agreement([a_claim, a_actor, a_other], [b_claim, b_actor], "overlap")
    rel_a = [(a_actor, a_claim, "says"), (a_other, a_claim, "says"), (a_claim, a_actor, "about")]
    rel_b = [(b_actor, b_claim, "says"), (b_claim, b_actor, "denies")]
    r = relation_agreement(rel_a, rel_b, spans.matched)
    assert r.matched == (((a_actor, a_claim, "says"), (b_actor, b_claim, "says")),)
    assert r.precision == 0.5 and r.recall == pytest.approx(1 / 3)
    assert r.f1 == pytest.approx(2 / 5)
    # The unmatched endpoint (a_other) leaves its relation unmatched; "about"/"denies"
    # link the same endpoints with different labels.
    assert set(r.unmatched_a) == {(a_other, a_claim, "says"), (a_claim, a_actor, "about")}
    assert r.unmatched_b == ((b_claim, b_actor, "denies"),)
    assert sorted(r.label_pairs) == [("about", "denies"), ("says", "says")]
    assert r.label_alpha is not None
    assert (
        r.label_alpha.value
        == krippendorff_alpha([{"A": "says", "B": "says"}, {"A": "about", "B": "denies"}]).value
    )
    # Direction matters: a reversed relation does not match.
    reversed_b = [(b_claim, b_actor, "says")]
    assert relation_agreement([rel_a[0]], reversed_b, spans.matched).matched == ()
    with pytest.raises(AgreementError):
        relation_agreement([], [], spans.matched)
