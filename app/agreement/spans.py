"""Span agreement between two coders: precision, recall and F1 with a one-to-one matching.

Spans are ``(begin, end, label)`` half-open intervals. Coder A is taken as the reference:
precision = matched / spans of B, recall = matched / spans of A, and
F1 = 2 matched / (spans of A + spans of B), which is symmetric in the coders
(Hripcsak & Rothschild, 2005). Two spans can only match if they have the same label.

* ``match="exact"``: same begin, end and label.
* ``match="overlap"``: same label and at least one common position; among all one-to-one
  matchings the one with the most matched pairs is chosen, and among those the one with
  the largest total overlap (``prefer="matches"``), or simply the largest total overlap
  (``prefer="overlap"``); found with the Hungarian method on each group of mutually
  overlapping spans.

Per label, precision is ``None`` when B has no span of that label and recall ``None``
when A has none; micro scores pool the counts, macro scores average the per-label scores
that are defined.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.span_matching import match_exact, match_overlap, total_overlap

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
) -> SpanAgreementResult:
    """Precision, recall and F1 of coder B's spans against coder A's, per label and overall.

    Returns the matched pairs and the unmatched spans of each coder (the disagreements).
    Raises :class:`AgreementError` when neither coder marked a span.
    """
    if match not in ("exact", "overlap"):
        raise AgreementError(f"Unknown match {match!r}: use 'exact' or 'overlap'.")
    if prefer not in ("matches", "overlap"):
        raise AgreementError(f"Unknown preference {prefer!r}: use 'matches' or 'overlap'.")
    a, b = _check(spans_a, "A"), _check(spans_b, "B")
    if not a and not b:
        raise AgreementError("Neither coder marked a span; there is nothing to compare.")
    found = {s[2] for s in a} | {s[2] for s in b}
    try:
        labels = sorted(found)
    except TypeError:
        labels = list(dict.fromkeys(s[2] for s in [*a, *b]))
    index = {label: n for n, label in enumerate(labels)}
    columns = [np.array([(s[0], s[1], index[s[2]]) for s in side], dtype=np.int64).reshape(-1, 3)
               for side in (a, b)]
    (sa, ea, ka), (sb, eb, kb) = (c.T for c in columns)
    matcher = match_exact if match == "exact" else match_overlap
    ia, ib = matcher(ka, sa, ea, kb, sb, eb, **({} if match == "exact" else {"prefer": prefer}))
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
        total_overlap=total_overlap(sa[ia], ea[ia], sb[ib], eb[ib]),
    )
