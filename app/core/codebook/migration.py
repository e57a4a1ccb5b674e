"""Migrating coded rows from one codebook version to the next along a map.

A :class:`Migrator` turns one row's label (or relation type, or question) and its
attributes (or answer) as coded under the old codebook into what the new codebook calls
them, and counts what it did in plain words ("Actor → Agent", "Actor.actor_type: police →
law_enforcement") for the migration report. ``None`` as the new name means the row is
dropped. It does not check the result: the caller checks every migrated row against the
new codebook with :mod:`app.core.row_checks`, as any row from outside is checked. A
:class:`Chain` applies several migrators in turn, for a coder's file some versions behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.codebook.mapping import CodebookMap, attribute_of, owner_of, question_of
from app.core.codebook.model import Codebook

Attributes = dict[str, Any]


@dataclass
class Migrator:
    old: Codebook
    new: Codebook
    cmap: CodebookMap
    tally: Counter[str] = field(default_factory=Counter)

    # -- spans and relations ------------------------------------------------------

    def annotation(self, label: str, attributes: Mapping[str, Any]) -> tuple[str | None, Attributes]:
        """The new label (``None``: dropped) and attributes of one annotation."""
        target, split_by = self._target(label, attributes, self.cmap.labels)
        if target is None:
            self.tally[f"{label}: dropped"] += 1
            return None, {}
        if target != label:
            self.tally[f"{label} → {target}"] += 1
        return target, self._attributes(label, target, attributes, split_by)

    def relation(self, label: str, attributes: Mapping[str, Any]) -> tuple[str | None, Attributes]:
        """The new type (``None``: dropped) and attributes of one relation."""
        target = self.cmap.relations.get(label, label)
        if target is None:
            self.tally[f"{label}: dropped"] += 1
            return None, {}
        if target != label:
            self.tally[f"{label} → {target}"] += 1
        return target, self._attributes(label, target, attributes, None)

    def _target(self, label: str, attributes: Mapping[str, Any], renames: Mapping[str, str | None]) -> tuple[str | None, str | None]:
        split = self.cmap.split.get(label)
        if split is not None:
            value = attributes.get(split.by)
            target = split.into.get(value) if isinstance(value, str) else None
            if target is not None:
                return target, split.by
            # No value that splits it off: it keeps its label (if the new codebook has it).
            why = "no value" if value in (None, "", []) else "not split off"
            self.tally[f"{label}: stays {label} ({split.by}: {why})"] += 1
            return label, None
        return renames.get(label, label), None

    def _attributes(self, old_owner: str, new_owner: str, attributes: Mapping[str, Any], split_by: str | None) -> Attributes:
        result: Attributes = {}
        target = owner_of(self.new, new_owner)
        for name, value in attributes.items():
            dotted = f"{old_owner}.{name}"
            if name == split_by and target is not None and not _has(target, name):
                continue  # the value chose the label: the new label has no such attribute
            new_name = self.cmap.attributes.get(dotted, name)
            if new_name is None:
                self.tally[f"{dotted}: dropped"] += 1
                continue
            new_name = new_name.rpartition(".")[2]
            if new_name != name:
                self.tally[f"{dotted} → {new_owner}.{new_name}"] += 1
            after = attribute_of(self.new, f"{new_owner}.{new_name}")
            value = self._value(dotted, value, after.type if after is not None else None)
            if value is not None:
                result[new_name] = value
        for dotted, default in self.cmap.defaults.items():
            owner, _, name = dotted.partition(".")
            if owner == new_owner and _empty(result.get(name)):
                result[name] = default
                self.tally[f"{dotted}: default {default}"] += 1
        return result

    # -- answers ------------------------------------------------------------------

    def answer(self, question: str, value: Any) -> tuple[str | None, Any]:
        """The new question (``None``: dropped) and value of one answer."""
        target = self.cmap.questions.get(question, question)
        if target is None:
            self.tally[f"{question}: dropped"] += 1
            return None, None
        if target != question:
            self.tally[f"{question} → {target}"] += 1
        after = question_of(self.new, target)
        migrated = self._value(question, value, after.type if after is not None else None)
        if _empty(migrated) and not _empty(value):
            self.tally[f"{question}: answer dropped (its options were dropped)"] += 1
            return None, None
        return target, migrated

    def _value(self, owner: str, value: Any, new_type: str | None) -> Any:
        renames = self.cmap.options.get(owner)
        if renames:
            if isinstance(value, str) and value in renames:
                self._count_option(owner, value, renames[value])
                value = renames[value]
            elif isinstance(value, list):
                mapped: list[Any] = []
                for item in value:
                    if isinstance(item, str) and item in renames:
                        self._count_option(owner, item, renames[item])
                        item = renames[item]
                    if item is not None and item not in mapped:
                        mapped.append(item)
                value = mapped
        if new_type == "multi_choice" and isinstance(value, str):
            value = [value]  # a single choice widened to a list of one
        return value

    def _count_option(self, owner: str, before: str, after: str | None) -> None:
        self.tally[f"{owner}: {before} → {after if after is not None else 'dropped'}"] += 1


def _has(owner: Any, name: str) -> bool:
    try:
        owner.attribute(name)
    except KeyError:
        return False
    return True


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass
class Chain:
    """Migrators applied in turn (oldest first); an empty chain changes nothing."""

    steps: Sequence[Migrator]

    def annotation(self, label: str, attributes: Mapping[str, Any]) -> tuple[str | None, Attributes]:
        return self._through("annotation", label, dict(attributes))

    def relation(self, label: str, attributes: Mapping[str, Any]) -> tuple[str | None, Attributes]:
        return self._through("relation", label, dict(attributes))

    def answer(self, question: str, value: Any) -> tuple[str | None, Any]:
        return self._through("answer", question, value)

    def _through(self, kind: str, name: str, value: Any) -> tuple[str | None, Any]:
        """Each step's migration of one row in turn, until a step drops it (``None``)."""
        current: str | None = name
        for step in self.steps:
            if current is None:
                break
            current, value = getattr(step, kind)(current, value)
        return current, value

    def tally(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for step in self.steps:
            total.update(step.tally)
        return total

