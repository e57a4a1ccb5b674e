"""The codebook model: what coders may mark, link and answer.

A codebook is a YAML or JSON document in the format of
``annotations_schema/codebook.schema.json``. :func:`parse_codebook` and
:func:`load_codebook` read one, check it against the schema and against the rules a
schema cannot express, and return an immutable :class:`Codebook`. Anything wrong
raises :class:`~app.core.errors.CodebookError` with one sentence naming the file and
the path of the bad field, e.g.
``coercion.yaml: span_labels[2].attributes[0].type: 'choice' is not one of ...``.

Names (of labels, attributes, relation types, questions), option values and label
keys must be unique within their list, compared without regard to case: they become
column names and keyboard shortcuts, where ``Actor`` and ``actor`` would collide.

A project stores the codebook it uses as :meth:`Codebook.content_json` (canonical
JSON) together with :attr:`Codebook.sha256`; :meth:`Codebook.from_content_json`
restores it.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from app.core.errors import CodebookError

MAX_BYTES = 2 * 1024 * 1024
"""Largest codebook file accepted; real codebooks are a few kilobytes."""

SCHEMA_FILE = "codebook.schema.json"
DEFAULT_CODEBOOK_FILE = "coercion-v1.yaml"

ATTRIBUTE_TYPES = ("single_choice", "multi_choice", "boolean", "text", "number")
QUESTION_TYPES = ("single_choice", "multi_choice", "ordinal", "text")
CHOICE_TYPES = frozenset({"single_choice", "multi_choice", "ordinal"})

_MAX_VALUES = 100_000  # values in a document, counting each use of a YAML alias
_MAX_DEPTH = 64  # nesting of mappings and lists; a real codebook needs about 6
_SHORT = 60  # characters of a value quoted in a message


# ---------------------------------------------------------------------------
# The model


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


@dataclass(frozen=True)
class SpanLabel:
    """A kind of text span coders mark, with its keyboard key and colour."""

    name: str
    key: str
    color: str
    description: str = ""
    examples: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    _attributes_by_name: dict[str, Attribute] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_attributes_by_name", _index(self.attributes, "name"))

    def attribute(self, name: str) -> Attribute:
        """The attribute called ``name``; ``KeyError`` if the label has none."""
        try:
            return self._attributes_by_name[name]
        except KeyError:
            raise KeyError(f"span label {self.name!r} has no attribute {name!r}") from None


@dataclass(frozen=True)
class RelationType:
    """A kind of link from a span of a ``source`` label to one of a ``target`` label."""

    name: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    description: str = ""
    directed: bool = True
    attributes: tuple[Attribute, ...] = ()
    _attributes_by_name: dict[str, Attribute] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_attributes_by_name", _index(self.attributes, "name"))

    def attribute(self, name: str) -> Attribute:
        """The attribute called ``name``; ``KeyError`` if the relation type has none."""
        try:
            return self._attributes_by_name[name]
        except KeyError:
            raise KeyError(f"relation type {self.name!r} has no attribute {name!r}") from None

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


# ---------------------------------------------------------------------------
# Reading


def schema_path() -> Path:
    """The JSON Schema of the codebook format."""
    from app.paths import schema_dir  # stdlib-only module; finds bundled data

    return schema_dir() / SCHEMA_FILE


def default_codebook_path() -> Path:
    """The bundled codebook of the coercion study (``coercion-v1.yaml``)."""
    from app.paths import schema_dir

    return schema_dir() / DEFAULT_CODEBOOK_FILE


def load_default_codebook() -> Codebook:
    return load_codebook(default_codebook_path())


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate the codebook file at ``path`` (YAML or JSON, UTF-8)."""
    path = Path(path)
    origin = path.name or str(path)
    try:
        if path.exists() and not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise CodebookError(f"{path}: is {what}, not a codebook file.")
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CodebookError(f"{path}: no such codebook file.") from None
    except PermissionError:
        raise CodebookError(f"{path}: cannot be read (permission denied).") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CodebookError(f"{path}: cannot be read ({reason}).") from None
    except ValueError:  # e.g. a NUL character in the name
        raise CodebookError(f"{_short(str(path))} is not a valid file name.") from None
    return parse_codebook(_decode(data, origin), origin)


