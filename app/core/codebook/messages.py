"""How problems with a codebook are worded: field paths, quoted values and the kinds
of values, so that every message names the bad field in the same way, e.g.
``span_labels[2].attributes[0].type: 'choice' is not one of ...``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

_SHORT = 60  # characters of a value quoted in a message


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
