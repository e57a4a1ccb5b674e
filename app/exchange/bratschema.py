"""How a codebook maps onto brat's type system, both ways.

brat names (entity, relation and attribute types, attribute values) are single tokens,
so codebook names are turned into tokens (``Named actor`` -> ``Named_actor``) and made
unique. Attribute values:

* single choice and ordinal: a multi-valued brat attribute (``A1 actor_type T1 prisoner``);
* boolean: a multi-valued attribute with the values ``true`` and ``false`` (a binary
  brat attribute could not tell "false" from "not answered");
* multiple choice: one binary attribute per option (``A2 tags__urgent T1``);
* text and number (and a multiple choice left empty, which differs from unanswered):
  brat attributes cannot hold them, so they travel in a comment line
  ``#3 LoupeValue T1 name=<JSON>`` that brat shows and keeps;
* the coder's "uncertain" flag: the binary attribute ``uncertain``.

A codebook made from brat's ``annotation.conf`` (:mod:`app.core.brat_conf`) keeps brat's
own forms: a boolean marked as binary is brat's value-less attribute (written when true),
its ``references`` are normalisation lines and its relations' ``note`` notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.brat_conf import (
    BINARY,
    REFERENCES,
    REFERENCES_MARK,
    RELATION_NOTE,
    RELATION_NOTE_MARK,
)
from app.core.codebook import Attribute, Codebook

_NOT_TOKEN = re.compile(r"[^\w\-.]+")
VALUE_COMMENT = "LoupeValue"
NOTE_COMMENT = "AnnotatorNotes"
MULTI_SEPARATOR = "__"


def is_binary(attribute: Attribute) -> bool:
    """Whether a boolean attribute stands for a brat binary (value-less) attribute."""
    return attribute.type == "boolean" and attribute.description.startswith(BINARY)


def is_brat_text(attribute: Attribute) -> bool:
    """Whether a text attribute holds brat normalisations or relation notes (written as
    ``N`` and ``#`` lines, not as ``LoupeValue`` comments)."""
    return attribute.type == "text" and (
        (attribute.name == REFERENCES and attribute.description.startswith(REFERENCES_MARK))
        or (attribute.name == RELATION_NOTE and attribute.description.startswith(RELATION_NOTE_MARK))
    )


def token(name: str) -> str:
    """A brat-safe token for a codebook name."""
    return _NOT_TOKEN.sub("_", name.strip()).strip("_") or "_"


def _unique(names: Sequence[str], taken: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        base = candidate = token(name)
        n = 2
        while candidate.casefold() in taken:
            candidate = f"{base}_{n}"
            n += 1
        taken.add(candidate.casefold())
        out[name] = candidate
    return out


@dataclass(frozen=True)
class BratAttribute:
    """One brat attribute type: its name, which brat types carry it, its values
    (empty for a binary attribute) and what it stands for in the codebook."""

    name: str
    owners: tuple[str, ...]
    values: tuple[str, ...]
    codebook_name: str
    option: str | None = None  # set for the binary attribute of a multiple-choice option


class BratSchema:
    """The brat names of one codebook's labels, relation types and attributes."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        taken: set[str] = set()
        self.entity = _unique([label.name for label in codebook.span_labels], taken)
        self.relation = _unique([r.name for r in codebook.relation_types], taken)
        self.label_of = {v: k for k, v in self.entity.items()}
        self.relation_of = {v: k for k, v in self.relation.items()}
        self.uncertain = _unique(["uncertain"], {a.name.casefold() for _, a in self._owned()})["uncertain"]
        self.attributes: dict[str, BratAttribute] = {}
        #: (owner brat type, codebook attribute name) -> brat attribute name (or prefix).
        self._names: dict[tuple[str, str], str] = {}
        self._build()

    def _owned(self) -> Iterator[tuple[str, Attribute]]:
        for label in self.codebook.span_labels:
            for attribute in label.attributes:
                yield label.name, attribute
        for relation in self.codebook.relation_types:
            for attribute in relation.attributes:
                yield relation.name, attribute

    def _owner_type(self, owner: str) -> str:
        return self.entity.get(owner) or self.relation[owner]

    def _build(self) -> None:
        taken = {self.uncertain.casefold()}
        by_definition: dict[tuple[Any, ...], str] = {}
        for owner, attribute in self._owned():
            owner_type = self._owner_type(owner)
            definition = (attribute.name, attribute.type, attribute.option_values)
            name = by_definition.get(definition)
            if name is None:
                wanted = attribute.name if token(attribute.name).casefold() not in taken else f"{owner}_{attribute.name}"
                name = _unique([wanted], taken)[wanted]
                by_definition[definition] = name
            self._names[(owner_type, attribute.name)] = name
            if attribute.type == "multi_choice":
                for option in attribute.option_values:
                    self._own(f"{name}{MULTI_SEPARATOR}{token(option)}", owner_type, (), attribute.name, option)
            elif attribute.type in ("single_choice", "ordinal"):
                self._own(name, owner_type, tuple(token(v) for v in attribute.option_values), attribute.name)
            elif attribute.type == "boolean":
                self._own(name, owner_type, () if is_binary(attribute) else ("true", "false"), attribute.name)

    def _own(self, name: str, owner: str, values: tuple[str, ...], cb_name: str, option: str | None = None) -> None:
        found = self.attributes.get(name)
        owners = (found.owners if found else ()) + (owner,)
        self.attributes[name] = BratAttribute(name, owners, values, cb_name, option)

    # -- writing -----------------------------------------------------------------
    def encode(self, owner_type: str, attributes: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
        """Brat (attribute, value) pairs for a span's or relation's attributes;
        the value ``None`` means a binary attribute. Text and numbers are skipped
        (see :meth:`loose_values`)."""
        owner = self.label_of.get(owner_type) or self.relation_of[owner_type]
        for name, value in attributes.items():
            attribute = self._attribute(owner, name)
            brat = self._names.get((owner_type, name))
            if attribute is None or brat is None or value is None:
                continue
            if attribute.type == "multi_choice":
                for option in value:
                    yield f"{brat}{MULTI_SEPARATOR}{token(option)}", None
            elif attribute.type in ("single_choice", "ordinal"):
                yield brat, token(value)
            elif attribute.type == "boolean" and is_binary(attribute):
                if value:  # brat's binary attribute: present means true, absent false
                    yield brat, None
            elif attribute.type == "boolean":
                yield brat, "true" if value else "false"

    def loose_values(self, owner_type: str, attributes: Mapping[str, Any]) -> Iterator[str]:
        """``name=<JSON>`` for what brat attributes cannot hold: text, numbers, and a
        multiple choice answered with no option (which differs from no answer)."""
        owner = self.label_of.get(owner_type) or self.relation_of[owner_type]
        for name, value in attributes.items():
            attribute = self._attribute(owner, name)
            if attribute is None or value is None or is_brat_text(attribute):
                continue
            if attribute.type in ("text", "number") or (attribute.type == "multi_choice" and not value):
                encoded = json.dumps(value, ensure_ascii=False)
                for char in "\x85\u2028\u2029":  # line breaks for brat that JSON leaves as they are
                    encoded = encoded.replace(char, f"\\u{ord(char):04x}")
                yield f"{name}={encoded}"

    def _attribute(self, owner: str, name: str) -> Attribute | None:
        try:
            if owner in self.entity:
                return self.codebook.label(owner).attribute(name)
            return self.codebook.relation_type(owner).attribute(name)
        except KeyError:
            return None

    # -- reading -----------------------------------------------------------------
    def decode(self, owner_type: str, raw: Mapping[str, Any]) -> tuple[dict[str, Any], bool, list[str]]:
        """Codebook attributes from brat ones (``{brat name: value or True}`` and
        ``{"#name": JSON value}`` from comments): (attributes, uncertain, problems)."""
        owner = self.label_of.get(owner_type) or self.relation_of.get(owner_type)
        attributes: dict[str, Any] = {}
        problems: list[str] = []
        uncertain = False
        for key, value in raw.items():
            if key.startswith("#"):
                attributes[key[1:]] = value
                continue
            if key == self.uncertain:
                uncertain = True
                continue
            brat = self.attributes.get(key)
            if brat is None or owner is None or owner_type not in brat.owners:
                problems.append(f"the attribute {key} is not in the codebook for {owner_type}")
                continue
            attribute = self._attribute(owner, brat.codebook_name)
            assert attribute is not None
            if brat.option is not None:
                attributes.setdefault(attribute.name, []).append(brat.option)
            elif attribute.type == "boolean":  # True: brat's value-less binary attribute
                attributes[attribute.name] = value is True or value == "true"
            else:
                by_token = {token(v): v for v in attribute.option_values}
                if value not in by_token:
                    problems.append(f"{value!r} is not a value of {key}")
                    continue
                attributes[attribute.name] = by_token[value]
        for name, value in list(attributes.items()):
            attribute = self._attribute(owner, name) if owner else None
            if attribute is not None and attribute.type == "multi_choice":
                attributes[name] = [v for v in attribute.option_values if v in value]
        return attributes, uncertain, problems
