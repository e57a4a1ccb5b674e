"""Whether a parsed document is a valid codebook.

:func:`check_document` runs the checks in order: the document must be plain data that
JSON could hold (YAML can express more), valid against the JSON Schema, and follow the
rules a schema cannot express. Names (of labels, attributes, relation types,
questions), option values and label keys must be unique within their list, compared
without regard to case: they become column names and keyboard shortcuts, where
``Actor`` and ``actor`` would collide.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from typing import Any

from app.core.codebook.messages import _describe, _format_path, _sentence, _short
from app.core.codebook.parts import CHOICE_TYPES
from app.core.codebook.schema import _error_rank, _schema_message, _validator
from app.core.errors import CodebookError

_MAX_VALUES = 100_000  # values in a document, counting each use of a YAML alias
_MAX_DEPTH = 64  # nesting of mappings and lists; a real codebook needs about 6


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


def check_document(document: Any, origin: str) -> None:
    """Raise :class:`~app.core.errors.CodebookError` for the first thing wrong with the
    parsed ``document``: it is not a mapping, holds what JSON cannot, breaks the schema
    or breaks a rule the schema cannot express."""
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