def _decode(data: bytes, origin: str) -> str:
    if len(data) > MAX_BYTES:
        raise CodebookError(
            f"{origin}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB, "
            "far too large for a codebook."
        )
    if not data.strip():
        raise CodebookError(f"{origin}: the file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CodebookError(f"{origin}: the file is encoded as UTF-16; save it as UTF-8.")
    if b"\x00" in data:
        raise CodebookError(f"{origin}: this is a binary file, not a YAML or JSON codebook.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CodebookError(
            f"{origin}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line "
            f"{line} cannot be decoded); save it as UTF-8."
        ) from None


def parse_codebook(text: str, origin: str) -> Codebook:
    """Validate codebook ``text`` (YAML or JSON); ``origin`` names it in messages.

    Text that starts with ``{`` or ``[`` is read as JSON first; if that fails it is
    read as YAML (flow style), unless ``origin`` ends in ``.json``.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise CodebookError(
            f"{origin}: the text is longer than {MAX_BYTES // (1024 * 1024)} million "
            "characters, far too long for a codebook."
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CodebookError(f"{origin}: the file is empty.")
    return _build(_parse_document(text, origin), origin)


def _parse_document(text: str, origin: str) -> Any:
    json_error: json.JSONDecodeError | None = None
    if text.lstrip()[:1] in ("{", "["):
        # JSON is YAML, but PyYAML rejects tabs that JSON allows: try JSON first.
        try:
            return json.loads(text, object_pairs_hook=_json_object_without_duplicates)
        except _DuplicateKey as exc:
            raise CodebookError(
                f"{origin}: the key {_short(exc.key)} appears twice in the same object."
            ) from None
        except json.JSONDecodeError as exc:
            if origin.lower().endswith(".json"):
                raise CodebookError(
                    f"{origin}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
                ) from None
            json_error = exc  # perhaps YAML flow style; YAML decides
        except (ValueError, RecursionError):
            raise CodebookError(
                f"{origin}: cannot be read as JSON (nested too deeply or a number too long)."
            ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        if json_error is not None:
            raise CodebookError(
                f"{origin}: invalid JSON at line {json_error.lineno}, column "
                f"{json_error.colno}: {json_error.msg}."
            ) from None
        mark = exc.problem_mark or exc.context_mark
        problem = _one_line(exc.problem or exc.context or "not valid YAML")
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{origin}: invalid YAML{where}: {problem}.") from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, int) else 0
        raise CodebookError(
            f"{origin}: invalid YAML at line {line}, column {column}: the character "
            f"U+{character:04X} is not allowed."
        ) from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{origin}: invalid YAML: {_clip(_one_line(str(exc)), 120)}.") from None
    except RecursionError:
        raise CodebookError(f"{origin}: the YAML is nested too deeply.") from None
    except (ValueError, OverflowError) as exc:
        # Raised by PyYAML's scalar constructors, e.g. for the date 2024-13-45.
        raise CodebookError(
            f"{origin}: a value cannot be read ({_clip(_one_line(str(exc)), 80)}); "
            "put it in quotes if it is meant as text."
        ) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error
    (PyYAML would silently keep the last one). Keys brought in by a ``<<`` merge may
    still be overridden."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                    key_node, yaml.ScalarNode
                ):
                    continue
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key {_short(key)} appears twice in the same mapping",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # PyYAML's scalar constructors fail this way, e.g. on the date 2024-13-45.
            shown = _short(node.value) if isinstance(node, yaml.ScalarNode) else "a value"
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{shown} cannot be read ({_clip(_one_line(str(exc)), 50)}); "
                "put it in quotes if it is meant as text",
                node.start_mark,
            ) from None


# ---------------------------------------------------------------------------
# Validation


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    path = schema_path()
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CodebookError(
            f"The codebook format {path} is missing or damaged; the installation is incomplete."
        ) from None
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def _build(document: Any, origin: str) -> Codebook:
    if not isinstance(document, dict):
        if document is None:
            raise CodebookError(
                f"{origin}: the file contains no codebook (only comments or blanks)."
            )
        raise CodebookError(
            f"{origin}: the top level must be a mapping of codebook fields "
            f"(name, version, span_labels, ...), not {_describe(document)}."
        )
    _check_plain_data(document, origin)
    errors = list(_validator().iter_errors(document))
    if errors:
        error = min(errors, key=lambda e: _error_rank(document, e))
        raise CodebookError(_sentence(f"{origin}: {_schema_message(error)}"))
    for path, message in _semantic_problems(document):
        raise CodebookError(_sentence(f"{origin}: {_format_path(path)}: {message}"))
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


def _check_plain_data(document: dict[str, Any], origin: str) -> None:
    """Reject what YAML can express but JSON cannot (dates, binary, sets, non-text keys,
    NaN), documents that expand to huge sizes through aliases, and deep nesting."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    count = 0
    while stack:
        value, path = stack.pop()
        count += 1
        if count > _MAX_VALUES:
            raise CodebookError(
                f"{origin}: the document has more than {_MAX_VALUES} values "
                "(or refers to itself through YAML aliases), far too many for a codebook."
            )
        if len(path) > _MAX_DEPTH:
            raise CodebookError(f"{origin}: {_format_path(path[:8])}...: nested too deeply.")
        where = _format_path(path) or "the top level"
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                if not isinstance(key, str):
                    raise CodebookError(
                        f"{origin}: {where}: the key {_short(key)} is {_describe(key)}, "
                        "not text; put it in quotes."
                    )
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise CodebookError(
                    f"{origin}: {where}: the text contains an invalid character "
                    "(a lone surrogate escape)."
                ) from None
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise CodebookError(f"{origin}: {where}: {value} is not a finite number.")
        elif value is None or isinstance(value, (bool, int)):
            pass
        else:
            raise CodebookError(
                f"{origin}: {where}: {_describe(value)} is not allowed here; "
                "put the value in quotes if it is meant as text."
            )


def _error_rank(document: Any, error: jsonschema.ValidationError) -> tuple[Any, ...]:
    """Order errors as they appear in the document; at the same place, prefer
    messages about the mapping itself (missing or unknown fields) and types."""
    position: list[int] = []
    node = document
    for part in error.absolute_path:
        if isinstance(node, dict):
            keys = list(node)
            position.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            position.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            break
    priority = {"additionalProperties": 0, "required": 1, "type": 2}
    return (position, priority.get(str(error.validator), 3))


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}


