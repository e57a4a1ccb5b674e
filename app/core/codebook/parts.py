"""The parts of a codebook: options, attributes, span labels, relation types and
article questions. Each is a frozen record; attributes and questions say whether a
value coders give them is valid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.codebook.messages import _describe, _list_values, _short

ATTRIBUTE_TYPES = ("single_choice", "multi_choice", "boolean", "text", "number")
QUESTION_TYPES = ("single_choice", "multi_choice", "ordinal", "text")
CHOICE_TYPES = frozenset({"single_choice", "multi_choice", "ordinal"})


@dataclass(frozen=True)
class Option:
    """One allowed value of a choice attribute or question."""

    value: str
    description: str = ""


def _validate_choice(name: str, kind: str, values: tuple[str, ...], value: Any) -> str | None:
    if kind in ("single_choice", "ordinal"):
        if not isinstance(value, str):
            return f"{name}: expected one option as text, got {_describe(value)}"
        if value not in values:
            return f"{name}: {_short(value)} is not one of {_list_values(values)}"
        return None
    if kind == "multi_choice":
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            return f"{name}: expected a list of options, got {_describe(value)}"
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str):
                return f"{name}: expected options as text, got {_describe(item)}"
            if item not in values:
                return f"{name}: {_short(item)} is not one of {_list_values(values)}"
            if item in seen:
                return f"{name}: {_short(item)} is chosen twice"
            seen.add(item)
        return None
    if kind == "text":
        if not isinstance(value, str):
            return f"{name}: expected text, got {_describe(value)}"
        return None
    raise ValueError(f"not a choice or text type: {kind}")


@dataclass(frozen=True)
class Attribute:
    """A property coded on each span of a label (or each relation of a type)."""

    name: str
    type: str
    required: bool = False
    description: str = ""
    options: tuple[Option, ...] = ()
    min: int | float | None = None
    max: int | float | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    def validate(self, value: Any) -> str | None:
        """Why ``value`` is not a valid value of this attribute, or ``None`` if it is.

        ``None`` means "no value" and is valid here: whether a required attribute was
        left empty is :meth:`Codebook.missing_required`'s question. Values are what
        the project stores: an option value (``single_choice``), a list of distinct
        option values (``multi_choice``), ``True``/``False``, a string, or a finite
        number within ``min``..``max``.
        """
        if value is None:
            return None
        if self.type == "boolean":
            if not isinstance(value, bool):
                return f"{self.name}: expected true or false, got {_describe(value)}"
            return None
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{self.name}: expected a number, got {_describe(value)}"
            if isinstance(value, float) and not math.isfinite(value):
                return f"{self.name}: expected a finite number, got {value}"
            if self.min is not None and value < self.min:
                return f"{self.name}: {value} is less than the minimum {self.min}"
            if self.max is not None and value > self.max:
                return f"{self.name}: {value} is more than the maximum {self.max}"
            return None
        return _validate_choice(self.name, self.type, self.option_values, value)


def _index(items: Sequence[Any], key: str) -> dict[str, Any]:
    return {getattr(item, key): item for item in items}


class _Attributed:
    """The lookup of attributes by name shared by span labels and relation types."""

    #: How the owner is named in a lookup error, e.g. "span label".
    kind_name = ""
    name: str
    attributes: tuple[Attribute, ...]
    _attributes_by_name: dict[str, Attribute]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_attributes_by_name", _index(self.attributes, "name"))

    def attribute(self, name: str) -> Attribute:
        """The attribute called ``name``; ``KeyError`` if there is none."""
        try:
            return self._attributes_by_name[name]
        except KeyError:
            raise KeyError(f"{self.kind_name} {self.name!r} has no attribute {name!r}") from None


@dataclass(frozen=True)
class SpanLabel(_Attributed):
    """A kind of text span coders mark, with its keyboard key and colour."""

    kind_name = "span label"

    name: str
    key: str
    color: str
    description: str = ""
    examples: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    _attributes_by_name: dict[str, Attribute] = field(
        init=False, repr=False, compare=False, hash=False
    )



@dataclass(frozen=True)
class RelationType(_Attributed):
    """A kind of link from a span of a ``source`` label to one of a ``target`` label."""

    kind_name = "relation type"

    name: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    description: str = ""
    directed: bool = True
    attributes: tuple[Attribute, ...] = ()
    _attributes_by_name: dict[str, Attribute] = field(
        init=False, repr=False, compare=False, hash=False
    )


    def allows(self, source_label: str, target_label: str) -> bool:
        """Whether a span labelled ``source_label`` may be linked to one labelled
        ``target_label``. An undirected relation also allows the reverse."""
        if source_label in self.source and target_label in self.target:
            return True
        return not self.directed and target_label in self.source and source_label in self.target


@dataclass(frozen=True)
class Question:
    """A question answered once per article."""

    name: str
    type: str
    prompt: str
    description: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()

    @property
    def option_values(self) -> tuple[str, ...]:
        """The answers; for an ordinal question, from the lowest to the highest."""
        return tuple(option.value for option in self.options)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    def validate(self, value: Any) -> str | None:
        """Why ``value`` is not a valid answer, or ``None`` if it is (or is ``None``)."""
        if value is None:
            return None
        return _validate_choice(self.name, self.type, self.option_values, value)
