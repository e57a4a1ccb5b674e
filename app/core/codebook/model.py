"""The codebook model: a validated :class:`Codebook` with its lookups, its canonical
JSON and its hash, and how one is built from a checked document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.codebook.checks import (
    _DuplicateKey,
    _json_object_without_duplicates,
    check_document,
)
from app.core.codebook.messages import _short
from app.core.codebook.parts import Attribute, Option, Question, RelationType, SpanLabel, _index
from app.core.errors import CodebookError


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build one with :func:`parse_codebook`,
    :func:`load_codebook` or :meth:`Codebook.from_content_json`."""

    name: str
    version: str
    description: str
    span_labels: tuple[SpanLabel, ...]
    relation_types: tuple[RelationType, ...]
    questions: tuple[Question, ...]
    _content: str = field(repr=False)
    _labels: dict[str, SpanLabel] = field(init=False, repr=False, compare=False, hash=False)
    _keys: dict[str, SpanLabel] = field(init=False, repr=False, compare=False, hash=False)
    _relations: dict[str, RelationType] = field(init=False, repr=False, compare=False, hash=False)
    _questions: dict[str, Question] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", _index(self.span_labels, "name"))
        object.__setattr__(
            self, "_keys", {label.key.casefold(): label for label in self.span_labels}
        )
        object.__setattr__(self, "_relations", _index(self.relation_types, "name"))
        object.__setattr__(self, "_questions", _index(self.questions, "name"))

    # -- identity --------------------------------------------------------

    def content_json(self) -> str:
        """The validated document as canonical JSON (sorted keys, no spaces, UTF-8 text)."""
        return self._content

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 bytes of :meth:`content_json`."""
        return hashlib.sha256(self._content.encode("utf-8")).hexdigest()

    @classmethod
    def from_content_json(cls, text: str, origin: str = "stored codebook") -> Codebook:
        """Restore a codebook from :meth:`content_json` (as stored in a project)."""
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        try:
            document = json.loads(text, object_pairs_hook=_json_object_without_duplicates)
        except _DuplicateKey as exc:
            raise CodebookError(
                f"{origin}: the key {_short(exc.key)} appears twice in the same object."
            ) from None
        except json.JSONDecodeError as exc:
            raise CodebookError(
                f"{origin}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
            ) from None
        except (ValueError, RecursionError):
            raise CodebookError(f"{origin}: is not valid codebook JSON.") from None
        return _build(document, origin)

    # -- lookups ---------------------------------------------------------

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.span_labels)

    def label(self, name: str) -> SpanLabel:
        """The span label called ``name``; ``KeyError`` if there is none."""
        try:
            return self._labels[name]
        except KeyError:
            raise KeyError(f"codebook {self.name!r} has no span label {name!r}") from None

    def label_for_key(self, key: str) -> SpanLabel | None:
        """The span label whose key is ``key`` (letters in either case), or ``None``."""
        if not isinstance(key, str):
            return None
        return self._keys.get(key.casefold())

    def relation_type(self, name: str) -> RelationType:
        """The relation type called ``name``; ``KeyError`` if there is none."""
        try:
            return self._relations[name]
        except KeyError:
            raise KeyError(f"codebook {self.name!r} has no relation type {name!r}") from None

    def relation_types_between(
        self, source_label: str, target_label: str
    ) -> tuple[RelationType, ...]:
        """The relation types that may link a ``source_label`` span to a ``target_label`` span."""
        return tuple(r for r in self.relation_types if r.allows(source_label, target_label))

    def question(self, name: str) -> Question:
        """The article question called ``name``; ``KeyError`` if there is none."""
        try:
            return self._questions[name]
        except KeyError:
            raise KeyError(f"codebook {self.name!r} has no question {name!r}") from None

    def missing_required(self, label_name: str, attributes: Mapping[str, Any]) -> list[str]:
        """Names of the required attributes of ``label_name`` that ``attributes`` leaves
        empty (absent, ``None``, blank text or an empty list), in codebook order.

        ``KeyError`` if the codebook has no such label.
        """
        label = self.label(label_name)
        return [
            attribute.name
            for attribute in label.attributes
            if attribute.required and _is_empty(attributes.get(attribute.name))
        ]


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):
        return not value
    return False


def _build(document: Any, origin: str) -> Codebook:
    check_document(document, origin)
    content = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Codebook(
        name=document["name"],
        version=document["version"],
        description=document.get("description", ""),
        span_labels=tuple(
            SpanLabel(
                name=label["name"],
                key=label["key"],
                color=label["color"],
                description=label.get("description", ""),
                examples=tuple(label.get("examples", ())),
                attributes=_attributes(label),
            )
            for label in document["span_labels"]
        ),
        relation_types=tuple(
            RelationType(
                name=relation["name"],
                source=tuple(relation["source"]),
                target=tuple(relation["target"]),
                description=relation.get("description", ""),
                directed=relation.get("directed", True),
                attributes=_attributes(relation),
            )
            for relation in document.get("relation_types", ())
        ),
        questions=tuple(
            Question(
                name=question["name"],
                type=question["type"],
                prompt=question["prompt"],
                description=question.get("description", ""),
                required=question.get("required", False),
                options=_options(question),
            )
            for question in document.get("questions", ())
        ),
        _content=content,
    )


def _options(item: dict[str, Any]) -> tuple[Option, ...]:
    return tuple(
        Option(value=option["value"], description=option.get("description", ""))
        for option in item.get("options", ())
    )


def _attributes(item: dict[str, Any]) -> tuple[Attribute, ...]:
    return tuple(
        Attribute(
            name=attribute["name"],
            type=attribute["type"],
            required=attribute.get("required", False),
            description=attribute.get("description", ""),
            options=_options(attribute),
            min=attribute.get("min"),
            max=attribute.get("max"),
        )
        for attribute in item.get("attributes", ())
    )
