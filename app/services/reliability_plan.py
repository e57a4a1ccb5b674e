"""Planning the reliability sample: how many overlap articles the codebook's measured
items need (Krippendorff's minimum, :mod:`app.agreement.sample_size`), and the one
sentence ``loupe assign`` and the Distribute dialog say when an overlap is smaller.

Each measured item counts its values: a single-choice or ordinal question or attribute
its options, a yes/no attribute or each option of a multiple choice 2 (chosen or not),
the span labels and relation types their number (which label a span gets, 2 at
least: labelled or not). Numbers and free text are left out. The largest number of
values decides. The overlap counted is every article two or more coders are assigned
to. For span-level items (attributes) an overlap article holds one unit or more, so the
article count is the cautious side of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.agreement.sample_size import SampleSize, minimum_units
from app.core.codebook import Codebook
from app.services.assignment import assignment_order
from app.services.projects import Project

#: Krippendorff's smallest acceptable alpha and significance level used when planning.
ALPHA_MIN = 0.8
P = 0.05


@dataclass(frozen=True)
class ReliabilityPlan:
    """The minimum overlap for the codebook: its size and the item that asks for it."""

    minimum: SampleSize
    item: str


def _values(kind: str, options: int) -> int | None:
    if kind in ("single_choice", "ordinal"):
        return options if options >= 2 else None
    if kind in ("multi_choice", "boolean"):
        return 2
    return None


def measured_values(codebook: Codebook) -> list[tuple[str, int]]:
    """(item, number of values) for every item agreement is measured on."""
    items: list[tuple[str, int]] = []
    for question in codebook.questions:
        k = _values(question.type, len(question.options))
        if k is not None:
            items.append((f"question '{question.name}'", k))
    if codebook.span_labels:
        items.append(("the span labels", max(2, len(codebook.span_labels))))
    if codebook.relation_types:
        items.append(("the relation types", max(2, len(codebook.relation_types))))
    for owner in (*codebook.span_labels, *codebook.relation_types):
        for attribute in owner.attributes:
            k = _values(attribute.type, len(attribute.options))
            if k is not None:
                items.append((f"attribute '{owner.name}.{attribute.name}'", k))
    return items


def plan(codebook: Codebook, alpha_min: float = ALPHA_MIN, p: float = P) -> ReliabilityPlan | None:
    """The minimum overlap for the item with the most values (None: nothing measured)."""
    items = measured_values(codebook)
    if not items:
        return None
    item, k = max(items, key=lambda pair: pair[1])
    return ReliabilityPlan(minimum_units(alpha_min, p, values=k), item)


def overlap_articles(project: Project) -> int:
    """How many articles two or more coders are assigned to (the overlap agreement is
    measured on), whichever run of ``assign`` drew them."""
    return len(assignment_order(project, show="overlap"))


def overlap_warning(reliability: ReliabilityPlan | None, overlap: int) -> str | None:
    """One sentence when ``overlap`` articles are fewer than the plan's minimum."""
    if reliability is None or overlap >= reliability.minimum.units:
        return None
    m = reliability.minimum
    return (
        f"The overlap of {overlap} article(s) is smaller than the {m.units} Krippendorff's table "
        f"asks for to test alpha >= {m.alpha_min:.3f} at p = {m.p:g} with {m.values} values "
        f"({reliability.item}); see `loupe plan-reliability`."
    )
