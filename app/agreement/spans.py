"""Span agreement between two coders: precision, recall and F1 with a one-to-one matching.

Spans are ``(begin, end, label)`` half-open intervals. Coder A is taken as the reference:
precision = matched / spans of B, recall = matched / spans of A, and
F1 = 2 matched / (spans of A + spans of B), which is symmetric in the coders
(Hripcsak & Rothschild, 2005). Two spans can only match if they have the same label.

* ``match="exact"``: same begin, end and label (and the same fragments, see below).
* ``match="overlap"``: same label and at least one common position; among all one-to-one
  matchings the one with the most matched pairs is chosen, and among those the one with
  the largest total overlap (``prefer="matches"``), or simply the largest total overlap
  (``prefer="overlap"``); found with the Hungarian method on each group of mutually
  overlapping spans.

A discontinuous span is given as its envelope ``(begin, end, label)`` plus its fragments
(``fragments_a``/``fragments_b``, by position): exact matching then also compares the
fragment sets, and overlap (matching and ``total_overlap``) counts only the characters
both spans cover, never the gap between fragments.

Per label, precision is ``None`` when B has no span of that label and recall ``None``
when A has none; micro scores pool the counts, macro scores average the per-label scores
that are defined.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.span_matching import (
    Ranges,
    covered_overlap,
    match_exact,
    match_overlap,
    total_overlap,
)

SpanTriple = tuple[int, int, Hashable]


@dataclass(frozen=True)
class LabelScores:
    """Counts and scores for one label."""

    label: Any
    n_a: int
    n_b: int
    matched: int
    precision: float | None
    recall: float | None
    f1: float


@dataclass(frozen=True)
class SpanAgreementResult:
    """Span agreement between coders A (reference) and B, with the matching itself."""

    match: str
    precision: float | None
    recall: float | None
    f1: float
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float
    per_label: tuple[LabelScores, ...]
    matched: tuple[tuple[SpanTriple, SpanTriple], ...]
    unmatched_a: tuple[SpanTriple, ...]
    unmatched_b: tuple[SpanTriple, ...]
    total_overlap: int


def _check(spans: Iterable[SpanTriple], who: str) -> list[SpanTriple]:
    out = []
    for n, span in enumerate(spans):
        try:
            begin, end, label = span
        except (TypeError, ValueError):
            raise AgreementError(f"Span {n} of coder {who} is not (begin, end, label).") from None
        if int(begin) != begin or int(end) != end or end <= begin:
            raise AgreementError(
                f"Span {n} of coder {who} must have whole offsets and end > begin."
            )
        out.append((int(begin), int(end), label))
    return out


def _check_fragments(found: Mapping[int, Ranges] | None, spans: Sequence[SpanTriple], who: str) -> dict[int, Ranges]:
    out: dict[int, Ranges] = {}
    for n, ranges in (found or {}).items():
        if not 0 <= n < len(spans):
            raise AgreementError(f"Fragments are given for span {n} of coder {who}, which has no such span.")
        pieces = tuple((int(first), int(last)) for first, last in ranges)
        begin, end, _ = spans[n]
        if len(pieces) > 1:
            if pieces[0][0] != begin or pieces[-1][1] != end or any(
                last <= first for first, last in pieces
            ) or any(pieces[k][1] >= pieces[k + 1][0] for k in range(len(pieces) - 1)):
                raise AgreementError(
                    f"The fragments of span {n} of coder {who} must be sorted, apart and span "
                    "its begin and end."
                )
            out[n] = pieces
    return out


def _shapes(fragments: Mapping[int, Ranges], count: int, numbers: dict[Ranges, int]) -> np.ndarray:
    """0 for a contiguous span, else a number per distinct set of fragments (shared by both coders)."""
    shape = np.zeros(count, dtype=np.int64)
    for n, ranges in fragments.items():
        shape[n] = numbers.setdefault(ranges, len(numbers) + 1)
    return shape


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _mean(values: Sequence[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def span_agreement(
    spans_a: Iterable[SpanTriple],
    spans_b: Iterable[SpanTriple],
    match: str = "exact",
    *,
    prefer: str = "matches",
    fragments_a: Mapping[int, Ranges] | None = None,
    fragments_b: Mapping[int, Ranges] | None = None,
) -> SpanAgreementResult:
    """Precision, recall and F1 of coder B's spans against coder A's, per label and overall.

    ``fragments_a``/``fragments_b`` map positions in ``spans_a``/``spans_b`` to the
    fragments of discontinuous spans (whose begin and end are then the envelope).
    Returns the matched pairs and the unmatched spans of each coder (the disagreements).
    Raises :class:`AgreementError` when neither coder marked a span.
    """
    if match not in ("exact", "overlap"):
        raise AgreementError(f"Unknown match {match!r}: use 'exact' or 'overlap'.")
    if prefer not in ("matches", "overlap"):
        raise AgreementError(f"Unknown preference {prefer!r}: use 'matches' or 'overlap'.")
    a, b = _check(spans_a, "A"), _check(spans_b, "B")
    pieces_a, pieces_b = _check_fragments(fragments_a, a, "A"), _check_fragments(fragments_b, b, "B")
    if not a and not b:
        raise AgreementError("Neither coder marked a span; there is nothing to compare.")
    # Any, not Hashable: the labels are sorted when they compare.
    found: set[Any] = {s[2] for s in a} | {s[2] for s in b}
    try:
        labels = sorted(found)
    except TypeError:
        labels = list(dict.fromkeys(s[2] for s in [*a, *b]))
    index = {label: n for n, label in enumerate(labels)}
    columns = [np.array([(s[0], s[1], index[s[2]]) for s in side], dtype=np.int64).reshape(-1, 3)
               for side in (a, b)]
    (sa, ea, ka), (sb, eb, kb) = (c.T for c in columns)
    if match == "exact":
        # The fragment set joins the key: the same envelope with other fragments is another span.
        numbers: dict[Ranges, int] = {}
        shape_a, shape_b = _shapes(pieces_a, len(a), numbers), _shapes(pieces_b, len(b), numbers)
        width = len(numbers) + 1
        ia, ib = match_exact(ka * width + shape_a, sa, ea, kb * width + shape_b, sb, eb)
    else:
        ia, ib = match_overlap(
            ka, sa, ea, kb, sb, eb, prefer=prefer, fragments_a=pieces_a, fragments_b=pieces_b
        )
    n_labels = len(labels)
    per_a = np.bincount(ka, minlength=n_labels)
    per_b = np.bincount(kb, minlength=n_labels)
    hits = np.bincount(ka[ia], minlength=n_labels)
    scores = []
    for n, label in enumerate(labels):
        n_a, n_b, k = int(per_a[n]), int(per_b[n]), int(hits[n])
        scores.append(
            LabelScores(label, n_a, n_b, k, _ratio(k, n_b), _ratio(k, n_a), 2 * k / (n_a + n_b))
        )
    matched = list(zip(ia.tolist(), ib.tolist(), strict=True))
    used_a, used_b = {i for i, _ in matched}, {j for _, j in matched}
    k = len(matched)
    return SpanAgreementResult(
        match=match,
        precision=_ratio(k, len(b)),
        recall=_ratio(k, len(a)),
        f1=2 * k / (len(a) + len(b)),
        macro_precision=_mean([s.precision for s in scores]),
        macro_recall=_mean([s.recall for s in scores]),
        macro_f1=sum(s.f1 for s in scores) / len(scores),
        per_label=tuple(scores),
        matched=tuple((a[i], b[j]) for i, j in matched),
        unmatched_a=tuple(s for i, s in enumerate(a) if i not in used_a),
        unmatched_b=tuple(s for j, s in enumerate(b) if j not in used_b),
        total_overlap=_total_overlap(a, b, matched, pieces_a, pieces_b, sa, ea, sb, eb),
    )


def _total_overlap(
    a: Sequence[SpanTriple], b: Sequence[SpanTriple], matched: Sequence[tuple[int, int]],
    pieces_a: Mapping[int, Ranges], pieces_b: Mapping[int, Ranges],
    sa: np.ndarray, ea: np.ndarray, sb: np.ndarray, eb: np.ndarray,
) -> int:
    """Characters the matched pairs have in common: of their envelopes in one array pass
    for contiguous pairs, of the characters covered for pairs with a discontinuous span."""
    plain = [(i, j) for i, j in matched if i not in pieces_a and j not in pieces_b]
    split = [(i, j) for i, j in matched if i in pieces_a or j in pieces_b]
    ia = np.array([i for i, _ in plain], dtype=np.int64)
    ib = np.array([j for _, j in plain], dtype=np.int64)
    total = total_overlap(sa[ia], ea[ia], sb[ib], eb[ib])
    for i, j in split:
        total += covered_overlap(
            pieces_a.get(i, ((a[i][0], a[i][1]),)), pieces_b.get(j, ((b[j][0], b[j][1]),))
        )
    return total
