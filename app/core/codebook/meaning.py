"""Which items of the current codebook changed meaning along the project's versions.

Agreement is measured on items as they stand in the current codebook, with the coded
values migrated. Renames, and options merged into one, migrate every value without doubt:
the item keeps its meaning. But a coder who coded under an earlier version could not
choose a label, attribute, question, relation type or option that did not exist yet, and
a coder whose option was dropped has lost the value: an item that is new, gained or lost
options is measured only on articles coded under the version that gave it its present
meaning (:attr:`ItemChange.since`). A split is ambiguous only for the rows that had no
value to split by (:attr:`ItemChange.split`): those rows kept the old label, but might
have belonged to a new one.

Items are named as the agreement report names its measures: ``span:Label``,
``attribute:Label.attribute``, ``question:name``, ``relation:type``, always with the
current codebook's names (a change is carried through later renames).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from app.core.codebook.mapping import CodebookMap, new_owners, owner_of
from app.core.codebook.model import Codebook
from app.core.codebook.parts import Attribute, Question, RelationType, SpanLabel


@dataclass(frozen=True)
class ItemChange:
    """An item whose meaning changed at version ``version`` (a number in the history)."""

    key: str
    version: int
    why: str
    #: Coding made before this version is not measured (``None``: it is, see ``split``).
    since: int | None
    #: For a split: (label, attribute) of the rows that kept their label because the
    #: attribute had no value; those rows, coded before ``version``, are not measured.
    split: tuple[str, str] | None = None


@dataclass(frozen=True)
class Step:
    """One adoption: version ``number`` (``new``) replaced ``old`` along ``cmap``."""

    number: int
    old: Codebook
    new: Codebook
    cmap: CodebookMap


def item_changes(steps: Sequence[Step]) -> dict[str, ItemChange]:
    """The changes of meaning of each current item (by key), in order of version
    in ``why``; items absent kept their meaning since version 1."""
    found: dict[str, ItemChange] = {}
    for step in steps:
        carried = {}
        for key, change in found.items():
            renamed = _renamed(key, step)
            if renamed:
                split = change.split
                if split is not None:
                    label, by = split
                    after = step.cmap.attributes.get(f"{label}.{by}", by)
                    split = (step.cmap.labels.get(label, label) or label, (after or by).rpartition(".")[2])
                carried[renamed] = replace(change, key=renamed, split=split)
        found = carried
        for change in _changes(step):
            earlier = found.get(change.key)
            if earlier is not None:  # both count: the later version's exclusion, both reasons
                sinces = [s for s in (earlier.since, change.since) if s is not None]
                change = replace(change, why=f"{earlier.why}; {change.why}", since=max(sinces, default=None),
                                 split=change.split or earlier.split)
            found[change.key] = change
    return found


def _renamed(key: str, step: Step) -> str:
    kind, _, name = key.partition(":")
    cmap = step.cmap
    if kind == "span":
        label = cmap.labels.get(name, name)
        return f"span:{label}" if label else ""
    if kind == "relation":
        after = cmap.relations.get(name, name)
        return f"relation:{after}" if after else ""
    if kind == "question":
        after = cmap.questions.get(name, name)
        return f"question:{after}" if after else ""
    owner, _, attribute = name.partition(".")
    renamed = cmap.attributes.get(name, attribute)
    owners = new_owners(cmap, step.new, owner)
    if renamed is None or len(owners) != 1:
        return ""
    return f"attribute:{next(iter(owners))}.{renamed.rpartition('.')[2]}"


def _changes(step: Step) -> Iterator[ItemChange]:
    v, old, new, cmap = step.number, step.old, step.new, step.cmap
    targets: dict[str, list[str]] = {}
    for owner in (*old.span_labels, *old.relation_types):
        for target in new_owners(cmap, new, owner.name):
            targets.setdefault(target, []).append(owner.name)
    for label in new.span_labels:
        sources = targets.get(label.name, [])
        split = next((s for s in sources if s in cmap.split), None)
        if not sources:
            yield ItemChange(f"span:{label.name}", v, f"new in version {v}", since=v)
            yield from (ItemChange(f"attribute:{label.name}.{a.name}", v, f"new in version {v}", since=v)
                        for a in label.attributes)
        elif split is not None:
            by = cmap.split[split].by
            why = f"split from {split} by {by} in version {v}"
            yield ItemChange(f"span:{label.name}", v, why, since=None, split=(split, by))
            yield from (ItemChange(f"attribute:{label.name}.{a.name}", v, why, since=None, split=(split, by))
                        for a in label.attributes)
        else:
            yield from _attributes(v, label, [o for o in (owner_of(old, s) for s in sources) if o is not None], cmap)
    for relation in new.relation_types:
        sources = targets.get(relation.name, [])
        if not sources:
            yield ItemChange(f"relation:{relation.name}", v, f"new in version {v}", since=v)
    before = {cmap.questions.get(q.name, q.name): q for q in old.questions}
    for question in new.questions:
        earlier = before.get(question.name)
        if earlier is None:
            yield ItemChange(f"question:{question.name}", v, f"new in version {v}", since=v)
        else:
            change = _options(f"question:{question.name}", v, earlier, question, cmap.options.get(earlier.name, {}))
            if change:
                yield change


def _attributes(v: int, label: SpanLabel, sources: list[SpanLabel | RelationType], cmap: CodebookMap) -> Iterator[ItemChange]:
    for attribute in label.attributes:
        earlier = None
        for source in sources:
            for candidate in source.attributes:
                renamed = cmap.attributes.get(f"{source.name}.{candidate.name}", candidate.name)
                if renamed is not None and renamed.rpartition(".")[2] == attribute.name:
                    earlier = (source.name, candidate)
        key = f"attribute:{label.name}.{attribute.name}"
        if earlier is None:
            filled = f"{label.name}.{attribute.name}" in cmap.defaults
            why = f"new in version {v}" + ("; earlier rows were given the map's default" if filled else "")
            yield ItemChange(key, v, why, since=v)
            continue
        change = _options(key, v, earlier[1], attribute, cmap.options.get(f"{earlier[0]}.{earlier[1].name}", {}))
        if change:
            yield change


def _options(key: str, v: int, before: Attribute | Question, after: Attribute | Question,
             renames: Mapping[str, str | None]) -> ItemChange | None:
    if not before.is_choice or not after.is_choice:
        return None
    images = [renames.get(value, value) for value in before.option_values]
    gained = [value for value in after.option_values if value not in images]
    lost = [value for value, image in zip(before.option_values, images, strict=True) if image is None]
    if gained or lost:
        parts = ([f"gained {', '.join(gained)}"] if gained else []) + ([f"lost {', '.join(lost)}"] if lost else [])
        return ItemChange(key, v, f"options {' and '.join(parts)} in version {v}", since=v)
    merged = {image for image in images if image is not None and images.count(image) > 1}
    if merged:
        return ItemChange(key, v, f"options merged into {', '.join(sorted(merged))} in version {v} "
                          "(earlier values migrated)", since=None)
    return None