def _schema_message(error: jsonschema.ValidationError) -> str:
    """One clause ``path: what is wrong`` for a schema violation."""
    parts = tuple(error.absolute_path)
    path = _format_path(parts)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance
    subschema = error.schema if isinstance(error.schema, dict) else {}

    def at(message: str, where: str = path) -> str:
        return f"{where}: {message}" if where else message

    if keyword == "type":
        expected = value if isinstance(value, list) else [value]
        words = " or ".join(_TYPE_WORDS.get(t, str(t)) for t in expected)
        if "string" in expected and isinstance(instance, bool):
            return at(
                f"{_yaml_scalar(instance)} is read as true/false, not text (YAML reads yes, "
                "no, on, off, true and false that way); put it in quotes"
            )
        if "string" in expected and (isinstance(instance, (int, float)) or instance is None):
            return at(
                f"{_yaml_scalar(instance)} is read as {_describe(instance)}, not text; put it in quotes"
            )
        return at(f"expected {words}, found {_describe(instance)}")
    if keyword == "enum":
        return at(f"{_short(instance)} is not one of {_list_values(value)}")
    if keyword == "const":
        return at(f"must be {_short(value)}")
    if keyword == "required":
        missing = [name for name in value if name not in instance] or list(value)
        return at("this required field is missing", _format_path((*parts, missing[0])))
    if keyword == "additionalProperties":
        allowed = list(subschema.get("properties", {}))
        unknown = [key for key in instance if key not in allowed] or ["?"]
        where = _format_path((*parts, unknown[0]))
        close = difflib.get_close_matches(str(unknown[0]), allowed, n=1)
        if close:
            return at(f"unknown field; did you mean '{close[0]}'?", where)
        return at(f"unknown field (allowed here: {', '.join(allowed)})", where)
    if keyword == "pattern":
        hint = subschema.get("description")
        if hint:
            return at(f"{_short(instance)} is not valid: it must be {hint}")
        return at(f"{_short(instance)} does not have the required form")
    if keyword == "minLength":
        return at(
            "must not be empty" if value == 1 else f"must be at least {value} characters long"
        )
    if keyword == "maxLength":
        return at(f"is longer than {value} characters")
    if keyword == "minItems":
        return at("must not be empty" if value == 1 else f"needs at least {value} items")
    if keyword == "maxItems":
        return at(f"has more than {value} items")
    if keyword == "uniqueItems":
        seen: list[Any] = []
        for item in instance:
            if item in seen:
                return at(f"{_short(item)} is listed twice")
            seen.append(item)
        return at("lists an item twice")
    return at(_clip(_one_line(error.message), 160))


