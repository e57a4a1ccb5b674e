"""What changes from one codebook version to the next, and which changes need a map.

Additive changes (new labels, attributes, options, relation types, questions) need
nothing: every coded row stays valid. Any other difference would leave rows that the new
codebook cannot hold, so it must be covered by the :class:`CodebookMap`: a label, relation
type, question, attribute or option that is gone, an attribute whose type changes, or a
new required attribute (coded rows have no value for it: the map gives one under
``defaults``). :func:`unmapped_changes` names each change the map leaves uncovered, in
codebook order; an empty list means the migration may go ahead.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.core.codebook.mapping import CodebookMap, new_owners, owner_of
from app.core.codebook.model import Codebook
from app.core.codebook.parts import Attribute, Question, RelationType, SpanLabel

#: Type changes that keep every value: one option becomes a list of one.
_WIDENING = {("single_choice", "multi_choice"), ("ordinal", "single_choice"), ("single_choice", "ordinal")}


def unmapped_changes(old: Codebook, new: Codebook, cmap: CodebookMap | None = None) -> list[str]:
    """Each change from ``old`` to ``new`` that ``cmap`` does not cover, as a clause."""
    cmap = cmap or CodebookMap()
    return list(_owners(old, new, cmap)) + list(_questions(old, new, cmap))


def _owners(old: Codebook, new: Codebook, cmap: CodebookMap) -> Iterator[str]:
    owners: list[tuple[SpanLabel | RelationType, str]] = [(label, "span label") for label in old.span_labels]
    owners += [(relation, "relation type") for relation in old.relation_types]
    for owner, what in owners:
        dropped = owner.name in cmap.labels and cmap.labels[owner.name] is None
        dropped = dropped or (owner.name in cmap.relations and cmap.relations[owner.name] is None)
        targets = new_owners(cmap, new, owner.name)
        if not targets and not dropped:
            kind = "labels or split" if what == "span label" else "relations"
            yield f"the {what} {owner.name} is gone (map it under {kind}, or drop it with null)"
            continue
        split_by = cmap.split[owner.name].by if owner.name in cmap.split else None
        for target_name in sorted(targets):
            target = owner_of(new, target_name)
            if target is not None:
                yield from _attributes(owner, target, cmap, split_by)


def _attributes(
    owner: SpanLabel | RelationType, target: SpanLabel | RelationType, cmap: CodebookMap, split_by: str | None,
) -> Iterator[str]:
    carried: set[str] = set()
    for attribute in owner.attributes:
        dotted = f"{owner.name}.{attribute.name}"
        if dotted in cmap.attributes:
            renamed = cmap.attributes[dotted]
            if renamed is None:
                continue
            name = renamed.rpartition(".")[2]
        else:
            name = attribute.name
        try:
            after = target.attribute(name)
        except KeyError:
            if attribute.name != split_by:
                yield (
                    f"{dotted} is not an attribute of {target.name} in the new codebook "
                    "(rename it under attributes, or drop it with null)"
                )
            continue
        if attribute.required and after.required:
            carried.add(name)
        yield from _values(dotted, attribute, after, cmap)
    for attribute in target.attributes:
        dotted = f"{target.name}.{attribute.name}"
        if attribute.required and attribute.name not in carried and dotted not in cmap.defaults:
            yield f"{dotted} is required and coded rows have no value for it (give one under defaults)"


def _values(dotted: str, before: Attribute | Question, after: Attribute | Question, cmap: CodebookMap) -> Iterator[str]:
    """Type changes and options that are gone, unless the map renames or drops them."""
    if before.type != after.type and (before.type, after.type) not in _WIDENING:
        yield f"{dotted} changes from {before.type} to {after.type}"
        return
    if not before.is_choice:
        return
    renames = cmap.options.get(dotted, {})
    for value in before.option_values:
        target = renames.get(value, value)
        if target is not None and target not in after.option_values:
            where = "is gone" if value == target else f"becomes {target}, which is not one of its options"
            yield f"the option {value} of {dotted} {where} (map it under options, or drop it with null)"


def _questions(old: Codebook, new: Codebook, cmap: CodebookMap) -> Iterator[str]:
    for question in old.questions:
        name = cmap.questions.get(question.name, question.name)
        if name is None:
            continue
        try:
            after = new.question(name)
        except KeyError:
            yield f"the question {question.name} is gone (map it under questions, or drop it with null)"
            continue
        yield from _values(question.name, question, after, cmap)
