"""Agreement on what hangs off matched spans: their attributes and the relations between them.

* Attributes: once two coders' spans are matched (:func:`app.agreement.spans.span_agreement`),
  each matched pair is a unit coded twice; Krippendorff's alpha over these units measures
  agreement on an attribute at its level (nominal for choices, ordinal for scales).
* Relations ``(source, target, label)``, with source and target spans as
  ``(begin, end, label)``: coder A's relation is carried over to B through the span
  matching, ``(match(source), match(target))``. Precision, recall and F1 count a relation
  as matched when B has a relation of the same label between the matched endpoints
  (direction matters). Alpha on relation labels takes the endpoint pairs that both coders
  related (after mapping) as units, each coded with the two labels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.agreement.alpha import krippendorff_alpha
from app.agreement.errors import AgreementError
from app.agreement.results import AlphaResult
from app.agreement.spans import SpanTriple

Relation = tuple[SpanTriple, SpanTriple, Hashable]


def attribute_agreement(
    pairs: Iterable[tuple[Any, Any] | Mapping[Any, Any]],
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
) -> AlphaResult:
    """Krippendorff's alpha on an attribute of matched spans.

    ``pairs`` holds, per matched span pair, the two coders' values ``(value_a, value_b)``
    (``None`` when a coder left it empty), or a mapping coder -> value for more coders.
    ``level`` is ``"nominal"`` for choices and ``"ordinal"`` for scales (with
    ``categories`` giving the scale's order); interval and ratio work too.
    """
    units = [p if isinstance(p, Mapping) else {"A": p[0], "B": p[1]} for p in pairs]
    return krippendorff_alpha(units, level, categories)


@dataclass(frozen=True)
class RelationAgreementResult:
    """Relation agreement of coder B against coder A (reference) through a span matching.

    ``label_alpha`` is ``None`` when fewer than one endpoint pair was related by both.
    """

    precision: float | None
    recall: float | None
    f1: float
    n_a: int
    n_b: int
    matched: tuple[tuple[Relation, Relation], ...]
    unmatched_a: tuple[Relation, ...]
    unmatched_b: tuple[Relation, ...]
    label_pairs: tuple[tuple[Hashable, Hashable], ...]
    label_alpha: AlphaResult | None


def relation_agreement(
    relations_a: Iterable[Relation],
    relations_b: Iterable[Relation],
    matched_spans: Iterable[tuple[SpanTriple, SpanTriple]],
) -> RelationAgreementResult:
    """Compare two coders' relations through ``matched_spans`` (pairs of A's and B's spans,
    e.g. ``span_agreement(...).matched``). Raises :class:`AgreementError` when neither
    coder has a relation.
    """
    a, b = list(relations_a), list(relations_b)
    if not a and not b:
        raise AgreementError("Neither coder has a relation; there is nothing to compare.")
    to_b = dict(matched_spans)
    b_by_ends: dict[tuple[SpanTriple, SpanTriple], list[int]] = defaultdict(list)
    for j, (source, target, _) in enumerate(b):
        b_by_ends[source, target].append(j)
    matched: list[tuple[int, int]] = []
    label_pairs: list[tuple[Hashable, Hashable]] = []
    a_by_ends: dict[tuple[SpanTriple, SpanTriple], list[int]] = defaultdict(list)
    for i, (source, target, _) in enumerate(a):
        if source in to_b and target in to_b:
            a_by_ends[to_b[source], to_b[target]].append(i)
    for ends, ia in a_by_ends.items():
        ib = list(b_by_ends.get(ends, []))
        # Same labels pair first (these are the matches), then the rest pair by order.
        rest_a = []
        for i in ia:
            same = next((j for j in ib if b[j][2] == a[i][2]), None)
            if same is None:
                rest_a.append(i)
            else:
                ib.remove(same)
                matched.append((i, same))
                label_pairs.append((a[i][2], b[same][2]))
        label_pairs += [(a[i][2], b[j][2]) for i, j in zip(rest_a, ib, strict=False)]
    used_a, used_b = Counter(i for i, _ in matched), Counter(j for _, j in matched)
    k = len(matched)
    alpha = None
    if label_pairs:
        alpha = krippendorff_alpha([{"A": x, "B": y} for x, y in label_pairs])
    return RelationAgreementResult(
        precision=k / len(b) if b else None,
        recall=k / len(a) if a else None,
        f1=2 * k / (len(a) + len(b)),
        n_a=len(a),
        n_b=len(b),
        matched=tuple((a[i], b[j]) for i, j in sorted(matched)),
        unmatched_a=tuple(r for i, r in enumerate(a) if i not in used_a),
        unmatched_b=tuple(r for j, r in enumerate(b) if j not in used_b),
        label_pairs=tuple(label_pairs),
        label_alpha=alpha,
    )