def _semantic_problems(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Rules the schema cannot express, as ``(path, message)`` in document order."""
    labels = document["span_labels"]
    yield from _duplicates(labels, "name", ("span_labels",), "span label name")
    yield from _duplicates(labels, "key", ("span_labels",), "key")
    for i, label in enumerate(labels):
        yield from _attribute_problems(label, ("span_labels", i))

    label_names = {label["name"] for label in labels}
    relations = document.get("relation_types", [])
    yield from _duplicates(relations, "name", ("relation_types",), "relation type name")
    for i, relation in enumerate(relations):
        for end in ("source", "target"):
            for j, name in enumerate(relation[end]):
                if name not in label_names:
                    hint = _did_you_mean(name, label_names)
                    yield (
                        ("relation_types", i, end, j),
                        f"{_short(name)} is not a span label of this codebook{hint}",
                    )
        yield from _attribute_problems(relation, ("relation_types", i))

    questions = document.get("questions", [])
    yield from _duplicates(questions, "name", ("questions",), "question name")
    for i, question in enumerate(questions):
        yield from _option_problems(question, ("questions", i), "question")


def _attribute_problems(
    item: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    attributes = item.get("attributes", [])
    yield from _duplicates(attributes, "name", (*path, "attributes"), "attribute name")
    for i, attribute in enumerate(attributes):
        here = (*path, "attributes", i)
        yield from _option_problems(attribute, here, "attribute")
        bounds = [key for key in ("min", "max") if key in attribute]
        if attribute["type"] != "number" and bounds:
            yield (
                (*here, bounds[0]),
                f"only number attributes have a {bounds[0]}, this one is {attribute['type']}",
            )
        elif "min" in attribute and "max" in attribute and attribute["min"] > attribute["max"]:
            yield (
                (*here, "min"),
                f"the minimum {attribute['min']} is greater than the maximum {attribute['max']}",
            )


def _option_problems(
    item: dict[str, Any], path: tuple[str | int, ...], what: str
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    kind = item["type"]
    options = item.get("options")
    if kind in CHOICE_TYPES:
        if not options:
            yield (
                (*path, "options"),
                f"{_short(item['name'])} is a {kind} {what} and needs a list of options",
            )
        elif kind == "ordinal" and len(options) < 2:
            yield ((*path, "options"), "an ordinal scale needs at least two options")
        else:
            yield from _duplicates(options, "value", (*path, "options"), "option value")
    elif options is not None:
        yield (
            (*path, "options"),
            f"only choice {what}s have options, {_short(item['name'])} is {kind}",
        )


def _duplicates(
    items: list[dict[str, Any]], key: str, path: tuple[str | int, ...], what: str
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    first: dict[str, tuple[int, str]] = {}
    for i, item in enumerate(items):
        value = item[key]
        folded = value.casefold()
        if folded in first:
            j, earlier = first[folded]
            case = "" if earlier == value else " (ignoring case)"
            yield (
                (*path, i, key),
                f"duplicate {what} {_short(value)}: {_format_path((*path, j))} has the same {key}{case}",
            )
        else:
            first[folded] = (i, value)


def _did_you_mean(name: str, candidates: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------------------
# Message helpers


def _format_path(parts: Sequence[str | int]) -> str:
    """``('span_labels', 2, 'attributes', 0, 'type')`` -> ``span_labels[2].attributes[0].type``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier() or part.replace("-", "_").isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{_short(part, 30)}]"
    return out


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _short(value: Any, limit: int = _SHORT) -> str:
    """A value quoted for a message, never longer than about ``limit`` characters."""
    if isinstance(value, str):
        return repr(_clip(value, limit))
    if value is None or isinstance(value, (bool, int, float)):
        return _clip(repr(value), limit)
    return _describe(value)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _short(value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, _dt.datetime):
        return "a date and time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return "a value of an unsupported kind"


def _list_values(values: Sequence[Any], limit: int = 12) -> str:
    shown = ", ".join(_short(v, 40) for v in list(values)[:limit])
    return shown + (", ..." if len(values) > limit else "")
