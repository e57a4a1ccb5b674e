"""Validation against the JSON Schema of the codebook format
(``annotations_schema/codebook.schema.json``), and one readable clause for the first
violation.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

from app.core.codebook.messages import (
    _clip,
    _describe,
    _format_path,
    _list_values,
    _one_line,
    _short,
    _yaml_scalar,
)
from app.core.errors import CodebookError

SCHEMA_FILE = "codebook.schema.json"
MAP_SCHEMA_FILE = "codebook-map.schema.json"


def schema_path() -> Path:
    """The JSON Schema of the codebook format."""
    from app.paths import schema_dir  # stdlib-only module; finds bundled data

    return schema_dir() / SCHEMA_FILE


def _validator() -> jsonschema.protocols.Validator:
    return _validator_of(SCHEMA_FILE)


def _map_validator() -> jsonschema.protocols.Validator:
    """The validator of codebook maps (``codebook-map.schema.json``)."""
    return _validator_of(MAP_SCHEMA_FILE)


@functools.lru_cache(maxsize=2)
def _validator_of(name: str) -> jsonschema.protocols.Validator:
    from app.paths import schema_dir

    path = schema_dir() / name
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CodebookError(
            f"The codebook format {path} is missing or damaged; the installation is incomplete."
        ) from None
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


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
    # Typed "Any | Unset" for an error built by hand; iter_errors always sets both.
    value: Any = error.validator_value
    instance: Any = error.instance
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
